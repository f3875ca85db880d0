"""The debtor's circumstances: the financial situation (C-7) and vulnerability flags (C-6).

A debtor has many situations over time, each with its source, the day it was obtained and the purpose and legal
basis it was obtained for; the newest counts. The personal values are sealed under the debtor's own data key (like
``sensitive.SpecialCategoryRecord``), so crypto-shredding the debtor makes them unreadable. A vulnerability flag
names a non-medical reason: health belongs in ``incasso.sensitive``, apart and for legal officers only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.crypto.fields import EncryptedCountField, EncryptedModel, EncryptedTextField
from incasso.domain.data_map import LegalBasis, ProcessingPurpose
from incasso.domain.protected_income import Household


class SituationSource(models.TextChoices):
    DEBTOR_STATEMENT = "debtor_statement", _("The debtor's own statement")
    CREDIT_BUREAU = "credit_bureau", _("Credit bureau")
    GOVERNMENT = "government", _("Government source")
    STAFF = "staff", _("Staff")


class LivingSituation(models.TextChoices):
    OWNER = "owner", _("Owns a home")
    TENANT = "tenant", _("Rents a home")
    WITH_OTHERS = "with_others", _("Lives with family or others")
    SHELTER = "shelter", _("Shelter or no fixed address")
    INSTITUTION = "institution", _("Care or other institution")
    UNKNOWN = "unknown", _("Unknown")


HOUSEHOLD_CHOICES = [
    (Household.SINGLE.value, _("Single")),
    (Household.SINGLE_PARENT.value, _("Single parent")),
    (Household.COUPLE.value, _("Couple")),
    (Household.COUPLE_WITH_CHILDREN.value, _("Couple with children")),
]
PURPOSE_CHOICES = [
    (ProcessingPurpose.DEBT_COLLECTION.value, _("Debt collection")),
    (ProcessingPurpose.CREDIT_ASSESSMENT.value, _("Credit assessment")),
]
BASIS_CHOICES = [
    (LegalBasis.CONTRACT.value, _("Contract (art. 6(1)(b))")),
    (LegalBasis.LEGAL_OBLIGATION.value, _("Legal obligation (art. 6(1)(c))")),
    (LegalBasis.PUBLIC_INTEREST.value, _("Public task (art. 6(1)(e))")),
    (LegalBasis.LEGITIMATE_INTEREST.value, _("Legitimate interest (art. 6(1)(f))")),
]


class FinancialSituation(EncryptedModel):
    """What was known of the debtor's finances on ``obtained_on``, from ``source`` (C-7). Never changed: a newer
    situation is recorded instead."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    debtor = models.ForeignKey("parties.Debtor", on_delete=models.PROTECT, related_name="+", verbose_name=_("debtor"))
    # Sealed: empty net income means unknown.
    net_income_cents = EncryptedCountField(_("net monthly income (cents)"), blank=True)
    household = EncryptedTextField(_("household"), max_length=30, blank=True)
    living_situation = EncryptedTextField(_("living situation"), max_length=30, blank=True)
    other_debts = EncryptedCountField(_("other debts"), blank=True)
    attachments = EncryptedCountField(_("attachments by other creditors"), blank=True)
    source_reference = EncryptedTextField(_("source reference"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=SituationSource.choices)
    obtained_on = models.DateField(_("obtained on"))
    purpose = models.CharField(_("purpose"), max_length=30, choices=PURPOSE_CHOICES)
    legal_basis = models.CharField(_("legal basis"), max_length=10, choices=BASIS_CHOICES)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    data_key = models.ForeignKey("crypto.DataKey", on_delete=models.PROTECT, related_name="+", editable=False)

    class Meta:
        ordering = ["-obtained_on", "-recorded_at"]
        verbose_name = _("financial situation")
        verbose_name_plural = _("financial situations")
        indexes = [models.Index(fields=["debtor", "recorded_at"], name="circ_situation_debtor_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(source__in=SituationSource.values), name="circ_situation_source_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.obtained_on} ({self.debtor_id})"

    @property
    def household_label(self) -> str:
        value = str(self.household)
        return str(dict(HOUSEHOLD_CHOICES).get(value, value))

    @property
    def living_situation_label(self) -> str:
        value = str(self.living_situation)
        return str(dict(LivingSituation.choices).get(value, value))

    def encryption_row_key(self, key_id: uuid.UUID) -> str:
        # Several situations share the debtor's key: the row's own id keeps their ciphertexts apart.
        return f"{key_id}/{self.pk}"


class VulnerabilityReason(models.TextChoices):
    """Non-medical reasons only: health is special-category data (``incasso.sensitive``)."""

    DEBT_COUNSELLING = "debt_counselling", _("In debt counselling")
    GUARDIANSHIP = "guardianship", _("Under financial guardianship")
    LIFE_EVENT = "life_event", _("Recent life event (bereavement, divorce, job loss)")
    LANGUAGE = "language", _("Language barrier or low literacy")
    FINANCIAL_HARDSHIP = "financial_hardship", _("Serious financial hardship")
    OTHER = "other", _("Other (see the note)")


class VulnerabilityFlag(EncryptedModel):
    """The debtor needs care: set by staff with a reason, active until lifted (C-6)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    debtor = models.ForeignKey("parties.Debtor", on_delete=models.PROTECT, related_name="+", verbose_name=_("debtor"))
    reason = EncryptedTextField(_("reason"), max_length=30)
    note = EncryptedTextField(_("note"), max_length=1000, blank=True)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("flagged by")
    )
    flagged_at = models.DateTimeField(_("flagged at"), default=timezone.now, editable=False)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    data_key = models.ForeignKey("crypto.DataKey", on_delete=models.PROTECT, related_name="+", editable=False)

    class Meta:
        ordering = ["-flagged_at"]
        verbose_name = _("vulnerability flag")
        verbose_name_plural = _("vulnerability flags")
        indexes = [models.Index(fields=["debtor", "lifted_at"], name="circ_flag_debtor_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lifted_by__isnull=True) | Q(lifted_at__isnull=False),
                name="circ_flag_lifted_together",
            ),
        ]

    def __str__(self) -> str:
        return f"vulnerability flag ({self.debtor_id})"

    @property
    def active(self) -> bool:
        return self.lifted_at is None

    @property
    def reason_label(self) -> str:
        reason = str(self.reason)
        return str(VulnerabilityReason(reason).label) if reason in VulnerabilityReason.values else reason

    def encryption_row_key(self, key_id: uuid.UUID) -> str:
        return f"{key_id}/{self.pk}"
