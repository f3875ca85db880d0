"""Writing one validated chunk: debtors, cases, claims and credits together, in one transaction.

A fixed number of queries per chunk whatever its size: one for the invoice numbers already present (with the amount
each was imported with) and, when some are, one for their debtors and one for their credit notes (to tell a re-send
from a changed claim), one for the client's known debtors, one for their open cases, then one insert per table. The
lookups by a key unique per client probe its index once per key (``known_keys``), so a chunk costs the same whatever
the client and the table already hold. Matching is always within the
client: every lookup filters on it, so a reference of client A is never found for client B (C-2, C-3).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.lookups import IsNull
from django.utils import timezone
from django.utils.translation import gettext_noop as _noop

from incasso.cases.models import Case, Claim, InterestKind
from incasso.cases.services import CaseOpener, case_numbers_reserve, case_opened_events_insert
from incasso.collection.limitation import claim_limitation_date
from incasso.core.bulk_insert import AnyKey, AnyOf, rows_insert
from incasso.core.read_ahead import beside
from incasso.crypto.bulk import SealedSubject, key_ids_stored
from incasso.crypto.services import data_keys_store
from incasso.domain.case_stages import Stage
from incasso.domain.money import Money
from incasso.intake.audit import intake_audit_prepare, intake_audit_record, intake_credits_audit_record
from incasso.intake.known_keys import rows_for_keys
from incasso.intake.models import ClaimCredit
from incasso.intake.rows import ClaimRecord, CreditRecord, DebtorRecord, RowError
from incasso.intake.selectors import claims_credited_cents
from incasso.parties.models import DEBTOR_DETAILS, Client, Debtor, DebtorKind, postcode_region
from incasso.parties.sealing import INDEX_COLUMNS, debtors_sealer

# A concurrent writer may take an invoice number or case number between our read and our insert; the unique
# indexes refuse it and the chunk is simply tried again (it re-reads what is there now).
ATTEMPTS = 3
# Serialises case-number allocation between importers on PostgreSQL (SQLite serialises all writers anyway).

# From this many debtors in a chunk its audit entries are prepared in a thread while its claims are written: the
# thread runs while this one waits for the database. Below it a thread costs more than it saves.
AUDIT_PREPARED_BESIDE_FROM = 1_000

DEBTOR_COLUMNS = (
    "client_id",
    "reference",
    "kind",
    *DEBTOR_DETAILS,
    "created_at",
    "postcode_region",
    *INDEX_COLUMNS,
    "data_key_id",
)
CASE_COLUMNS = ("client_id", "debtor_id", "number", "stage", "opened_on", "interest_kind", "created_at")
CLAIM_COLUMNS = (
    "case_id",
    "client_id",
    "invoice_number",
    "invoice_date",
    "due_date",
    "principal_cents",
    "currency",
    "description",
    "limitation_kind",
    "limitation_date",
    "created_at",
)
CREDIT_COLUMNS = (
    "claim_id",
    "client_id",
    "credit_note_number",
    "amount_cents",
    "credited_on",
    "batch_id",
    "created_at",
)


@dataclass
class PresealedDebtors:
    """New debtors sealed ahead of the writer (by the validating process, ``pipeline``) under master key
    ``master_version``: per debtor reference, the row of the claim whose debtor data was sealed, and what was sealed
    (its data key not yet stored)."""

    master_version: str = ""
    by_reference: dict[str, tuple[int, SealedSubject]] = field(default_factory=dict)


NOTHING_PRESEALED = PresealedDebtors()


@dataclass
class ChunkOutcome:
    created: int = 0
    duplicates: int = 0
    rejected: list[RowError] = field(default_factory=list)


def chunk_write(
    *,
    client: Client,
    claims: list[ClaimRecord],
    credits: list[CreditRecord],
    batch_id: int | None,
    opener: CaseOpener,
    presealed: PresealedDebtors = NOTHING_PRESEALED,
) -> ChunkOutcome:
    """Write the chunk's valid rows all together or not at all; ``opener`` is recorded on every case opened.
    ``presealed``: new debtors already sealed (by the validating process), used where they match."""
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return _chunk_write(
                    client=client, claims=claims, credits=credits, batch_id=batch_id, opener=opener, presealed=presealed
                )
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


_STATUTORY, _COMMERCIAL, _CONSUMER = (
    InterestKind.STATUTORY.value,
    InterestKind.COMMERCIAL.value,
    DebtorKind.CONSUMER.value,
)


def default_interest(kind: str) -> str:
    """Commercial interest (BW 6:119a) between businesses, statutory interest (6:119) for consumers."""
    return _STATUTORY if kind == _CONSUMER else _COMMERCIAL


def _chunk_write(
    *,
    client: Client,
    claims: list[ClaimRecord],
    credits: list[CreditRecord],
    batch_id: int | None,
    opener: CaseOpener,
    presealed: PresealedDebtors,
) -> ChunkOutcome:
    outcome = ChunkOutcome()
    now = timezone.now()
    numbers = {claim.invoice_number for claim in claims} | {credit.invoice_number for credit in credits}
    # The same query finds the duplicates and what each was imported with, to tell a re-send from a changed claim.
    known_claims: dict[str, tuple[int, int]] = {}
    sent: dict[str, Sent] = {}
    case_of: dict[str, int] = {}
    for number, pk, principal, case_id in rows_for_keys(
        Claim,
        client_id=client.pk,
        key="invoice_number",
        keys=numbers,
        columns=("invoice_number", "pk", "principal_cents", "case_id"),
    ):
        known_claims[number] = (pk, principal)
        case_of[number] = case_id
    if case_of:
        # Their debtors' references only when some were found (never on a first import), apart: joined into the
        # query above, the planner weighs a chunk's thousands of numbers against scanning all cases (in parallel
        # workers) even when nothing is found, which is the million-claim import's path.
        # A debtor erased or anonymised since (data key destroyed) has no reference left to compare with: the
        # anonymised one reads "anon-<pk>", which no client sends.
        references = {
            pk: None if erased else reference
            for pk, reference, erased in Case.objects.filter(AnyKey(F("pk"), set(case_of.values()))).values_list(
                "pk", "debtor__reference", IsNull(F("debtor__data_key__destroyed_at"), False)
            )
        }
        # A claim reduced by credit notes may come back at what is left of it (an ERP's open items): one query.
        credited = claims_credited_cents(claim_ids=[pk for pk, _principal in known_claims.values()])
        for number, case_id in case_of.items():
            pk, principal = known_claims[number]
            sent[number] = Sent(principal, references[case_id], principal - credited.get(pk, 0))
    new_claims: list[ClaimRecord] = []
    for claim in claims:
        earlier = sent.get(claim.invoice_number)
        if earlier is None:
            sent[claim.invoice_number] = Sent(claim.principal_cents, claim.debtor.reference, claim.principal_cents)
            new_claims.append(claim)
        elif conflicts := claim_conflicts(claim, earlier):
            outcome.rejected.extend(conflicts)
        else:
            outcome.duplicates += 1
    if new_claims:
        # Claim keys are only needed when a credit note in this chunk refers to a claim created in it.
        claim_ids = _claims_insert(
            client=client, claims=new_claims, now=now, returning=bool(credits), opener=opener, presealed=presealed
        )
        outcome.created += len(new_claims)
        for claim, pk in zip(new_claims, claim_ids, strict=False):
            known_claims[claim.invoice_number] = (pk, claim.principal_cents)
    if credits:
        _credits_write(
            client=client,
            credits=credits,
            known_claims=known_claims,
            batch_id=batch_id,
            now=now,
            outcome=outcome,
            opener=opener,
        )
    return outcome


class Sent(NamedTuple):
    """What an invoice number was first imported with: a row sending it again with other values is no re-send.

    ``left_cents`` is its principal less the credit notes recorded for it before this chunk. A client's system
    sends a claim again either as the invoice it was (its principal) or as an open item of its ledger, which after a
    credit note is what is left; both are the same claim. Credit notes of the chunk itself are written after its
    claims are compared, so they do not count yet.
    """

    principal_cents: int
    debtor_reference: str | None  # None: the debtor was erased since, so there is nothing to compare with
    left_cents: int


def claim_conflicts(claim: ClaimRecord, earlier: Sent) -> list[RowError]:
    """The row errors of a claim whose invoice number was imported before with another amount or debtor (the
    currency is always the euro); none for a true re-send, whose other fields (e.g. the description) may differ: the
    first import stands. Its amount may be the principal or what credit notes left of it (``Sent``). An import never
    changes a claim already taken in (C-3), so a changed claim is refused, not counted as a duplicate: the client
    would believe the new values were taken."""
    invoice = ("invoice", claim.invoice_number)
    errors = []
    if earlier.debtor_reference is not None and claim.debtor.reference != earlier.debtor_reference:
        # The earlier debtor's reference is personal data of another debtor: not repeated in the message.
        errors.append(
            RowError(
                claim.row,
                "debtor_reference",
                _noop(
                    "invoice %(invoice)s was already imported for another debtor; a changed claim is not replaced "
                    "by a new import: contact the agency"
                ),
                (invoice,),
            )
        )
    if claim.principal_cents not in (earlier.principal_cents, earlier.left_cents):
        errors.append(
            RowError(
                claim.row,
                "amount",
                _noop(
                    "invoice %(invoice)s was already imported with amount %(amount)s; a changed claim is not "
                    "replaced by a new import: send a credit note or contact the agency"
                ),
                (invoice, ("amount", str(Money(earlier.principal_cents)))),
            )
        )
    return errors


def _claims_insert(
    *,
    client: Client,
    claims: list[ClaimRecord],
    now: datetime.datetime,
    returning: bool,
    opener: CaseOpener,
    presealed: PresealedDebtors,
) -> list[int]:
    client_id = client.pk
    by_debtor: dict[str, list[ClaimRecord]] = defaultdict(list)
    for claim in claims:
        by_debtor[claim.debtor.reference].append(claim)
    known = rows_for_keys(
        Debtor, client_id=client_id, key="reference", keys=list(by_debtor), columns=("reference", "pk", "kind")
    )
    debtors: dict[str, tuple[int, str]] = {ref: (pk, kind) for ref, pk, kind in known}
    new_references = [reference for reference in by_debtor if reference not in debtors]
    firsts = [by_debtor[ref][0] for ref in new_references]
    debtor_rows = _debtor_rows(
        client_id, [claim.debtor for claim in firsts], now, presealed, [claim.row for claim in firsts]
    )
    for reference, pk in zip(new_references, rows_insert(Debtor, DEBTOR_COLUMNS, debtor_rows), strict=True):
        debtors[reference] = (pk, by_debtor[reference][0].debtor.kind)

    # Claims join the debtor's open case (the newest, if there are several); otherwise a case is opened.
    open_cases: dict[int, int] = {}
    fresh = set(new_references)
    known_debtor_ids = [debtors[ref][0] for ref in by_debtor if ref not in fresh]
    if known_debtor_ids:
        open_cases = dict(
            Case.objects.filter(AnyOf(F("debtor_id"), known_debtor_ids), client=client)
            .exclude(stage=Stage.CLOSED.value)
            .order_by("pk")
            .values_list("debtor_id", "pk")
        )
    needing_case = [ref for ref in by_debtor if debtors[ref][0] not in open_cases]
    today = timezone.localdate()
    first_stage = Stage.REMINDER.value
    case_rows = []
    for reference, number in zip(needing_case, _case_numbers_reserve(today.year, len(needing_case)), strict=True):
        debtor_id, kind = debtors[reference]
        interest = next((c.interest for c in by_debtor[reference] if c.interest), None) or default_interest(kind)
        case_rows.append((client_id, debtor_id, number, first_stage, today, interest, now))
    new_case_ids = rows_insert(Case, CASE_COLUMNS, case_rows)
    for reference, case_id in zip(needing_case, new_case_ids, strict=True):
        open_cases[debtors[reference][0]] = case_id

    case_of = {reference: open_cases[debtors[reference][0]] for reference in by_debtor}
    debtor_ids = {reference: debtors[reference][0] for reference in by_debtor}
    with beside(len(by_debtor) >= AUDIT_PREPARED_BESIDE_FROM) as run:
        # The audit entries are checked and encoded while the database takes the events and claims below.
        audit = run(
            partial(
                intake_audit_prepare,
                opener=opener,
                by_debtor=by_debtor,
                debtor_ids=debtor_ids,
                created=fresh,
                case_of=case_of,
            )
        )
        case_opened_events_insert(case_ids=new_case_ids, opener=opener, now=now)
        claim_ids = rows_insert(Claim, CLAIM_COLUMNS, _claim_rows(client_id, claims, case_of, now), returning=returning)
        intake_audit_record(batch=audit.result())
    return claim_ids


def _claim_rows(
    client_id: int, claims: list[ClaimRecord], case_of: dict[str, int], now: datetime.datetime
) -> list[tuple[object, ...]]:
    return [
        (
            case_of[claim.debtor.reference],
            client_id,
            claim.invoice_number,
            claim.invoice_date,
            claim.due_date,
            claim.principal_cents,
            claim.currency,
            claim.description,
            claim.limitation_kind,
            # Known from the start (no demand letter yet): the case pages and the near-limitation flag have it before
            # the first daily run, which then has no claim row to rewrite.
            claim_limitation_date(due_date=claim.due_date, kind=claim.limitation_kind, interrupted_on=None),
            now,
        )
        for claim in claims
    ]


def _debtor_rows(
    client_id: int,
    debtors: Sequence[DebtorRecord],
    now: datetime.datetime,
    presealed: PresealedDebtors = NOTHING_PRESEALED,
    source_rows: Sequence[int] = (),
) -> list[tuple[object, ...]]:
    """The rows of new debtors: sealed under a data key of their own (the keys stored in one insert) and with their
    blind indexes. A debtor sealed ahead (``presealed``, under the current master key) from the very row it comes
    from (``source_rows``, the row of each debtor's claim) is taken as it is; the others are sealed here."""
    sealer = debtors_sealer(DebtorRecord._fields)
    usable = presealed.by_reference if presealed.master_version == sealer.master_version and source_rows else {}
    subjects: list[SealedSubject | None] = []
    missing: list[int] = []
    for index, debtor in enumerate(debtors):
        found = usable.get(debtor.reference)
        if found is not None and found[0] == source_rows[index]:
            subjects.append(found[1])
        else:
            missing.append(index)
            subjects.append(None)
    for position, subject in zip(missing, sealer.seal([debtors[i] for i in missing]), strict=True):
        subjects[position] = subject
    sealed = [subject for subject in subjects if subject is not None]
    data_keys_store(
        subject_type=sealer.subject_type,
        master_version=sealer.master_version,
        keys=[(subject.key_id, subject.wrapped_key) for subject in sealed],
    )
    positions = [DebtorRecord._fields.index(name) for name in sealer.sealed_fields]
    key_ids = key_ids_stored(subject.key_id for subject in sealed)
    rows: list[tuple[object, ...]] = []
    for debtor, subject, key_id in zip(debtors, sealed, key_ids, strict=True):
        values = list(debtor)
        for position, value in zip(positions, subject.sealed, strict=True):
            # An empty value travels from the validating process as "": the row's own ("" or None) is stored.
            if value:
                values[position] = value
        rows.append((client_id, *values, now, postcode_region(debtor.postcode), *subject.indexes, key_id))
    return rows


def _case_numbers_reserve(year: int, count: int) -> list[str]:
    """A block of consecutive case numbers, held until the chunk commits."""
    if not count:
        return []
    return case_numbers_reserve(year=year, count=count)


def _credits_write(
    *,
    client: Client,
    credits: list[CreditRecord],
    known_claims: dict[str, tuple[int, int]],
    batch_id: int | None,
    now: datetime.datetime,
    outcome: ChunkOutcome,
    opener: CaseOpener,
) -> None:
    """Credit notes reduce the claim they name; one for an unknown invoice, or for more than is left, is refused."""
    numbers = [credit.credit_note_number for credit in credits]
    existing = {
        number
        for (number,) in rows_for_keys(
            ClaimCredit, client_id=client.pk, key="credit_note_number", keys=numbers, columns=("credit_note_number",)
        )
    }
    claim_ids = [known_claims[c.invoice_number][0] for c in credits if c.invoice_number in known_claims]
    credited = claims_credited_cents(claim_ids=claim_ids)
    rows = []
    for credit in credits:
        if credit.credit_note_number in existing:
            outcome.duplicates += 1
            continue
        existing.add(credit.credit_note_number)
        if credit.invoice_number not in known_claims:
            outcome.rejected.append(
                RowError(
                    credit.row,
                    "credited_invoice_number",
                    _noop(
                        "no claim with invoice number %(invoice)s for this client: "
                        "submit the invoice before its credit note"
                    ),
                    (("invoice", repr(credit.invoice_number)),),
                )
            )
            continue
        claim_id, principal = known_claims[credit.invoice_number]
        left = principal - credited.get(claim_id, 0)
        if credit.amount_cents > left:
            outcome.rejected.append(
                RowError(
                    credit.row,
                    "amount",
                    _noop("the credit of %(credit)s exceeds what is left of invoice %(invoice)s (%(left)s)"),
                    (
                        ("credit", str(Money(credit.amount_cents))),
                        ("invoice", credit.invoice_number),
                        ("left", str(Money(left))),
                    ),
                )
            )
            continue
        credited[claim_id] = credited.get(claim_id, 0) + credit.amount_cents
        rows.append(
            (claim_id, client.pk, credit.credit_note_number, credit.amount_cents, credit.credited_on, batch_id, now)
        )
    rows_insert(ClaimCredit, CREDIT_COLUMNS, rows, returning=False)
    intake_credits_audit_record(opener=opener, credited={row[2]: row[0] for row in rows})
    outcome.created += len(rows)
