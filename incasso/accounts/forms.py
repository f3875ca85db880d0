"""The log-in form: Django's, refusing every attempt while the user name or the address is locked out."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from incasso.accounts.access import request_source
from incasso.accounts.lockout import login_lockout_find

LOCKED_MESSAGE = _(
    "Too many failed log-ins. Log-ins for this account are paused for a while; try again later or ask an administrator."
)


class LockoutAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Your username and password did not match. Please try again."),
        "locked_out": LOCKED_MESSAGE,
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        # The same answer whether or not the name exists: the lock-out is kept per name as typed.
        if login_lockout_find(username=str(username), source=request_source(self.request)) is not None:
            raise ValidationError(self.error_messages["locked_out"], code="locked_out")
        return super().clean()
