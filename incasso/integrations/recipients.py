"""The recipients-register entry of an outside service: its disclosures are logged against it (SPEC P-8)."""

from __future__ import annotations

from django.conf import settings

from incasso.disclosures.models import Recipient


class RecipientNotRegistered(Exception):
    """The outside service is not in the recipients register: no personal data may go there."""


def service_recipient(*, setting: str) -> Recipient:
    """The active recipient named by the setting ``setting`` (``INCASSO_KVK_RECIPIENT``)."""
    name = getattr(settings, setting, "")
    recipient = Recipient.objects.filter(name=name, active=True).order_by("pk").first()
    if recipient is None:
        raise RecipientNotRegistered(
            f"no active recipient named {name!r} ({setting}) in the recipients register: "
            "register the service with its agreement before personal data goes there"
        )
    return recipient
