"""Checking debtors against the insolvency register (SPEC C-13): an insolvent debtor's cases stop.

``cir_check`` searches the register once per debtor, through the resilience layer and the shared ``cir`` circuit
breaker, outside any transaction. For each debtor it could check it writes, in one transaction: the audit record of
the search and the disclosure it was (the debtor's data went to the register, SPEC P-8), and for a hit an
insolvency or debt-restructuring hold on every open case of the debtor plus a task to tell the client. A debtor it
could not check (the register down, the circuit open) is queued as a ``PendingCall`` that ``incasso integrations
retry`` runs later: no check is lost. A debtor the register may not be told about (the debtor's processing
restricted, GDPR art. 18) is not searched: the refusal is logged in the disclosure log and counted as ``refused``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.cases.models import Case, CaseHold, TaskKind
from incasso.cases.services import case_hold_place, task_create
from incasso.disclosures.errors import TransferRefused
from incasso.disclosures.models import Recipient
from incasso.disclosures.services import disclosure_check, disclosure_record
from incasso.domain.case_stages import Stage
from incasso.domain.data_map import DataCategory, LegalBasis, ProcessingPurpose
from incasso.integrations.cir.client import CirClient, CompanySearch, PersonSearch, Publication, Search
from incasso.integrations.cir.notify import cir_clients_notify
from incasso.integrations.outbox import Outgoing, pending_calls_enqueue, pending_calls_enqueue_each
from incasso.integrations.recipients import service_recipient
from incasso.integrations.resilience import (
    SERVICE_BACKOFF,
    SERVICE_RETRIES,
    SERVICE_TIMEOUT_SECONDS,
    Backoff,
    CircuitBreaker,
    ServiceUnavailable,
    call_with_resilience,
)
from incasso.parties.models import Debtor, DebtorKind

CIR = "cir"
CIR_CHECK_KIND = "cir.check"
SOURCE = "cir"
ACTOR = "insolvency register check"
PERSON_FIELDS = (
    "parties.Debtor.surname",
    "parties.Debtor.date_of_birth",
    "parties.Debtor.postcode",
    "parties.Debtor.house_number",
)
COMPANY_FIELDS = ("parties.Debtor.kvk_number",)
PERSON_CATEGORIES = (DataCategory.NAME, DataCategory.DATE_OF_BIRTH, DataCategory.CONTACT_ADDRESS)
COMPANY_CATEGORIES = (DataCategory.GOVERNMENT_ID,)
RECIPIENT_SETTING = "INCASSO_CIR_RECIPIENT"
CLIENT_TASK_TITLE = gettext_noop("Tell the client: debtor insolvent")


@dataclass(frozen=True, slots=True)
class CirCheckReport:
    checked: int = 0
    hits: int = 0
    holds_placed: int = 0
    unreached: int = 0  # could not be checked now ...
    queued: int = 0  # ... and newly queued (one already waiting is not queued twice)
    skipped: int = 0  # nothing to search by (no surname and date of birth, no KvK number)
    refused: int = 0  # the register may not be told about the debtor (restricted): logged, not searched


def cir_breaker() -> CircuitBreaker:
    return CircuitBreaker(CIR)


def _search(debtor: Debtor) -> Search | None:
    if debtor.kind == DebtorKind.COMPANY or (debtor.kvk_number and debtor.date_of_birth is None):
        return CompanySearch(debtor.kvk_number) if debtor.kvk_number else None
    if debtor.surname and debtor.date_of_birth is not None:
        return PersonSearch(debtor.surname, debtor.date_of_birth, debtor.postcode, debtor.house_number)
    return None


def _outgoing_key_prefix() -> str:
    return f"{CIR_CHECK_KIND}:debtor:"


def _outgoing(debtor_id: int, on: datetime.date) -> Outgoing:
    return Outgoing(dedupe_key=f"{_outgoing_key_prefix()}{debtor_id}", payload={"debtor_id": debtor_id, "on": str(on)})


def cir_check_queue(*, debtor_ids: Iterable[int], on: datetime.date | None = None, count_new: bool = True) -> int:
    """Queue a register check of each debtor (for intake and the daily run: cheap, no outside call). Returns how many
    were new; a debtor already waiting for a check is not queued twice."""
    on = on or timezone.localdate()
    calls = [_outgoing(pk, on) for pk in sorted(set(debtor_ids))]
    return pending_calls_enqueue(kind=CIR_CHECK_KIND, calls=calls, count_new=count_new)


def _search_once(client: CirClient, search: Search, timeout: float) -> list[Publication]:
    return client.search(search, timeout=timeout)


def _disclosure_fields(debtor: Debtor, search: Search, recipient: Recipient) -> dict[str, Any]:
    company = isinstance(search, CompanySearch)
    return {
        "recipient": recipient,
        "subjects": [debtor],
        "categories": COMPANY_CATEGORIES if company else PERSON_CATEGORIES,
        "legal_basis": LegalBasis.LEGITIMATE_INTEREST,
        "purpose": ProcessingPurpose.DEBT_COLLECTION,
        "description": "insolvency register search: " + ("KvK number" if company else "name, date of birth, address"),
        "actor": ACTOR,
    }


@transaction.atomic
def _record(
    *, debtor: Debtor, search: Search, publications: Sequence[Publication], on: datetime.date, recipient: Recipient
) -> int:
    """The audit record and disclosure of one search and, for a hit, the holds and the tasks. Returns how many holds
    are new."""
    disclosure_record(**_disclosure_fields(debtor, search, recipient))
    audit_record(
        actor=ACTOR,
        action=AuditAction.READ,
        subject=debtor,
        fields=COMPANY_FIELDS if isinstance(search, CompanySearch) else PERSON_FIELDS,
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=SOURCE,
        details={"hits": [p.insolvency_number for p in publications]},
    )
    if not publications:
        return 0
    cases = list(Case.objects.filter(debtor_id=debtor.pk).exclude(stage=Stage.CLOSED.value).order_by("pk"))
    active = set(CaseHold.objects.filter(case__in=cases, lifted_at__isnull=True).values_list("case_id", "kind"))
    placed = 0
    for publication in publications:
        kind = publication.kind.hold_kind
        held: list[int] = []
        for case in cases:
            if (case.pk, kind.value) not in active:
                case_hold_place(case=case, kind=kind, reason=publication.describe())
                active.add((case.pk, kind.value))
                held.append(case.pk)
                placed += 1
            task_create(
                kind=TaskKind.GENERAL,
                title=gettext(CLIENT_TASK_TITLE),
                due_on=on,
                case=case,
                details=publication.describe(),
                idempotency_key=f"{CIR_CHECK_KIND}:{case.pk}:{publication.insolvency_number}",
            )
        if held:  # the client hears once, when its case is first held for this publication
            transaction.on_commit(partial(cir_clients_notify, case_ids=held, publication=publication))
    return placed


def cir_check(
    *,
    debtor_ids: Iterable[int],
    on: datetime.date,
    client: CirClient | None = None,
    breaker: CircuitBreaker | None = None,
    timeout: float = SERVICE_TIMEOUT_SECONDS,
    retries: int = SERVICE_RETRIES,
    backoff: Backoff = SERVICE_BACKOFF,
) -> CirCheckReport:
    """Check the debtors against the register now; the ones it cannot reach (down, or the circuit open) are queued.

    Raises ``CirRejected`` when the register refuses (wrong credentials): nothing is placed for that debtor, and
    someone must act; ``CirNotConfigured`` without settings. Never call it inside a transaction.
    """
    debtors = list(
        Debtor.objects.filter(pk__in=set(debtor_ids))
        .only("pk", "kind", "surname", "date_of_birth", "postcode", "house_number", "kvk_number", "data_key")
        .order_by("pk")
    )
    breaker = breaker or cir_breaker()
    own_client = client is None
    client = client or CirClient.from_settings()
    recipient = service_recipient(setting=RECIPIENT_SETTING) if debtors else None
    checked = hits = placed = skipped = refused = 0
    unreached: list[int] = []
    last_error = ""
    try:
        for debtor in debtors:
            search = _search(debtor)
            if search is None or recipient is None:
                skipped += 1
                continue
            try:  # before anything is sent; a refusal is logged in the disclosure log
                disclosure_check(**_disclosure_fields(debtor, search, recipient))
            except TransferRefused:
                refused += 1
                continue
            try:
                publications = call_with_resilience(
                    CIR,
                    partial(_search_once, client, search),
                    timeout=timeout,
                    retries=retries,
                    backoff=backoff,
                    breaker=breaker,
                )
            except ServiceUnavailable as exc:  # also CircuitOpen: the rest of the chunk fails fast and is queued
                unreached.append(debtor.pk)
                last_error = str(exc)
                continue
            checked += 1
            hits += bool(publications)
            placed += _record(debtor=debtor, search=search, publications=publications, on=on, recipient=recipient)
    finally:
        if own_client:
            client.close()
    queued = pending_calls_enqueue(
        kind=CIR_CHECK_KIND, calls=[_outgoing(pk, on) for pk in unreached], last_error=last_error
    )
    return CirCheckReport(
        checked=checked,
        hits=hits,
        holds_placed=placed,
        unreached=len(unreached),
        queued=queued,
        skipped=skipped,
        refused=refused,
    )


def cir_check_pending(payload: dict[str, Any]) -> None:
    """The outbox handler of ``cir.check``: check one debtor now, or raise so the call stays queued."""
    debtor_id = int(payload["debtor_id"])
    on = datetime.date.fromisoformat(str(payload["on"]))
    report = cir_check(debtor_ids=[debtor_id], on=on, retries=0)
    if report.unreached:
        raise ServiceUnavailable(CIR, f"debtor {debtor_id} could not be checked yet")


def cir_check_queue_open_cases(*, on: datetime.date) -> int:
    """Queue a register check of the debtor of every open case (the daily run). Returns how many were new."""
    debtors = Case.objects.exclude(stage=Stage.CLOSED.value).order_by().values_list("debtor_id", flat=True).distinct()
    return cir_check_queue_selected(debtor_ids=debtors, on=on)


def cir_check_queue_selected(*, debtor_ids: QuerySet[Any, Any], on: datetime.date | None = None) -> int:
    """Queue a register check of each debtor a one-column ``values_list`` query selects: one ``INSERT ... SELECT``
    in the database, no outside call, no row through Python, whatever the number. Returns how many were new (one
    still waiting stays one)."""
    return pending_calls_enqueue_each(
        kind=CIR_CHECK_KIND,
        key_prefix=_outgoing_key_prefix(),
        ids=debtor_ids,
        payload_id="debtor_id",
        payload_extra={"on": str(on or timezone.localdate())},
    )


def cir_check_open_cases(*, on: datetime.date, chunk_size: int = 500) -> CirCheckReport:
    """Check the debtors of every open case, in chunks of debtors by primary key."""
    total = CirCheckReport()
    after = 0
    while True:
        chunk = list(
            Case.objects.exclude(stage=Stage.CLOSED.value)
            .filter(debtor_id__gt=after)
            .order_by("debtor_id")
            .values_list("debtor_id", flat=True)
            .distinct()[:chunk_size]
        )
        if not chunk:
            return total
        after = chunk[-1]
        report = cir_check(debtor_ids=chunk, on=on)
        total = CirCheckReport(
            checked=total.checked + report.checked,
            hits=total.hits + report.hits,
            holds_placed=total.holds_placed + report.holds_placed,
            unreached=total.unreached + report.unreached,
            queued=total.queued + report.queued,
            skipped=total.skipped + report.skipped,
            refused=total.refused + report.refused,
        )
