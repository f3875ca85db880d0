"""Deploy checks: no real letter may go out with the demo agency's identity or an invalid bank account, and no
privacy statement without the agency's contact details.

``incasso check --deploy`` runs these; settings themselves keep working defaults so the embedded set-up and CI
start without configuration.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

DEMO_VALUES = {
    "INCASSO_AGENCY_NAME": "Incasso demo agency",
    "INCASSO_AGENCY_WKI_NUMBER": "WKI-DEMO-0000",
    "INCASSO_AGENCY_KVK_NUMBER": "00000000",
    "INCASSO_AGENCY_IBAN": "NL91ABNA0417164300",
    "INCASSO_AGENCY_COMPLAINTS_URL": "https://incasso.example/klachten",
    "INCASSO_AGENCY_PORTAL_URL": "https://incasso.example/mijn",
}


@register(deploy=True)
def agency_identity_check(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """Wki: every letter shows the agency's real identity, registration number and complaints procedure."""
    errors: list[CheckMessage] = [
        Error(f"{name} is still the demo value {demo!r}", hint=f"Set {name} in the environment.", id="incasso.E101")
        for name, demo in DEMO_VALUES.items()
        if getattr(settings, name) == demo
    ]
    try:
        IBAN(settings.INCASSO_AGENCY_IBAN)
    except SchwiftyException as exc:
        errors.append(Error(f"INCASSO_AGENCY_IBAN is not a valid IBAN: {exc}", id="incasso.E102"))
    if not (settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL):
        errors.append(
            Error("E-mail to debtors must be encrypted: set EMAIL_USE_TLS or EMAIL_USE_SSL", id="incasso.E103")
        )
    return errors


# The privacy statement page, the letters and the debtor portal tell a debtor to reach the agency by both.
CONTACT_SETTINGS = ("INCASSO_AGENCY_EMAIL", "INCASSO_AGENCY_PHONE")


@register(deploy=True)
def agency_contact_check(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """The privacy statement promises an e-mail address and a phone number to reach the agency by (GDPR art. 12-13);
    a warning, not an error: the page still renders, with the contact it promises missing."""
    return [
        Warning(
            f"{name} is empty: the privacy statement promises it",
            hint=f"Set {name} in the environment.",
            id="incasso.W104",
        )
        for name in CONTACT_SETTINGS
        if not str(getattr(settings, name, "")).strip()
    ]
