"""The second factor for staff: TOTP devices of django-otp (P-7).

A staff user without a confirmed device sets one up (``second_factor_setup_start`` makes an unconfirmed device,
the page shows its ``otpauth://`` URI and QR code, ``second_factor_confirm`` confirms it with a first token);
with one, they enter a token after the password (``second_factor_verify``). ``second_factor_reset`` (for
``incasso otp-reset``) removes a user's devices so they set up a new one at their next log-in.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.domain.data_map import ProcessingPurpose

DEVICE_NAME = "authenticator app"


def second_factor_skipped() -> bool:
    """Demo only: ``INCASSO_DEMO_SKIP_SECOND_FACTOR`` (never true outside the embedded default)."""
    return bool(getattr(settings, "INCASSO_DEMO_SKIP_SECOND_FACTOR", False))


def second_factor_confirmed_device(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def second_factor_setup_start(*, user: User) -> TOTPDevice:
    """The user's unconfirmed device (made when missing): its key is shown once on the set-up page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def second_factor_qr_svg(*, device: TOTPDevice) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode("utf-8")


def _source(request: HttpRequest) -> str:
    address = request.META.get("REMOTE_ADDR")
    return f"ip:{address}" if address else "web"


@transaction.atomic
def second_factor_confirm(*, request: HttpRequest, user: User, token: str) -> bool:
    """Confirm the unconfirmed device with a first token and mark this session verified."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    audit_record(
        actor=user,
        action=AuditAction.CREATE,
        subject=user,
        fields=["second_factor"],
        purpose=ProcessingPurpose.SECURITY,
        source=_source(request),
    )
    return True


def second_factor_verify(*, request: HttpRequest, user: User, token: str) -> bool:
    """Check a token against the user's confirmed devices; mark this session verified when one accepts it."""
    with transaction.atomic():
        for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(token.strip()):
                otp_login(request, device)
                return True
    return False


@transaction.atomic
def second_factor_reset(*, user: User, by: str) -> int:
    """Remove every TOTP device of the user (lost phone); returns how many were removed."""
    removed: int = TOTPDevice.objects.filter(user=user).delete()[0]
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        subject=user,
        fields=["second_factor"],
        purpose=ProcessingPurpose.SECURITY,
        source="cli",
        details={"devices": removed},
    )
    return removed
