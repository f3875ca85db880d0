"""Collection cases and the claims (invoices) they collect (C-3, C-4).

Money is stored as integer cents (``*_cents``), never as float; the domain core does the arithmetic.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.domain.case_lifecycle import HoldKind
from incasso.domain.case_stages import ClosedReason, Stage
from incasso.parties.models import Client, Debtor

# Model choices come from the domain enums so there is one list of stages; the labels are translated here.
STAGE_CHOICES = [(stage.value, _(stage.label)) for stage in Stage]
CLOSED_REASON_CHOICES = [(reason.value, _(reason.label)) for reason in ClosedReason]


class InterestKind(models.TextChoices):
    STATUTORY = "statutory", _("Statutory interest")
    COMMERCIAL = "commercial", _("Commercial interest")
    NONE = "none", _("No interest")


class LimitationPeriod(models.TextChoices):
    CONTRACT = "contract", _("Contract (5 years)")
    CONSUMER_PURCHASE = "consumer_purchase", _("Consumer purchase or energy supply (2 years)")


class Case(models.Model):
    """One collection file (*dossier*): a client's claims on one debtor, collected together."""

    # The daily run rewrites every case it handles, and every index of the table is written again with each new
    # row version: so no index here that another one serves. The client's is the (client, stage) index below; the
    # number's uniqueness is a constraint, which spares the pattern index ``unique=True`` adds on PostgreSQL.
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="cases", verbose_name=_("client"), db_index=False
    )
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="cases", verbose_name=_("debtor"))
    number = models.CharField(_("case number"), max_length=20)
    stage = models.CharField(_("stage"), max_length=20, choices=STAGE_CHOICES, default=Stage.REMINDER.value)
    # NULL while the case is open: "no reason" is not a reason, and the check below ties it to the closed stage.
    closed_reason = models.CharField(  # noqa: DJ001
        _("closed because"), max_length=20, choices=CLOSED_REASON_CHOICES, null=True, blank=True
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    interest_kind = models.CharField(_("interest"), max_length=20, choices=InterestKind.choices)
    # The 14-day letter (consumers, LEGAL.md §2): when it was posted and the first day costs may be charged.
    fourteen_day_letter_posted_on = models.DateField(_("14-day letter posted on"), null=True, blank=True)
    costs_due_from = models.DateField(_("collection costs due from"), null=True, blank=True)
    legal_steps_approved_at = models.DateTimeField(_("legal steps approved at"), null=True, blank=True)
    # The daily run looks only at cases whose next measure is due; it stamps the day it last handled a case so a
    # second run on the same day changes nothing.
    next_measure_on = models.DateField(_("next measure on"), null=True, blank=True)
    last_run_on = models.DateField(_("last handled by the daily run on"), null=True, blank=True)
    # When that run handled it (the start of its chunk): a change made on that day before the run is not a reason
    # to look at the case again the next day (``collection.due``). Empty for cases last run before it was kept.
    last_run_at = models.DateTimeField(_("last handled by the daily run at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # The pipeline overview and the work queues filter a client's cases by stage.
            models.Index(fields=["client", "stage"], name="case_client_stage_idx"),
            # The daily run's selection and the work queues: open cases whose next measure is due.
            models.Index(fields=["stage", "next_measure_on"], name="case_stage_next_measure_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="case_number_unique"),
            models.CheckConstraint(condition=Q(stage__in=[s.value for s in Stage]), name="case_stage_valid"),
            models.CheckConstraint(
                condition=Q(closed_reason__isnull=True) | Q(closed_reason__in=[r.value for r in ClosedReason]),
                name="case_closed_reason_valid",
            ),
            # A closed case says why and when; an open case has neither.
            models.CheckConstraint(
                condition=(Q(stage=Stage.CLOSED.value) & Q(closed_reason__isnull=False) & Q(closed_on__isnull=False))
                | (~Q(stage=Stage.CLOSED.value) & Q(closed_reason__isnull=True) & Q(closed_on__isnull=True)),
                name="case_closed_has_reason_and_date",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="case_closed_after_opened",
            ),
            models.CheckConstraint(condition=Q(interest_kind__in=InterestKind.values), name="case_interest_valid"),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        # The database cannot see across the two foreign keys, so this check lives here and in case_create.
        if self.client_id and self.debtor_id and self.debtor.client_id != self.client_id:
            raise ValidationError({"debtor": _("The debtor belongs to another client.")}, code="debtor_of_other_client")


class Claim(models.Model):
    """One unpaid invoice of the client, collected in a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="claims", verbose_name=_("case"))
    # Repeats case.client so the database itself refuses the same invoice twice for one client (C-3 idempotency).
    # No index of its own: the unique (client, invoice number) index starts with it.
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="claims", verbose_name=_("client"), db_index=False
    )
    invoice_number = models.CharField(_("invoice number"), max_length=64)
    invoice_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    principal_cents = models.BigIntegerField(_("principal (cents)"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    description = models.CharField(_("description"), max_length=255, blank=True)
    # Limitation (C-14, LEGAL.md §5): the kind of period and the last act that interrupted it; the date follows.
    limitation_kind = models.CharField(
        _("limitation period"), max_length=20, choices=LimitationPeriod.choices, default=LimitationPeriod.CONTRACT
    )
    limitation_interrupted_on = models.DateField(_("limitation last interrupted on"), null=True, blank=True)
    # Kept current by the daily run, which flags the cases near it; nothing searches claims by it, so no index (the
    # run rewrites the dates of a chunk's claims, and an index would be written again with each of them).
    limitation_date = models.DateField(_("time-barred from"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.UniqueConstraint(fields=["client", "invoice_number"], name="claim_invoice_unique_per_client"),
            models.CheckConstraint(condition=Q(principal_cents__gt=0), name="claim_principal_positive"),
            models.CheckConstraint(condition=Q(due_date__gte=F("invoice_date")), name="claim_due_after_invoice"),
        ]

    def __str__(self) -> str:
        return self.invoice_number

    def clean(self) -> None:
        if self.case_id and self.client_id and self.case.client_id != self.client_id:
            raise ValidationError({"client": _("A claim belongs to the client of its case.")}, code="client_mismatch")


class StageEvent(models.Model):
    """One move of a case from a stage to the next, with who moved it and why (C-4). Append-only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_events", verbose_name=_("case"))
    from_stage = models.CharField(_("from stage"), max_length=20, choices=STAGE_CHOICES)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=STAGE_CHOICES)
    closed_reason = models.CharField(  # noqa: DJ001 - NULL unless the move closes the case
        _("closed because"), max_length=20, choices=CLOSED_REASON_CHOICES, null=True, blank=True
    )
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    # A person, or None for the system; actor_name says which part of the system ("daily run", "intake").
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("actor"), max_length=100)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("stage event")
        verbose_name_plural = _("stage events")
        ordering = ["occurred_at", "pk"]
        indexes = [models.Index(fields=["case", "occurred_at"], name="stage_event_case_idx")]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class HoldKindChoices(models.TextChoices):
    DISPUTE = HoldKind.DISPUTE.value, _("Dispute")
    INSOLVENCY = HoldKind.INSOLVENCY.value, _("Insolvency")
    DEBT_RESTRUCTURING = HoldKind.DEBT_RESTRUCTURING.value, _("Debt restructuring")
    RESTRICTION = HoldKind.RESTRICTION.value, _("Restriction of processing")
    LEGAL_HOLD = HoldKind.LEGAL_HOLD.value, _("Legal hold")


class CaseHold(models.Model):
    """Something that pauses or stops a case while it lasts: a dispute, insolvency, restriction, legal hold."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="holds", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=20, choices=HoldKindChoices.choices)
    reason = models.TextField(_("reason"))
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    until = models.DateField(_("until"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lift_reason = models.TextField(_("why lifted"), blank=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        constraints = [
            # One active hold of a kind per case: placing it twice is one hold.
            models.UniqueConstraint(
                fields=["case", "kind"], condition=Q(lifted_at__isnull=True), name="case_hold_one_active_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.case_id})"


class PartyRole(models.TextChoices):
    CO_LIABLE = "co_liable", _("Jointly and severally liable")
    GUARANTOR = "guarantor", _("Guarantor")
    REPRESENTATIVE = "representative", _("Representative")
    OBLIGED_PARTY = "obliged_party", _("Party obliged to perform")


class RepresentativeKind(models.TextChoices):
    LAWYER = "lawyer", _("Lawyer")
    GUARDIAN = "guardian", _("Guardian (bewindvoerder)")
    DEBT_COUNSELLOR = "debt_counsellor", _("Debt counsellor")
    OTHER = "other", _("Other")


class CaseParty(models.Model):
    """Another party of a case besides its debtor: co-liable parties, guarantors, representatives (C-2)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties", verbose_name=_("case"))
    party = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="case_roles", verbose_name=_("party"))
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices)
    representative_kind = models.CharField(_("kind of representative"), max_length=20, blank=True)
    obligation = models.CharField(_("obligation to perform"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("case party")
        verbose_name_plural = _("case parties")
        constraints = [models.UniqueConstraint(fields=["case", "party", "role"], name="case_party_unique_role")]

    def __str__(self) -> str:
        return f"{self.role}: {self.party_id}"

    def clean(self) -> None:
        if self.case_id and self.party_id and self.party.client_id != self.case.client_id:
            raise ValidationError({"party": _("The party belongs to another client.")}, code="party_of_other_client")


class MeasureKind(models.TextChoices):
    REMINDER_LETTER = "reminder_letter", _("Reminder letter")
    FOURTEEN_DAY_LETTER = "fourteen_day_letter", _("14-day letter")
    DEMAND_LETTER = "demand_letter", _("Demand letter")
    CALL = "call", _("Phone call")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")
    ARRANGEMENT_OFFER = "arrangement_offer", _("Payment arrangement offer")
    LEGAL_NOTICE = "legal_notice", _("Notice of legal steps")
    PAYMENT_ORDER = "payment_order", _("Payment order")
    SUMMONS = "summons", _("Summons")
    BAILIFF = "bailiff", _("Hand-over to bailiff")
    REVIEW = "review", _("Review by a collector")


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting the client's approval")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Measure(models.Model):
    """A step taken or planned on a case: a letter, a call, an offer, a legal step (C-6, C-8)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="measures", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=30, choices=MeasureKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED)
    planned_for = models.DateField(_("planned for"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # The daily run plans at most one measure per case and day: the key makes a second run a no-op.
    # Unique through a constraint, not ``unique=True``: that would add a second (pattern-matching) index on
    # PostgreSQL that no query uses, paid for on every insert of the daily run.
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        indexes = [models.Index(fields=["status", "planned_for"], name="measure_status_planned_idx")]
        constraints = [models.UniqueConstraint(fields=["idempotency_key"], name="measure_idempotency_key_unique")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.planned_for}"


class TaskKind(models.TextChoices):
    APPROVAL = "approval", _("Client approval of legal steps")
    HUMAN_REVIEW = "human_review", _("Human review of an automated decision")
    DISPUTE = "dispute", _("Dispute")
    ARRANGEMENT_REVIEW = "arrangement_review", _("Payment arrangement to review")
    CALL = "call", _("Call the debtor")
    LIMITATION = "limitation", _("Claim near limitation")
    GENERAL = "general", _("Other")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class StaffTask(models.Model):
    """Work for a person: the queues of the back office are made of these."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="tasks", null=True, blank=True, verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=TaskKind.choices)
    team = models.CharField(_("team"), max_length=50, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    title = models.CharField(_("title"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    outcome = models.TextField(_("outcome"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Tasks made by the daily run carry a key, so re-running a day does not queue the same work twice.
    # Unique through a constraint (see Measure.idempotency_key); NULL for tasks without a key, since many NULLs
    # may share a unique column and many empty strings may not.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["status", "kind", "due_on"], name="task_queue_idx")]
        constraints = [models.UniqueConstraint(fields=["idempotency_key"], name="task_idempotency_key_unique")]

    def __str__(self) -> str:
        return self.title


class CaseNumberSequence(models.Model):
    """The last case number handed out per year: one locked row instead of scanning the cases for the highest."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.year}-{self.last}"
