"""The recipients register, the disclosure log (SPEC P-8) and the breach register (P-9)."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.domain.transfers import Safeguard
from incasso.privacy.recipients import RECIPIENT_CATEGORIES

# The categories the register of processing names (privacy.recipients), so each recipient falls under one of them.
RECIPIENT_CATEGORY_CHOICES: list[tuple[str, str]] = [(c.code, c.name) for c in RECIPIENT_CATEGORIES]


class Recipient(models.Model):
    """Someone personal data is disclosed to, in one of the categories the register of processing names."""

    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=40, choices=RECIPIENT_CATEGORY_CHOICES)
    country = models.CharField(_("country (ISO 3166-1 alpha-2)"), max_length=2)
    contact_email = models.EmailField(_("contact e-mail address"), blank=True)
    # A client as recipient (exports, reports): the register links it to the controller it is.
    client = models.ForeignKey(
        "parties.Client", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("client")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [models.UniqueConstraint(fields=["name", "country"], name="recipient_name_country_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


class AgreementKind(models.TextChoices):
    PROCESSOR_AGREEMENT = "processor_agreement", _("Processor agreement (art. 28)")
    JOINT_CONTROLLER = "joint_controller", _("Joint-controller arrangement (art. 26)")
    SCC = "scc", _("Standard contractual clauses (art. 46(2)(c))")
    BCR = "bcr", _("Binding corporate rules (art. 47)")
    DPF_CERTIFIED = "dpf_certified", _("EU-U.S. Data Privacy Framework certification")
    NONE = "none", _("No agreement (own task or legal duty)")


# The agreements that are a transfer safeguard (domain.transfers), by kind.
AGREEMENT_SAFEGUARDS: dict[str, Safeguard] = {
    AgreementKind.SCC: Safeguard.SCC,
    AgreementKind.BCR: Safeguard.BCR,
    AgreementKind.DPF_CERTIFIED: Safeguard.DPF_CERTIFIED,
}


class Agreement(models.Model):
    """An agreement that covers disclosures to a recipient; kept after it ends, so history stays explainable."""

    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="agreements")
    kind = models.CharField(_("kind"), max_length=30, choices=AgreementKind.choices)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    document_reference = models.CharField(_("document reference"), max_length=200, blank=True)

    class Meta:
        ordering = ["recipient", "kind", "signed_on"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.recipient}"

    def in_force_on(self, day: datetime.date) -> bool:
        started = self.signed_on is None or self.signed_on <= day
        return started and (self.valid_until is None or day <= self.valid_until)


class Disclosure(models.Model):
    """Personal data that left the system: to whom, about whom, which categories, on what basis, why. Append-only."""

    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="disclosures")
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now, db_index=True)
    categories = models.JSONField(_("data categories"), default=list)
    legal_basis = models.CharField(_("legal basis"), max_length=20)
    purpose = models.CharField(_("purpose"), max_length=40)
    transfer_basis = models.CharField(_("transfer basis"), max_length=20)
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    description = models.CharField(_("description"), max_length=500)
    actor_label = models.CharField(_("actor"), max_length=150)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} → {self.recipient_id}"


class DisclosureSubject(models.Model):
    """One data subject of a disclosure, as ``app_label.Model`` and pk, indexed for the access export."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="subjects")
    subject_type = models.CharField(_("subject type"), max_length=100)
    subject_id = models.CharField(_("subject id"), max_length=64)

    class Meta:
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="disclosure_subject_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["disclosure", "subject_type", "subject_id"], name="disclosure_subject_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id}"


class RefusedDisclosure(models.Model):
    """A disclosure the transfer rules refused, kept to show they were applied."""

    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="refusals")
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    categories = models.JSONField(_("data categories"), default=list)
    subjects = models.JSONField(_("subjects"), default=list)
    purpose = models.CharField(_("purpose"), max_length=40)
    reason = models.CharField(_("reason"), max_length=500)
    actor_label = models.CharField(_("actor"), max_length=150)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("refused disclosure")
        verbose_name_plural = _("refused disclosures")

    def __str__(self) -> str:
        return f"refused {self.occurred_at:%Y-%m-%d %H:%M} → {self.recipient_id}"


