"""The privacy mailbox: requests that arrive by e-mail, read over IMAP with TLS (IMAPS or STARTTLS).

``mailbox_messages_process`` speaks IMAP4rev1 (LOGIN, SELECT, SEARCH UNSEEN, FETCH BODY.PEEK[], STORE +FLAGS
\\Seen, LOGOUT) through ``imaplib``, behind ``integrations.resilience``: a timeout per attempt, retries with
back-off and the shared circuit breaker. PEEK leaves a message unseen until its request is stored, and its
Message-ID makes a message read twice one request, so a crash between the two steps loses nothing and duplicates
nothing.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import imaplib
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr

from django.conf import settings

from incasso.integrations.resilience import Backoff, CircuitBreaker, TransientError, call_with_resilience
from incasso.rights.models import RequestChannel, RequestKind, RightsRequest
from incasso.rights.services import Requester, request_verification_send, requests_receive

SERVICE = "rights-imap"
TIMEOUT_SECONDS = 20.0

# The first matching pattern (subject, then body) names the right asked for; plain e-mail rarely names it exactly.
KIND_PATTERNS: tuple[tuple[RequestKind, re.Pattern[str]], ...] = (
    (RequestKind.HUMAN_REVIEW, re.compile(r"menselijk|human review|beoordeling door een mens", re.I)),
    (RequestKind.OBJECTION_MARKETING, re.compile(r"marketing|nieuwsbrief|newsletter|reclame", re.I)),
    (RequestKind.CONSENT_WITHDRAWAL, re.compile(r"toestemming|consent", re.I)),
    (RequestKind.ERASURE, re.compile(r"verwijder|vergeten|erase|erasure|delete|forgotten", re.I)),
    (RequestKind.RECTIFICATION, re.compile(r"rectific|correctie|verbeter|correct", re.I)),
    (RequestKind.RESTRICTION, re.compile(r"beperk|restrict", re.I)),
    (RequestKind.PORTABILITY, re.compile(r"overdraag|portab", re.I)),
    (RequestKind.OBJECTION_PROCESSING, re.compile(r"bezwaar|object", re.I)),
)


@dataclass(frozen=True, slots=True)
class MailboxConfig:
    host: str
    port: int
    user: str
    password: str
    mailbox: str = "INBOX"
    use_ssl: bool = True  # False: STARTTLS on a plain connection
    ca_file: str = ""

    @classmethod
    def from_settings(cls) -> MailboxConfig | None:
        if not settings.INCASSO_RIGHTS_IMAP_HOST:
            return None
        return cls(
            host=settings.INCASSO_RIGHTS_IMAP_HOST,
            port=settings.INCASSO_RIGHTS_IMAP_PORT,
            user=settings.INCASSO_RIGHTS_IMAP_USER,
            password=settings.INCASSO_RIGHTS_IMAP_PASSWORD,
            mailbox=settings.INCASSO_RIGHTS_IMAP_MAILBOX,
            use_ssl=settings.INCASSO_RIGHTS_IMAP_SSL,
            ca_file=settings.INCASSO_RIGHTS_IMAP_CA_FILE,
        )

    def tls_context(self) -> ssl.SSLContext:
        """Certificate and host name verified, always; a private CA file only if configured."""
        return ssl.create_default_context(cafile=self.ca_file or None)


@dataclass(frozen=True, slots=True)
class MailMessage:
    uid: bytes
    message_id: str
    sender_name: str
    sender_email: str
    subject: str
    body: str


class MailboxError(RuntimeError):
    """The server refused (wrong log-in, no such mailbox): not worth retrying."""


def _connect(config: MailboxConfig, timeout: float) -> imaplib.IMAP4:
    context = config.tls_context()
    if config.use_ssl:
        return imaplib.IMAP4_SSL(config.host, config.port, ssl_context=context, timeout=timeout)
    connection = imaplib.IMAP4(config.host, config.port, timeout=timeout)
    connection.starttls(ssl_context=context)
    return connection


def _check(status: str, data: object, what: str) -> None:
    if status != "OK":
        raise MailboxError(f"IMAP {what} refused: {data!r}")


def _parse(uid: bytes, raw: bytes) -> MailMessage:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(parsed, EmailMessage):  # the default policy always makes one
        raise MailboxError("unreadable message")
    name, address = parseaddr(str(parsed.get("From", "")))
    part = parsed.get_body(preferencelist=("plain", "html"))
    body = part.get_content() if part is not None else ""
    return MailMessage(
        uid=uid,
        message_id=str(parsed.get("Message-ID", "")).strip()[:250],
        sender_name=name,
        sender_email=address,
        subject=str(parsed.get("Subject", "")),
        body=str(body)[:20000],
    )


def _session(
    config: MailboxConfig, work: Callable[[imaplib.IMAP4], list[MailMessage]], timeout: float
) -> list[MailMessage]:
    try:
        connection = _connect(config, timeout)
    except (TimeoutError, OSError, imaplib.IMAP4.abort) as exc:
        raise TransientError(f"IMAP {config.host}:{config.port}: {exc}") from exc
    try:
        try:
            _check(*connection.login(config.user, config.password), "LOGIN")
        except imaplib.IMAP4.error as exc:
            raise MailboxError(f"IMAP LOGIN refused: {exc}") from exc
        _check(*connection.select(config.mailbox), "SELECT")
        return work(connection)
    except (OSError, imaplib.IMAP4.abort) as exc:
        raise TransientError(f"IMAP {config.host}: {exc}") from exc
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            connection.logout()


def _each_unseen(handle: Callable[[MailMessage], None]) -> Callable[[imaplib.IMAP4], list[MailMessage]]:
    """Per unseen message: fetch it without marking it (BODY.PEEK), hand it over, then mark it seen."""

    def work(connection: imaplib.IMAP4) -> list[MailMessage]:
        status, data = connection.search(None, "UNSEEN")
        _check(status, data, "SEARCH")
        done = []
        for number in (data[0] or b"").split():
            status, parts = connection.fetch(number.decode(), "(BODY.PEEK[])")
            _check(status, parts, "FETCH")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), b"")
            message = _parse(number, raw)
            handle(message)
            _check(*connection.store(number.decode(), "+FLAGS", "\\Seen"), "STORE")
            done.append(message)
        return done

    return work


def mailbox_messages_process(*, config: MailboxConfig, handle: Callable[[MailMessage], None]) -> list[MailMessage]:
    """Hand every unseen message to ``handle``; each is marked seen only once ``handle`` returned."""
    return call_with_resilience(
        SERVICE,
        lambda timeout: _session(config, _each_unseen(handle), timeout),
        timeout=TIMEOUT_SECONDS,
        retries=2,
        backoff=Backoff(),
        breaker=CircuitBreaker(SERVICE),
    )


def request_kind_guess(subject: str, body: str) -> RequestKind:
    for text in (subject, body):
        for kind, pattern in KIND_PATTERNS:
            if pattern.search(text):
                return kind
    return RequestKind.ACCESS


def mailbox_intake(*, config: MailboxConfig) -> list[RightsRequest]:
    """Read the mailbox: each new message becomes a received request (channel e-mail) and gets a code."""
    created: list[RightsRequest] = []

    def handle(message: MailMessage) -> None:
        if message.message_id and RightsRequest.objects.filter(source_message_id=message.message_id).exists():
            return  # read before, but the connection broke before it was marked seen
        received = requests_receive(
            kind=request_kind_guess(message.subject, message.body),
            channel=RequestChannel.EMAIL,
            requester=Requester(name=message.sender_name, email=message.sender_email),
            message=f"{message.subject}\n\n{message.body}",
            actor="privacy mailbox",
            source_message_id=message.message_id,
        )
        for request in received:
            if request_verification_send(request=request):
                break
        created.extend(received)

    mailbox_messages_process(config=config, handle=handle)
    return created
