"""Retention as data (SPEC P-2): a policy per purpose, legal holds, and a record of each sweep.

The anonymised-subject table marks the debtors the sweep has anonymised, so a re-run skips them and the parties
app's own model stays untouched.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.cases.models import Case
from incasso.parties.models import Client, Debtor


class TriggerEvent(models.TextChoices):
    """The event that starts a retention clock."""

    CASE_CLOSED = "case_closed", _("The case is closed")
    RELATIONSHIP_ENDED = "relationship_ended", _("The relationship and all mutual claims ended")
    LAST_CONTACT = "last_contact", _("The last contact")
    FISCAL_YEAR_END = "fiscal_year_end", _("The end of the financial year")
    UNSUBSCRIBE = "unsubscribe", _("The person unsubscribed")
    TRANSACTION = "transaction", _("The transaction, or the end of the business relationship")


class RetentionAction(models.TextChoices):
    DELETE = "delete", _("Delete")
    ANONYMISE = "anonymise", _("Anonymise")


class RetentionPolicy(models.Model):
    """How long the data of one purpose is kept, from which event, and what happens at the end."""

    # A purpose of the register (``domain.data_map.ProcessingPurpose``), e.g. ``debt_collection``.
    purpose = models.CharField(_("purpose"), max_length=30, unique=True)
    trigger = models.CharField(_("trigger event"), max_length=30, choices=TriggerEvent.choices)
    months = models.PositiveIntegerField(_("months"), default=0)
    years = models.PositiveIntegerField(_("years"), default=0)
    end_of_calendar_year = models.BooleanField(_("counted from the end of the calendar year"), default=False)
    action = models.CharField(_("action"), max_length=10, choices=RetentionAction.choices)
    active = models.BooleanField(_("active"), default=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        constraints = [
            models.CheckConstraint(condition=Q(trigger__in=TriggerEvent.values), name="retention_trigger_valid"),
            models.CheckConstraint(condition=Q(action__in=RetentionAction.values), name="retention_action_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}: {self.years}y{self.months}m after {self.trigger} → {self.action}"


class LegalHold(models.Model):
    """Data kept past its retention to establish, exercise or defend a legal claim (GDPR art. 17(3)(e)).

    On a case (that case's data), on a debtor (all of that debtor's data) or on a client (the client-relationship
    data: its contact persons). Active until released, and, when ``until`` is set, through that day.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="legal_holds")
    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, null=True, blank=True, related_name="legal_holds")
    # PROTECT, not CASCADE: a client is never deleted while a hold says its data must be kept.
    client = models.ForeignKey(Client, on_delete=models.PROTECT, null=True, blank=True, related_name="legal_holds")
    reason = models.TextField(_("reason"))
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    until = models.DateField(_("until"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(debtor__isnull=False) | Q(client__isnull=False),
                name="legal_hold_has_subject",
            ),
        ]

    def __str__(self) -> str:
        if self.client_id is not None:
            return f"legal hold on client {self.client_id}"
        return f"legal hold on case {self.case_id} / debtor {self.debtor_id}"


class SweepStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    INTERRUPTED = "interrupted", _("Interrupted")


class RetentionSweep(models.Model):
    """One run of the retention sweep: when, as of which day, and how many records per purpose (never which)."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run"))
    as_of = models.DateField(_("as of"))
    counts = models.JSONField(_("counts per purpose"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=SweepStatus.choices, default=SweepStatus.RUNNING)

    class Meta:
        verbose_name = _("retention sweep")
        verbose_name_plural = _("retention sweeps")

    def __str__(self) -> str:
        return f"sweep {self.pk} as of {self.as_of} ({self.status})"


class AnonymisedSubject(models.Model):
    """A debtor whose personal data was replaced by neutral values and whose data key was destroyed (by the
    retention sweep, or by an erasure request when ``sweep`` is empty), with what statistics keep of its address."""

    # Neither reference is a database constraint (docs/adr/0011): its check at commit, one lookup per row and
    # reference, was a sixth of PostgreSQL's work per subject in the sweep, whose INSERT ... SELECT takes the ids
    # from the debtor rows and the sweep it is running. Django still cascades and protects on delete.
    debtor = models.OneToOneField(Debtor, on_delete=models.CASCADE, related_name="anonymised", db_constraint=False)
    at = models.DateTimeField(_("anonymised at"), default=timezone.now)
    # Not indexed: nothing looks subjects up by sweep (a sweep records counts, never which), and the index was one
    # more write per anonymised subject.
    sweep = models.ForeignKey(
        RetentionSweep,
        on_delete=models.PROTECT,
        null=True,
        related_name="anonymised",
        db_index=False,
        db_constraint=False,
    )
    # The first two characters of the postcode (empty when it could no longer be read).
    region = models.CharField(_("region"), max_length=2, blank=True, default="")

    class Meta:
        verbose_name = _("anonymised subject")
        verbose_name_plural = _("anonymised subjects")

    def __str__(self) -> str:
        return f"debtor {self.debtor_id} anonymised at {self.at}"
