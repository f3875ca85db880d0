"""E-mail goes over a real SMTP session with STARTTLS, only inside the Wki contact hours, never in plain text."""

from __future__ import annotations

import datetime
import email
import ipaddress
import socket
import ssl
from email.message import Message
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from incasso.communications.emailing import InsecureEmailError
from incasso.communications.models import Communication, Letter, LetterStatus, PortalAccessCode
from incasso.communications.services import (
    LetterRequest,
    letter_email_send,
    letters_queue_bulk,
    print_batch_render,
)
from incasso.communications.tests.conftest import POSTED, pdf_text

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONDAY_10 = datetime.datetime(2024, 9, 2, 10, 0, tzinfo=AMSTERDAM)


class Inbox:
    """An aiosmtpd handler that keeps each message with whether its session was encrypted."""

    def __init__(self) -> None:
        self.messages: list[tuple[Message, bool]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((email.message_from_bytes(envelope.content), session.ssl is not None))
        return "250 OK"


def _self_signed(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "smtp.crt", tmp_path / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(tmp_path, settings, monkeypatch):
    """A local SMTP server that requires STARTTLS, trusted by the client through SSL_CERT_FILE."""
    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    controller.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # Django's backend verifies against the default store
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = True, False
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "", ""
    yield inbox
    controller.stop()


def _queued_letter(case, kind="reminder_letter", language="nl"):
    letters_queue_bulk(
        requests=[LetterRequest(case_id=case.pk, kind=kind, language=language, channel="email")], on=POSTED
    )
    return Letter.objects.get(case=case, kind=kind)


def test_a_queued_letter_is_emailed_over_tls_with_its_pdf(letter_case, smtp_server):
    letter = _queued_letter(letter_case)
    outcome = letter_email_send(letter=letter, now=MONDAY_10)
    assert outcome.sent_at == MONDAY_10 and outcome.wait_until is None
    [(message, encrypted)] = smtp_server.messages
    assert encrypted, "the SMTP session was not encrypted"
    assert message["To"] == "jan@example.com"
    assert "2024-000123" in message["Subject"]
    parts = {part.get_content_type(): part for part in message.walk()}
    body = parts["text/plain"].get_payload(decode=True).decode()
    assert "WKI-DEMO-0000" in body and "klachtenregeling" in body  # Wki: identity in every communication
    text = pdf_text(parts["application/pdf"].get_payload(decode=True))
    assert "Herinnering" in text and "2024-000123" in text
    letter.refresh_from_db()
    assert letter.status == LetterStatus.SENT
    assert letter.posted_on == datetime.date(2024, 9, 2)  # dated the day it went out, not the day it was queued
    assert Communication.objects.filter(letter=letter, channel="email", direction="out").count() == 1
    assert PortalAccessCode.objects.filter(letter=letter).exists()
    with pytest.raises(ValueError, match="sent"):
        letter_email_send(letter=letter, now=MONDAY_10)
    assert len(smtp_server.messages) == 1


def test_a_printed_letter_goes_as_a_copy(letter_case, smtp_server):
    letters_queue_bulk(requests=[LetterRequest(case_id=letter_case.pk, kind="demand_letter")], on=POSTED)
    print_batch_render(on=POSTED)
    letter = Letter.objects.get(case=letter_case)
    letter_email_send(letter=letter, now=MONDAY_10)
    [(message, encrypted)] = smtp_server.messages
    assert encrypted
    pdf = next(p for p in message.walk() if p.get_content_type() == "application/pdf").get_payload(decode=True)
    assert letter.data["amounts"]["total"] in pdf_text(pdf)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.SENT and letter.posted_on == POSTED
    assert Communication.objects.filter(letter=letter).values_list("channel", flat=True).count() == 2


def test_sending_without_tls_is_refused(letter_case, smtp_server, settings):
    settings.EMAIL_USE_TLS = False
    letter = _queued_letter(letter_case)
    with pytest.raises(InsecureEmailError):
        letter_email_send(letter=letter, now=MONDAY_10)
    assert smtp_server.messages == []
    letter.refresh_from_db()
    assert letter.status == LetterStatus.QUEUED and letter.sent_at is None


@pytest.mark.parametrize(
    ("now", "wait_until"),
    [
        # 21:00 on a Monday: not after 20:00 (Besluit Wki art. 4.2); Tuesday 07:00.
        (datetime.datetime(2024, 9, 2, 21, 0, tzinfo=AMSTERDAM), datetime.datetime(2024, 9, 3, 7, 0, tzinfo=AMSTERDAM)),
        # Sunday noon: not on Sundays; Monday 07:00.
        (datetime.datetime(2024, 9, 8, 12, 0, tzinfo=AMSTERDAM), datetime.datetime(2024, 9, 9, 7, 0, tzinfo=AMSTERDAM)),
        # Christmas Eve 22:00 UTC is 23:00 in Amsterdam; Christmas and Boxing Day are holidays, and 27 December 2024
        # was declared equal to one: Saturday 28 December 07:00.
        (
            datetime.datetime(2024, 12, 24, 22, 0, tzinfo=datetime.UTC),
            datetime.datetime(2024, 12, 28, 7, 0, tzinfo=AMSTERDAM),
        ),
    ],
)
def test_outside_contact_hours_the_letter_waits(letter_case, smtp_server, now, wait_until):
    letter = _queued_letter(letter_case)
    outcome = letter_email_send(letter=letter, now=now)
    assert outcome.sent_at is None
    assert outcome.wait_until == wait_until
    assert smtp_server.messages == []
    letter.refresh_from_db()
    assert letter.status == LetterStatus.QUEUED


def test_a_server_without_starttls_gets_nothing(letter_case, settings):
    """TLS required means no fallback: a server that does not offer STARTTLS makes the send fail."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, True
        letter = _queued_letter(letter_case)
        with pytest.raises(Exception, match=r"(?i)starttls"):
            letter_email_send(letter=letter, now=MONDAY_10)
    finally:
        controller.stop()
    assert inbox.messages == []
    letter.refresh_from_db()
    assert letter.sent_at is None and letter.status == LetterStatus.QUEUED
