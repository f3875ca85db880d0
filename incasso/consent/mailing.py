"""E-mail from this app goes the project's one way: Django's SMTP backend, refused without TLS, in batches,
each message encrypted with S/MIME for a recipient whose certificate is on file (``integrations.smime``).

``communications.emailing.require_encrypted_transport`` is the guard every e-mail of the agency passes; batches
keep one SMTP session from carrying thousands of messages and let a failed batch be retried on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from incasso.communications.emailing import require_encrypted_transport
from incasso.integrations.smime import smime_protect

BATCH_SIZE = 100


def batched(items: Iterable[EmailMessage], size: int = BATCH_SIZE) -> Iterator[list[EmailMessage]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def messages_send(messages: Sequence[EmailMessage]) -> int:
    """Send one batch over one (TLS) connection; raises when the server refuses, so the caller can retry."""
    require_encrypted_transport()
    if not messages:
        return 0
    return get_connection(fail_silently=False).send_messages([smime_protect(message) for message in messages]) or 0


def public_url(path: str) -> str:
    """An absolute address for a link in an e-mail (no request to take the host from)."""
    return str(settings.INCASSO_PUBLIC_URL).rstrip("/") + path
