"""Strategies as versioned data, the decisions they made, and the objections that stop them (C-6, P-4).

A decision is stored with everything needed to explain and to replay it: the inputs it saw, the strategy version,
the variant (champion or challenger), the rule that matched and the explanation the debtor may read. A contested
decision gets a human review (GDPR art. 22(3)); an objection to profiling (art. 21) stops new decisions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.cases.models import Case, StaffTask
from incasso.domain.strategy import Variant
from incasso.parties.models import Debtor

MAX_CHALLENGER_SHARE = 50  # a challenger never takes most of the cases: the champion is what the agency stands by


class Strategy(models.Model):
    """A named strategy (e.g. "standard"); its rules live in its versions."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")

    def __str__(self) -> str:
        return self.code


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class StrategyVersion(models.Model):
    """One version of a strategy's rules. Its document never changes once made: decisions point at it.

    An active version without ``challenger_of`` is the champion; an active version with it is a challenger that
    decides ``challenger_share_percent`` of the cases of that champion's strategy.
    """

    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    document = models.JSONField(_("rules"))
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    challenger_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="challengers"
    )
    challenger_share_percent = models.PositiveSmallIntegerField(_("challenger share (%)"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("strategy version")
        verbose_name_plural = _("strategy versions")
        ordering = ["strategy", "version"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "version"], name="strategy_version_unique"),
            models.UniqueConstraint(
                fields=["strategy"],
                condition=Q(status=VersionStatus.ACTIVE, challenger_of__isnull=True),
                name="strategy_one_active_champion",
            ),
            models.UniqueConstraint(
                fields=["challenger_of"],
                condition=Q(status=VersionStatus.ACTIVE, challenger_of__isnull=False),
                name="strategy_one_active_challenger",
            ),
            models.CheckConstraint(
                condition=Q(challenger_share_percent__gte=0, challenger_share_percent__lte=MAX_CHALLENGER_SHARE),
                name="strategy_challenger_share_range",
            ),
            models.CheckConstraint(condition=Q(status__in=VersionStatus.values), name="strategy_version_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.strategy.code} v{self.version}"


VARIANT_CHOICES = [(variant.value, variant.value) for variant in Variant]


class Decision(models.Model):
    """The strategy's decision about one case on one day, with its inputs and explanation (C-6)."""

    # No index of its own: the unique (case, decided_on) constraint below serves every look-up by case, and the
    # daily run inserts a row per case every day, so each index less is work saved per case.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("case"), db_index=False
    )
    # No index either: decisions are read by case, by day (the backtest's period) or by their review, never by
    # version alone, and a version with decisions is never deleted (PROTECT); an index of a handful of values
    # would be one more write per case per day.
    strategy_version = models.ForeignKey(
        StrategyVersion, on_delete=models.PROTECT, related_name="decisions", db_index=False
    )
    variant = models.CharField(_("variant"), max_length=10, choices=VARIANT_CHOICES)
    decided_on = models.DateField(_("decided on"))
    inputs = models.JSONField(_("inputs"))
    rule_id = models.CharField(_("rule"), max_length=100)
    outcome = models.JSONField(_("outcome"))  # measure, move_to, review_in_days, task
    explanation_nl = models.TextField(_("explanation (Dutch)"))
    explanation_en = models.TextField(_("explanation (English)"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # GDPR art. 22(3): the debtor may contest the decision and have a person look at it.
    contested_at = models.DateTimeField(_("contested at"), null=True, blank=True)
    contest_reason = models.TextField(_("why contested"), blank=True)
    review_task = models.ForeignKey(
        StaffTask,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("review task"),
        db_index=False,  # partial index below: only contested decisions have one
    )
    review_outcome = models.TextField(_("outcome of the review"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # partial index below: only reviewed decisions have one
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            # The daily run decides a case at most once a day: a second run that day reuses the first decision.
            models.UniqueConstraint(fields=["case", "decided_on"], name="decision_one_per_case_per_day"),
            models.CheckConstraint(condition=Q(variant__in=[v.value for v in Variant]), name="decision_variant_valid"),
        ]
        indexes = [
            # The backtest replays a period of one strategy's decisions.
            models.Index(fields=["decided_on"], name="decision_decided_on_idx"),
            models.Index(
                fields=["case"],
                condition=Q(contested_at__isnull=False, reviewed_at__isnull=True),
                name="decision_open_contest_idx",
            ),
            models.Index(
                fields=["review_task"], condition=Q(review_task__isnull=False), name="decision_review_task_idx"
            ),
            models.Index(
                fields=["reviewed_by"], condition=Q(reviewed_by__isnull=False), name="decision_reviewed_by_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} ({self.decided_on})"


class ObjectionSource(models.TextChoices):
    PORTAL = "portal", _("Debtor portal")
    WEB_FORM = "web_form", _("Web form")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")


class ProfilingObjection(models.Model):
    """The debtor objected to profiling (GDPR art. 21): no automated decisions while it stands."""

    debtor = models.ForeignKey(
        Debtor, on_delete=models.CASCADE, related_name="profiling_objections", verbose_name=_("debtor")
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    source = models.CharField(_("received through"), max_length=20, choices=ObjectionSource.choices)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection to profiling")
        verbose_name_plural = _("objections to profiling")
        constraints = [
            # Recording the same objection twice is one objection.
            models.UniqueConstraint(
                fields=["debtor"], condition=Q(withdrawn_at__isnull=True), name="profiling_objection_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"objection of debtor {self.debtor_id}"
