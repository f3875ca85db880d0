"""Where a webhook may be sent: HTTPS to a host whose every address is public (no SSRF into the agency's network).

The host name is resolved and each address checked: private, loopback, link-local, multicast, reserved,
unspecified and other non-global addresses are refused (an IPv4 address mapped into IPv6 is checked as IPv4). The
check runs when an endpoint is saved and again before every delivery, because a name may resolve elsewhere by then.
``INCASSO_WEBHOOKS_ALLOW_LOCAL`` allows loopback only (and plain HTTP to it), for tests and local runs with the
receiver double on 127.0.0.1; it never allows any other private address.

A delivery connects to the very address that was checked (``webhook_target_resolve`` hands it to
``delivery.webhook_post``, which pins the connection to it while TLS still verifies the certificate for the host
name), so a name that resolves to a public address for the check and to an internal one a moment later (DNS
rebinding) cannot steer the request into the agency's network.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def host_addresses(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal is its own address). Raises ``OSError`` when unresolvable."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]


def _loopback_allowed() -> bool:
    return bool(getattr(settings, "INCASSO_WEBHOOKS_ALLOW_LOCAL", False))


def _refusal(address: IPAddress) -> str | None:
    """Why ``address`` may not be called, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return None if _loopback_allowed() else _("it is a loopback address")
    if address.is_link_local:
        return _("it is a link-local address")
    if address.is_multicast:
        return _("it is a multicast address")
    if address.is_reserved or address.is_unspecified:  # before is_private, which counts these too
        return _("it is a reserved address")
    if address.is_private:
        return _("it is a private address")
    if not address.is_global:
        return _("it is a reserved address")
    return None


def webhook_target_check(url: str) -> None:
    """Refuse ``url`` (``ValidationError``, the reason in the active language) unless it may receive webhooks."""
    webhook_target_resolve(url)


def webhook_target_resolve(url: str) -> IPAddress:
    """The address a delivery to ``url`` must connect to: the first of the host's addresses, once every one of them
    passed the check. Raises ``ValidationError`` like ``webhook_target_check``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").strip("[]")
    if parts.scheme not in ("https", "http") or not host:
        raise ValidationError(_("A webhook URL must use https."), code="scheme")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = host_addresses(host, port)
    except (OSError, ValueError, UnicodeError):
        raise ValidationError(_("The host of the webhook URL cannot be found."), code="host") from None
    if not addresses:
        raise ValidationError(_("The host of the webhook URL cannot be found."), code="host")
    for address in addresses:
        reason = _refusal(address)
        if reason is not None:
            raise ValidationError(
                _("A webhook URL must name a public host: %(host)s resolves to %(address)s, and %(reason)s.")
                % {"host": host, "address": address, "reason": reason},
                code="host",
            )
    if parts.scheme != "https" and not (_loopback_allowed() and all(a.is_loopback for a in addresses)):
        raise ValidationError(_("A webhook URL must use https."), code="scheme")
    return addresses[0]
