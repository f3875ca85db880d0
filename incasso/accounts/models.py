"""Links between log-ins and the organisations they act for.

People log in as Django users; their roles are Django groups (see ``roles.py``, created by a migration).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.parties.models import Client


class ClientMembership(models.Model):
    """A client user acts for this client: they see its cases and nothing else."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="client_memberships",
        verbose_name=_("user"),
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("client"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("client membership")
        verbose_name_plural = _("client memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "client"], name="client_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.client}"
