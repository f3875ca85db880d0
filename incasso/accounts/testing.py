"""Test helpers: log a staff member in the way the middleware wants (second factor verified, statement accepted)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from incasso.accounts.confidentiality import confidentiality_accept, confidentiality_statement_current


def staff_login(http: HttpClient, user: User, *, accept_statement: bool = True) -> TOTPDevice:
    """``force_login`` plus a confirmed TOTP device verified in the session, and the statement accepted."""
    http.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    statement = confidentiality_statement_current()
    if accept_statement and statement is not None:
        confidentiality_accept(user=user, statement=statement, source="test")
    return device
