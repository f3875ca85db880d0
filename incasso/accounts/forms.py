"""The log-in forms: Django's, refusing every attempt while the user name or the address is locked out.

Both the staff log-in and the Django admin's log-in use the same check (``LockoutCheck``); their failures are
counted alike, through Django's ``user_login_failed`` signal (``alerts.login_failure_record``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from incasso.accounts.access import request_source
from incasso.accounts.lockout import login_lockout_find

LOCKED_MESSAGE = _(
    "Too many failed log-ins. Log-ins for this account are paused for a while; try again later or ask an administrator."
)


class LockoutCheck(AuthenticationForm):
    """Refuses the log-in while the name as typed or the address is locked out, before the password is checked."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        # The same answer whether or not the name exists: the lock-out is kept per name as typed.
        if login_lockout_find(username=str(username), source=request_source(self.request)) is not None:
            raise ValidationError(LOCKED_MESSAGE, code="locked_out")
        return super().clean()


class LockoutAuthenticationForm(LockoutCheck):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Your username and password did not match. Please try again."),
        "locked_out": LOCKED_MESSAGE,
    }


class LockoutAdminAuthenticationForm(LockoutCheck, AdminAuthenticationForm):
    """The Django admin's log-in (``admin.site.login_form``), locked out like the staff log-in."""

    error_messages = {**AdminAuthenticationForm.error_messages, "locked_out": LOCKED_MESSAGE}
