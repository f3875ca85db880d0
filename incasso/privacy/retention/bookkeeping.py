"""Retention of bookkeeping records (SPEC P-2: 7 years after the end of the calendar year in which the financial
year ended, AWR art. 52 lid 4): the bank statement entries.

Debtors are anonymised 36 months after their cases closed, but the statement entries of their payments are
bookkeeping records and keep the payer's name, IBAN and description until this sweep blanks them. What statistics
and the books still need stays: dates, amount, currency, status, how it was matched, the case. Entries of a case on
legal hold are kept. The ledger is append-only (enforced by the database), so its descriptions are not swept here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from incasso.audit.models import AuditAction
from incasso.audit.services import AuditEntry, audit_record_bulk
from incasso.cases.models import CaseHold
from incasso.domain.audit_chain import SubjectRef
from incasso.payments.models import StatementEntry
from incasso.privacy.models import LegalHold, RetentionPolicy, RetentionSweep
from incasso.privacy.retention.holds import active_legal_holds
from incasso.privacy.retention.policies import latest_expired_trigger, policy_period

# The payer's data on an entry; blanked at expiry.
PAYER_FIELDS = (
    "counterparty_name",
    "counterparty_iban",
    "remittance",
    "structured_reference",
    "end_to_end_id",
    "mandate_id",
    "note",
)
_BLANK = dict.fromkeys(PAYER_FIELDS, "")
_AUDITED = [f"{StatementEntry._meta.label}.{name}" for name in PAYER_FIELDS]


def expired_statement_entries(*, sweep: RetentionSweep, policy: RetentionPolicy) -> QuerySet[StatementEntry]:
    """Entries booked on or before the last expired trigger day that still hold payer data, not on legal hold."""
    cutoff = latest_expired_trigger(policy_period(policy), sweep.as_of)
    privacy_hold, case_hold = active_legal_holds(sweep.as_of)
    on_hold = Q(case_id=OuterRef("case_id")) | Q(debtor__cases=OuterRef("case_id"))
    return (
        StatementEntry.objects.filter(booking_date__lte=cutoff)
        .exclude(Q(**_BLANK))
        .exclude(Exists(LegalHold.objects.filter(privacy_hold).filter(on_hold)))
        .exclude(Exists(CaseHold.objects.filter(case_hold, case_id=OuterRef("case_id"))))
        .order_by("pk")
    )


def bookkeeping_sweep(
    *, sweep: RetentionSweep, policy: RetentionPolicy, chunk_size: int, on_chunk: Callable[[int], None]
) -> None:
    expired = expired_statement_entries(sweep=sweep, policy=policy)
    last = 0
    while True:
        ids = list(expired.filter(pk__gt=last).values_list("pk", flat=True)[:chunk_size])
        if not ids:
            return
        last = ids[-1]
        if not sweep.dry_run:
            with transaction.atomic():
                StatementEntry.objects.filter(pk__in=ids).update(**_BLANK)
                audit_record_bulk(
                    [
                        AuditEntry(
                            actor="retention sweep",
                            action=AuditAction.UPDATE,
                            subject=SubjectRef(StatementEntry._meta.label, str(pk)),
                            fields=_AUDITED,
                            purpose=policy.purpose,
                            source="retention sweep",
                            details={"sweep": sweep.pk, "action": "anonymise"},
                        )
                        for pk in ids
                    ]
                )
        on_chunk(len(ids))
