"""Special categories of personal data (GDPR art. 9 health, art. 10 criminal data), kept apart (P-1, issue 5 item 7).

A record exists only with its basis: the debtor's explicit consent (with a reference to where it was given) or
necessity for a legal claim in a named case. Its content is sealed under the debtor's own data key, so shredding the
debtor shreds it too; the row key binds each ciphertext to its record.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.crypto.fields import EncryptedModel, EncryptedTextField


class SpecialCategory(models.TextChoices):
    HEALTH = "health", _("Health")
    CRIMINAL = "criminal", _("Criminal convictions and offences")


class SpecialCategoryBasis(models.TextChoices):
    EXPLICIT_CONSENT = "explicit_consent", _("Explicit consent (art. 9(2)(a))")
    LEGAL_CLAIM = "legal_claim", _("Necessary for a legal claim in this case (art. 9(2)(f))")


class SpecialCategoryRecord(EncryptedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    debtor = models.ForeignKey("parties.Debtor", on_delete=models.PROTECT, related_name="+", verbose_name=_("debtor"))
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    category = models.CharField(_("category"), max_length=20, choices=SpecialCategory.choices)
    basis = models.CharField(_("basis"), max_length=20, choices=SpecialCategoryBasis.choices)
    # Where the explicit consent was given (a signed form's number, a recorded call): required for that basis.
    consent_reference = models.CharField(_("consent reference"), max_length=200, blank=True)
    content = EncryptedTextField(_("content"), max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    # The debtor's data key (the same row as the debtor's own).
    data_key = models.ForeignKey("crypto.DataKey", on_delete=models.PROTECT, related_name="+", editable=False)

    class Meta:
        ordering = ["recorded_at"]
        verbose_name = _("special-category record")
        verbose_name_plural = _("special-category records")
        constraints = [
            models.CheckConstraint(condition=Q(category__in=SpecialCategory.values), name="special_category_valid"),
            models.CheckConstraint(
                condition=(Q(basis=SpecialCategoryBasis.EXPLICIT_CONSENT) & ~Q(consent_reference=""))
                | (Q(basis=SpecialCategoryBasis.LEGAL_CLAIM) & Q(case__isnull=False)),
                name="special_category_has_basis",
            ),
            models.CheckConstraint(condition=~Q(content=""), name="special_category_has_content"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.debtor_id})"

    def encryption_row_key(self, key_id: uuid.UUID) -> str:
        # Several records share the debtor's key: the record's own id keeps their ciphertexts apart.
        return f"{key_id}/{self.pk}"
