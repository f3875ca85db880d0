"""The audit events of claim intake (SPEC P-7): one per debtor a chunk creates, adds claims to or credits.

Written in the chunk's transaction, set-based (``audit_record_bulk``: one chain lock and one INSERT, by COPY for
large chunks), so a million-row import costs no query per row. The actor is who imported (a person, the client's
API key, the command line) and the source is the door, as the cases' "opened" events say.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.contrib.auth.models import User

from incasso.audit.models import AuditAction
from incasso.audit.services import (
    Actor,
    AuditEntry,
    PreparedBatch,
    audit_batch_prepare,
    audit_record_bulk,
    audit_record_prepared,
)
from incasso.cases.models import Claim
from incasso.cases.services import CaseOpener
from incasso.domain.audit_chain import JSONValue, SubjectRef
from incasso.domain.data_map import ProcessingPurpose
from incasso.intake.models import ClaimCredit, ImportBatch
from incasso.intake.rows import ClaimRecord, DebtorRecord
from incasso.parties.models import Debtor

DEBTOR_LABEL = Debtor._meta.label
CLAIM_LABEL = Claim._meta.label
# The claim's columns intake writes that say something about the debtor (its debt).
CLAIM_FIELDS = tuple(
    f"{CLAIM_LABEL}.{name}" for name in ("invoice_number", "invoice_date", "due_date", "principal_cents", "description")
)
CREDIT_FIELDS = tuple(
    f"{ClaimCredit._meta.label}.{name}" for name in ("credit_note_number", "amount_cents", "credited_on")
)
REJECTED_FIELDS = (f"{ImportBatch._meta.label}.rejected",)
# Not data about the person: what kind of debtor it is is kept, an empty value was not written.
_NOT_WRITTEN = frozenset({"reference", "kind"})


def intake_actor(opener: CaseOpener) -> Actor:
    """The person who imported (their pk and name are all the audit row keeps), or the name of the key or door."""
    if opener.actor_id is not None:
        return User(pk=opener.actor_id, username=opener.actor_name)
    return opener.actor_name


def debtor_fields_written(debtor: DebtorRecord) -> list[str]:
    return [
        f"{DEBTOR_LABEL}.{name}"
        for name, value in debtor._asdict().items()
        if name not in _NOT_WRITTEN and value not in ("", None)
    ] + [f"{DEBTOR_LABEL}.reference", f"{DEBTOR_LABEL}.kind"]


class _FieldLists:
    """The ``fields`` of a chunk's entries, one list per distinct set: debtors mostly leave the same fields empty, and
    ``audit_record_bulk`` checks and encodes a list its entries share once."""

    def __init__(self) -> None:
        self.updated: list[str] = list(CLAIM_FIELDS)
        self.created: dict[tuple[bool, ...], list[str]] = {}

    def of_new(self, debtor: DebtorRecord) -> list[str]:
        filled = tuple(map(bool, debtor))  # a value is text ("" when empty), a date or None
        found = self.created.get(filled)
        if found is None:
            found = self.created[filled] = [*debtor_fields_written(debtor), *CLAIM_FIELDS]
        return found


def intake_audit_prepare(
    *,
    opener: CaseOpener,
    by_debtor: Mapping[str, Sequence[ClaimRecord]],
    debtor_ids: Mapping[str, int],
    created: set[str],
    case_of: Mapping[str, int],
) -> PreparedBatch:
    """The entries of what intake wrote about each debtor reference of the chunk, checked and encoded: a new
    debtor's fields and claims (``create``), or the claims added to a debtor already known (``update``). No database:
    the writer prepares them in a thread while the chunk's claims are written (``intake_audit_record`` records them)."""
    actor = intake_actor(opener)
    source = opener.reason
    field_lists = _FieldLists()
    purpose = ProcessingPurpose.DEBT_COLLECTION
    entries = []
    for reference, claims in by_debtor.items():
        is_new = reference in created
        numbers: list[JSONValue] = [claim.invoice_number for claim in claims]
        entries.append(
            AuditEntry(
                actor=actor,
                action=AuditAction.CREATE if is_new else AuditAction.UPDATE,
                subject=SubjectRef(DEBTOR_LABEL, str(debtor_ids[reference])),
                fields=field_lists.of_new(claims[0].debtor) if is_new else field_lists.updated,
                purpose=purpose,
                source=source,
                details={"case": case_of[reference], "claims": numbers},
            )
        )
    return audit_batch_prepare(entries)


def intake_audit_record(*, batch: PreparedBatch) -> None:
    """Record the entries of ``intake_audit_prepare`` in the chunk's transaction."""
    audit_record_prepared(batch)


def intake_credits_audit_record(*, opener: CaseOpener, credited: Mapping[str, int]) -> None:
    """Record the credit notes written (credit note number to claim id): one ``update`` per debtor they concern."""
    if not credited:
        return
    debtor_of = dict(Claim.objects.filter(pk__in=set(credited.values())).values_list("pk", "case__debtor_id"))
    by_debtor: dict[int, list[JSONValue]] = {}
    for number, claim_id in credited.items():
        by_debtor.setdefault(debtor_of[claim_id], []).append(number)
    actor = intake_actor(opener)
    audit_record_bulk(
        [
            AuditEntry(
                actor=actor,
                action=AuditAction.UPDATE,
                subject=SubjectRef(DEBTOR_LABEL, str(debtor_id)),
                fields=CREDIT_FIELDS,
                purpose=ProcessingPurpose.DEBT_COLLECTION,
                source=opener.reason,
                details={"credit_notes": numbers},
            )
            for debtor_id, numbers in by_debtor.items()
        ]
    )


def rejected_erased_audit_record(
    *,
    erased: Sequence[tuple[int, int]],
    actor: Actor,
    purpose: ProcessingPurpose | str,
    source: str,
    details: Mapping[str, JSONValue],
) -> None:
    """Record the erasure of imports' rejected rows (batch id, client id): one entry per batch, in its transaction."""
    shared: dict[str, JSONValue] = {**details, "action": "erase", "crypto_shredded": True}
    audit_record_bulk(
        [
            AuditEntry(
                actor=actor,
                action=AuditAction.UPDATE,
                subject=SubjectRef(ImportBatch._meta.label, str(batch_id)),
                fields=REJECTED_FIELDS,
                purpose=purpose,
                source=source,
                details={**shared, "client": client_id},
            )
            for batch_id, client_id in erased
        ]
    )
