"""The roles people have in Incasso (P-7). Each role is a Django group of the same name."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COLLECTOR = "collector", _("Collector")
    LEGAL_OFFICER = "legal_officer", _("Legal officer")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    FINANCE = "finance", _("Finance")
    ADMINISTRATOR = "administrator", _("Administrator")
    AUDITOR = "auditor", _("Auditor")
    CLIENT_USER = "client_user", _("Client user")


# Agency staff; a client user works for a creditor and only ever sees that creditor's cases.
STAFF_ROLES: tuple[Role, ...] = tuple(role for role in Role if role is not Role.CLIENT_USER)
