"""Claim intake (C-3): the clients' API keys, the record of every import, and credit notes that reduce a claim.

The claims, cases and debtors an import creates live in their own apps; this app keeps what only intake needs.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.cases.models import Claim
from incasso.crypto.fields import EncryptedModel, EncryptedTextField
from incasso.parties.models import Client

API_KEY_PREFIX_LENGTH = 8


class ClientApiKey(models.Model):
    """A key a client's systems use to submit claims; it acts for that one client and nothing else (C-12).

    Only a SHA-256 of the key is stored: the key is a 256-bit random secret, so a fast hash cannot be brute-forced
    and a leaked table reveals no usable key. The prefix finds the row without scanning every hash.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="api_keys", verbose_name=_("client"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=API_KEY_PREFIX_LENGTH, db_index=True)
    key_hash = models.CharField(_("SHA-256 of the key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ImportSource(models.TextChoices):
    REST = "rest", _("REST API")
    CSV = "csv", _("CSV upload")
    UBL = "ubl", _("E-invoice (UBL)")
    CLI = "cli", _("Command line")


class ImportFormat(models.TextChoices):
    JSON = "json", _("JSON")
    CSV = "csv", _("CSV")
    UBL = "ubl", _("UBL 2.1")


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    REFUSED = "refused", _("File refused")
    FAILED = "failed", _("Failed")


class SealedRowErrorsField(EncryptedTextField):
    """A list of stored row errors (``RowError.as_stored``: the values a client sent, names and addresses among
    them) sealed as one JSON text under the batch's data key; reads as a list, an empty list when there is none or
    when the key is destroyed. An empty list is stored empty and needs no key."""

    # What django-stubs' plugin reads as the attribute's types.
    _pyi_private_set_type: list[dict[str, Any]] | str  # type: ignore[assignment]
    _pyi_private_get_type: list[dict[str, Any]]  # type: ignore[assignment]

    def from_db_value(self, value: str | None, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        return super().from_db_value(value, expression, connection) if value else []

    def encode(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def decode(self, text: str) -> Any:
        return json.loads(text)

    def unreadable(self, sealed: str) -> Any:
        return []

    def get_db_prep_save(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        return "" if value == [] else super().get_db_prep_save(value, connection)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        if model_instance.__dict__.get(self.attname) == []:
            return ""
        return super().pre_save(model_instance, add)


class ImportBatch(EncryptedModel):
    """One submission through any door: what came in, and what became of it.

    ``rejected`` keeps the first ``REJECTED_KEPT`` row errors only, so one bad million-row file cannot bloat the
    table; ``rejected_count`` is always the full number of rejected rows. The rejected rows hold what the client sent
    about people who never became debtors here (P-3): they are sealed under a data key of the batch's own, which
    ``services.import_batches_rejected_erase`` destroys when they must go; the counts stay.
    """

    REJECTED_KEPT = 1_000

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="import_batches", verbose_name=_("client")
    )
    source = models.CharField(_("source"), max_length=10, choices=ImportSource.choices)
    file_format = models.CharField(_("format"), max_length=10, choices=ImportFormat.choices)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    # Of the file's bytes, so "was this exact file sent before?" can be answered.
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.RUNNING)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    rejected = SealedRowErrorsField(_("rejected rows"), default=list, blank=True)
    error = models.TextField(_("why the file was refused or the import failed"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Declared after the sealed field: saving a batch with rejected rows and no key issues one before this is written.
    data_key = models.OneToOneField(
        "crypto.DataKey", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["client", "created_at"], name="import_batch_client_idx")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.filename or self.pk}"


class ClaimCredit(models.Model):
    """A credit note that reduces a claim's principal (UBL CreditNote referring to the invoice it corrects).

    The claim itself is never edited: its outstanding principal is its principal less its credits
    (``selectors.claim_outstanding_principal``), so the original invoice stays provable.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="credits", verbose_name=_("claim"))
    # Repeats claim.client so the database refuses the same credit note twice for one client (idempotent intake).
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    credit_note_number = models.CharField(_("credit note number"), max_length=64)
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    credited_on = models.DateField(_("credit note date"))
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("import")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("claim credit")
        verbose_name_plural = _("claim credits")
        constraints = [
            models.UniqueConstraint(fields=["client", "credit_note_number"], name="claim_credit_unique_per_client"),
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="claim_credit_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.credit_note_number
