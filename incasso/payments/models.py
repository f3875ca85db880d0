"""Bank statements (C-9): every imported file, and every entry on it with what became of it.

An entry is stored once, under a key derived from the bank's own reference (``references.EntryKeys``), so the
same statement imported twice — or an entry that is on two overlapping statements — is recognised and booked
once. A duplicate is therefore never a row: it exists only in an import's counts.

Counterparty names, IBANs and remittance texts are personal data of the payer (P-1 declares them when the data
map lands); they are kept because bookkeeping must show where every payment came from (7 years, P-2).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.cases.models import Case
from incasso.domain.money import Money
from incasso.payments.parsers.records import (
    CURRENCY_LENGTH,
    IBAN_LENGTH,
    NAME_LENGTH,
    REASON_LENGTH,
    REFERENCE_LENGTH,
)
from incasso.payments.references import KEY_LENGTH


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    REFUSED = "refused", _("File refused")
    FAILED = "failed", _("Failed")


class StatementImport(models.Model):
    """One statement file as it came in, and the counts of what its import did."""

    SKIPPED_KEPT = 1_000

    filename = models.CharField(_("file name"), max_length=255, blank=True)
    # Of the file's bytes: "was this exact file imported before?" (importing it again is harmless either way).
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    file_format = models.CharField(_("format"), max_length=20, blank=True)
    # The account's IBAN, or the bank's own account number in old MT940 files; the first one if there are several.
    account_iban = models.CharField(_("account"), max_length=IBAN_LENGTH, blank=True)
    statement_id = models.CharField(_("statement id"), max_length=REFERENCE_LENGTH, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.RUNNING)
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    matched_count = models.PositiveIntegerField(_("matched"), default=0)
    unmatched_count = models.PositiveIntegerField(_("unmatched"), default=0)
    returned_count = models.PositiveIntegerField(_("returned"), default=0)
    ignored_count = models.PositiveIntegerField(_("ignored"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    # The first SKIPPED_KEPT skipped entries with their reasons: one broken file cannot bloat the table.
    skipped = models.JSONField(_("skipped entries"), default=list, blank=True)
    error = models.TextField(_("why the file was refused or the import failed"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("statement import")
        verbose_name_plural = _("statement imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename or f"statement import {self.pk}"


class EntryStatus(models.TextChoices):
    MATCHED = "matched", _("Matched to a case")
    UNMATCHED = "unmatched", _("Unmatched: for finance to match")
    RETURNED = "returned", _("Return of an earlier payment")
    IGNORED = "ignored", _("Not a debtor payment")


class MatchRule(models.TextChoices):
    REFERENCE = "reference", _("Payment reference")
    CASE_NUMBER = "case_number", _("Case number in the description")
    IBAN = "iban", _("Debtor's IBAN and amount")
    HAND = "hand", _("Matched by hand")
    RETURN = "return", _("Return of an earlier payment")


class StatementEntry(models.Model):
    """One movement on the agency's account, as the bank reported it. ``amount_cents`` is signed (credit > 0)."""

    # This and ``original_entry`` are checked per statement by triggers on PostgreSQL, not per row (migration 0003).
    statement_import = models.ForeignKey(
        StatementImport, on_delete=models.PROTECT, related_name="entries", verbose_name=_("import"), db_constraint=False
    )
    entry_key = models.CharField(_("entry key"), max_length=KEY_LENGTH, unique=True)
    position = models.PositiveIntegerField(_("position in the file"))
    account_iban = models.CharField(_("account"), max_length=IBAN_LENGTH, blank=True)
    booking_date = models.DateField(_("booking date"))
    value_date = models.DateField(_("value date"), null=True, blank=True)
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    currency = models.CharField(_("currency"), max_length=CURRENCY_LENGTH)
    counterparty_name = models.CharField(_("counterparty"), max_length=NAME_LENGTH, blank=True)
    counterparty_iban = models.CharField(_("counterparty IBAN"), max_length=IBAN_LENGTH, blank=True)
    remittance = models.TextField(_("description"), blank=True)
    structured_reference = models.CharField(_("payment reference"), max_length=REFERENCE_LENGTH, blank=True)
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=REFERENCE_LENGTH, blank=True)
    mandate_id = models.CharField(_("mandate id"), max_length=REFERENCE_LENGTH, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=REFERENCE_LENGTH, blank=True)
    return_reason = models.CharField(_("return reason"), max_length=REASON_LENGTH, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=EntryStatus.choices)
    match_rule = models.CharField(_("matched by"), max_length=12, choices=MatchRule.choices, blank=True)
    # Indexed where set only (``stmt_entry_case_idx``): half a statement is unmatched, and every index is one more
    # write per entry of an import.
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_entries",
        verbose_name=_("case"),
        db_index=False,
    )
    # The ledger transaction that holds this money: the payment on its case, or the unmatched-payments account.
    ledger_key = models.CharField(_("ledger transaction key"), max_length=KEY_LENGTH + 20, blank=True)
    # A return points at the payment it reverses, by key, so a return and its original in one file go in together.
    original_entry = models.OneToOneField(
        "self",
        to_field="entry_key",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_entry",
        verbose_name=_("returned payment"),
        db_constraint=False,
    )
    # Why an entry is unmatched or was not booked as read (two open cases, the ledger refused it, ...): for finance.
    note = models.CharField(_("note"), max_length=255, blank=True)
    # Set only when finance matched an entry by hand: indexed where set (``stmt_entry_matched_by_idx``).
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("statement entry")
        verbose_name_plural = _("statement entries")
        indexes = [
            # The finance queue.
            models.Index(
                fields=["booking_date", "id"], condition=Q(status="unmatched"), name="stmt_entry_unmatched_idx"
            ),
            # Returns find the payment they reverse by end-to-end id or mandate.
            models.Index(fields=["end_to_end_id"], condition=~Q(end_to_end_id=""), name="stmt_entry_e2e_idx"),
            models.Index(fields=["mandate_id"], condition=~Q(mandate_id=""), name="stmt_entry_mandate_idx"),
            # The foreign keys that are mostly empty, indexed where they are set (a lookup by value implies it).
            models.Index(fields=["case"], condition=Q(case__isnull=False), name="stmt_entry_case_idx"),
            models.Index(
                fields=["matched_by"], condition=Q(matched_by__isnull=False), name="stmt_entry_matched_by_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=EntryStatus.values), name="stmt_entry_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="matched") | Q(case__isnull=False), name="stmt_entry_matched_has_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking_date} {Money(self.amount_cents, self.currency)} {self.currency}"
