"""Links between log-ins and the organisations they act for.

People log in as Django users; their roles are Django groups (see ``roles.py``, created by a migration).
"""

from __future__ import annotations

import datetime

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


class Team(models.Model):
    """Collectors who work the cases of some clients together: a collector sees the cases of their teams' clients."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    clients = models.ManyToManyField(Client, related_name="teams", blank=True, verbose_name=_("clients"))
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="teams", blank=True, verbose_name=_("members")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ConfidentialityStatement(models.Model):
    """The statement staff accept before their first access ("bound to secrecy"). The newest published one counts."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    text_nl = models.TextField(_("text (Dutch)"))
    text_en = models.TextField(_("text (English)"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        verbose_name = _("confidentiality statement")
        verbose_name_plural = _("confidentiality statements")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.version


class ConfidentialityAcceptance(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="confidentiality_acceptances"
    )
    statement = models.ForeignKey(ConfidentialityStatement, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("confidentiality acceptance")
        verbose_name_plural = _("confidentiality acceptances")
        constraints = [
            models.UniqueConstraint(fields=["user", "statement"], name="confidentiality_acceptance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} accepted {self.statement}"


class SecurityAlertKind(models.TextChoices):
    FAILED_LOGINS = "failed_logins", _("Repeated failed log-ins")
    MASS_READ = "mass_read", _("Mass read of cases")
    OUTSIDE_CASES = "outside_cases", _("Access outside the user's cases")


class SecurityAlert(models.Model):
    """Unusual access, for the privacy officer to look into (P-7 "intensive monitoring")."""

    kind = models.CharField(_("kind"), max_length=20, choices=SecurityAlertKind.choices)
    # Null for failed log-ins with a user name that does not exist.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="security_alerts"
    )
    details = models.JSONField(_("details"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("security alert")
        verbose_name_plural = _("security alerts")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "user", "created_at"], name="security_alert_kind_user_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.user or ''} {self.created_at:%Y-%m-%d %H:%M}"


class LockoutScope(models.TextChoices):
    USERNAME = "username", _("User name")
    ADDRESS = "address", _("Network address")


class LoginLockout(models.Model):
    """Log-ins refused for a user name (or from an address) after repeated failures (P-7), until a time or lifted.

    Kept per user name *as typed*, whether or not such a user exists, so the lock-out never tells anyone which
    user names exist.
    """

    scope = models.CharField(_("scope"), max_length=10, choices=LockoutScope.choices)
    value = models.CharField(_("user name or address"), max_length=200)
    failures = models.PositiveIntegerField(_("failed log-ins"))
    locked_at = models.DateTimeField(_("locked at"), default=timezone.now)
    locked_until = models.DateTimeField(_("locked until"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("log-in lock-out")
        verbose_name_plural = _("log-in lock-outs")
        ordering = ["-locked_at", "-pk"]
        indexes = [models.Index(fields=["scope", "value", "locked_until"], name="login_lockout_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.value} until {self.locked_until}"

    @property
    def ends_at(self) -> datetime.datetime:
        return (
            self.lifted_at if self.lifted_at is not None and self.lifted_at < self.locked_until else self.locked_until
        )
