"""Reaching a hand-over recipient's SFTP server: the print house's paramiko client (one way to do SFTP).

Each call opens one session with the recipient's host key pinned and our key from ``INCASSO_HANDOVER_SSH_KEY_FILE``.
Connecting is not retried here: the resilience layer retries with back-off and keeps the recipient's circuit
breaker. A refused host key is never retried.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from incasso.handover.models import HandoverRecipient
from incasso.integrations.resilience import TransientError
from incasso.print_house.config import PrintHouseSettings
from incasso.print_house.sftp import HostKeyRefused, PrintHouseError, PrintHouseSftp, print_house_connect


class HandoverTransportError(Exception):
    """The recipient's server refused us (host key, log-in): someone must act."""


class HandoverUnavailable(HandoverTransportError, TransientError):
    """The recipient's server could not be reached or a transfer failed: try again later."""


def recipient_sftp_settings(recipient: HandoverRecipient, *, timeout: float) -> PrintHouseSettings:
    key_file = str(getattr(settings, "INCASSO_HANDOVER_SSH_KEY_FILE", "") or "")
    if not key_file:
        raise HandoverTransportError("INCASSO_HANDOVER_SSH_KEY_FILE must name our SSH private key")
    return PrintHouseSettings(
        host=recipient.host,
        port=recipient.port,
        username=recipient.username,
        host_key=recipient.host_key,
        key_file=key_file,
        key_passphrase=None,
        upload_dir=recipient.inbox_dir,
        reports_dir=recipient.outbox_dir,
        timeout=timeout,
        retries=0,
        backoff=0.0,
    )


@contextmanager
def recipient_connect(recipient: HandoverRecipient, *, timeout: float) -> Iterator[PrintHouseSftp]:
    config = recipient_sftp_settings(recipient, timeout=timeout)
    try:
        with print_house_connect(config) as sftp:
            yield sftp
    except HostKeyRefused as exc:
        raise HandoverTransportError(f"{recipient.code}: {exc}") from exc
    except PrintHouseError as exc:
        if "refused our key" in str(exc) or "private key" in str(exc):
            raise HandoverTransportError(f"{recipient.code}: {exc}") from exc
        raise HandoverUnavailable(f"{recipient.code}: {exc}") from exc