class BreachNature(models.TextChoices):
    CONFIDENTIALITY = "confidentiality", _("Confidentiality (unauthorised disclosure or access)")
    INTEGRITY = "integrity", _("Integrity (unauthorised change)")
    AVAILABILITY = "availability", _("Availability (loss or destruction)")


class BreachRisk(models.TextChoices):
    UNASSESSED = "unassessed", _("Not yet assessed")
    NONE = "none", _("Unlikely to result in a risk (no notification to the authority)")
    LOW = "low", _("Risk (notify the authority)")
    HIGH = "high", _("High risk (notify the authority and the data subjects)")


class BreachStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Breach(models.Model):
    """A personal data breach (art. 33(5): every breach is recorded, with its facts, effects and measures)."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    detected_at = models.DateTimeField(_("detected at"))
    became_aware_at = models.DateTimeField(_("became aware at"))
    description = models.TextField(_("what happened"))
    nature = models.CharField(_("nature"), max_length=20, choices=BreachNature.choices)
    categories = models.JSONField(_("data categories"), default=list)
    approximate_subjects = models.PositiveIntegerField(_("approximate number of data subjects"), default=0)
    affected_subjects = models.JSONField(_("affected subjects"), default=list)
    affected_clients = models.ManyToManyField(
        "parties.Client", blank=True, related_name="+", verbose_name=_("affected controllers")
    )
    measures = models.TextField(_("measures taken or proposed"), blank=True)
    risk = models.CharField(_("risk"), max_length=20, choices=BreachRisk.choices, default=BreachRisk.UNASSESSED)
    risk_reasoning = models.TextField(_("risk reasoning"), blank=True)
    authority_notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    authority_reference = models.CharField(_("authority's reference"), max_length=100, blank=True)
    delay_reasons = models.TextField(_("reasons for a late notification"), blank=True)
    subjects_notified_at = models.DateTimeField(_("data subjects notified at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=BreachStatus.choices, default=BreachStatus.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-became_aware_at", "-pk"]
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")

    def __str__(self) -> str:
        return self.reference


class BreachStepKind(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    ASSESSMENT = "assessment", _("Risk assessed")
    AUTHORITY_NOTIFICATION = "authority_notification", _("Authority notified")
    CONTROLLER_NOTIFICATION = "controller_notification", _("Controller notified")
    SUBJECT_NOTIFICATION = "subject_notification", _("Data subjects notified")
    CLOSED = "closed", _("Closed")


class BreachStep(models.Model):
    """One step taken on a breach, by whom and when. Append-only."""

    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(_("kind"), max_length=30, choices=BreachStepKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    actor_label = models.CharField(_("actor"), max_length=150)
    details = models.JSONField(_("details"), default=dict)

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name = _("breach step")
        verbose_name_plural = _("breach steps")

    def __str__(self) -> str:
        return f"{self.breach_id}: {self.kind}"


class BreachNotification(models.Model):
    """The notice to one affected client (the controller, art. 33(2)) with the facts it needs for its own duties."""

    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="notifications")
    client = models.ForeignKey("parties.Client", on_delete=models.PROTECT, related_name="+")
    notified_at = models.DateTimeField(_("notified at"))
    facts = models.JSONField(_("facts"), default=dict)
    emailed_to = models.JSONField(_("e-mailed to"), default=list)

    class Meta:
        ordering = ["notified_at", "pk"]
        verbose_name = _("breach notification to a client")
        verbose_name_plural = _("breach notifications to clients")
        constraints = [models.UniqueConstraint(fields=["breach", "client"], name="breach_notification_once_per_client")]

    def __str__(self) -> str:
        return f"{self.breach_id} → client {self.client_id}"
