"""Work for every demo log-in: without it a newcomer opens empty queues and learns nothing.

Made through each owning app's services (tasks, complaints, data-subject requests, breaches, the bank statement
import), so the demo's work items are exactly what real work looks like. Dates are relative to today: the queues
show what is due today whenever the demo is loaded.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from incasso.accounts.roles import Role
from incasso.cases.models import Case, TaskKind
from incasso.cases.services import task_create
from incasso.circumstances.models import LivingSituation, SituationSource, VulnerabilityReason
from incasso.circumstances.services import financial_situation_record, vulnerability_flag_set
from incasso.complaints.models import ComplaintChannel
from incasso.complaints.services import complaint_submit
from incasso.demo.stories import (
    CasePool,
    StoryCounts,
    arrangements_to_review,
    decisions_take,
    disputes_submit,
    legal_steps_awaiting_approval,
    letters_print,
    payouts_create,
    promises_due,
    rights_requests_create,
)
from incasso.disclosures.breaches import breach_record
from incasso.disclosures.models import BreachNature
from incasso.domain.case_stages import Stage
from incasso.domain.data_map import DataCategory
from incasso.domain.money import Money
from incasso.domain.payment_reference import rf_for_case
from incasso.domain.protected_income import Household
from incasso.parties.models import Client
from incasso.payments.services import statement_import

DEMO_SOURCE = "demo"
# Open cases of each client whose next step is due today, so "due today" is never empty.
DUE_TODAY_PER_CLIENT = 4
CONSUMER_CLIENTS = ("energy", "webshop")
OPEN = tuple(stage for stage in Stage if stage.is_open)
AGENCY_IBAN = "NL20INGB0001234567"


@dataclass(frozen=True)
class DemoWork:
    tasks: int
    complaints: int
    rights_requests: int
    breaches: int
    unmatched_payments: int
    circumstances: int = 0
    stories: StoryCounts = dataclasses.field(default_factory=StoryCounts)


@transaction.atomic
def demo_work_create(*, today: datetime.date | None = None) -> DemoWork:
    """Work items on the demo data set; ``incasso demo`` adds them after ``demo_create`` (which tests and benchmarks
    use on its own, as a data set without anything booked)."""
    today = today or timezone.localdate()
    clients = {client.code: client for client in Client.objects.order_by("code")}
    # The oldest open cases of each client are due today, so "due today" is never empty.
    due = [
        pk
        for client in clients.values()
        for pk in Case.objects.filter(client=client)
        .exclude(stage=Stage.CLOSED.value)
        .order_by("number")
        .values_list("pk", flat=True)[:DUE_TODAY_PER_CLIENT]
    ]
    Case.objects.filter(pk__in=due).update(next_measure_on=today)
    pool = CasePool.load(clients=list(clients.values()), exclude=due)
    tasks = _calls_create(pool, list(clients), today)
    consumer = [case for code in CONSUMER_CLIENTS for case in pool.take(client=code, stages=OPEN, count=3)]
    complaints = 0
    if consumer:
        complaint_submit(
            case=consumer[-1],
            text="Ik heb de rekening al betaald en krijg toch een aanmaning met extra kosten. Dat vind ik onterecht.",
            channel=ComplaintChannel.EMAIL,
            source=DEMO_SOURCE,
            received_on=today - datetime.timedelta(days=3),
        )
        complaints = 1
    rights = rights_requests_create(consumer[-3:-1])
    breach_record(
        description="Een brief is naar een oud adres van de debiteur gestuurd; de nieuwe bewoner meldde het.",
        nature=BreachNature.CONFIDENTIALITY,
        detected_at=timezone.now() - datetime.timedelta(hours=5),
        became_aware_at=timezone.now() - datetime.timedelta(hours=4),
        categories=[DataCategory.NAME, DataCategory.CONTACT_ADDRESS],
        approximate_subjects=1,
        actor=DEMO_SOURCE,
        affected_clients=[clients[code] for code in list(clients)[:1]],
        measures="De brief is teruggevraagd; het adres wordt gecontroleerd tegen de BRP.",
    )
    stories = _stories_create(pool, list(clients.values()), today)
    paying = [case for code in clients for case in pool.take(client=code, stages=OPEN, count=2)]
    unmatched = _payments_import(today, paying)
    payouts = payouts_create(clients=list(clients.values()), today=today)
    circumstances = _circumstances_create(consumer[:3], today)
    return DemoWork(
        tasks=tasks,
        complaints=complaints,
        rights_requests=rights,
        breaches=1,
        unmatched_payments=unmatched,
        circumstances=circumstances,
        stories=dataclasses.replace(stories, payouts=payouts, rights_requests=rights),
    )


def _stories_create(pool: CasePool, clients: list[Client], today: datetime.date) -> StoryCounts:
    """Each queue's work made by the service that makes it in real work (see ``stories``)."""
    arrangements = arrangements_to_review(pool, clients=clients, today=today)
    approvals = legal_steps_awaiting_approval(pool, clients=clients, today=today)
    disputes = disputes_submit(pool, clients=clients)
    promises = promises_due(pool, clients=clients, today=today)
    decided, reviews = decisions_take(pool, clients=clients, today=today)
    return StoryCounts(
        arrangements_proposed=arrangements,
        approvals=approvals,
        disputes=disputes,
        promises=promises,
        decisions=decided,
        reviews=reviews,
        letters_printed=letters_print(today=today),
    )


def _circumstances_create(cases: list[Case], today: datetime.date) -> int:
    """A few consumers with a known financial situation, one of them also flagged as vulnerable, so the case page
        shows the section and the next daily run decides with it (C-6, C-7). The situations come from sources (no staff
    actor)."""
    plan = (
        (Money(98_000), Household.SINGLE, LivingSituation.TENANT, 1, 1, SituationSource.DEBTOR_STATEMENT),
        (Money(310_000), Household.COUPLE_WITH_CHILDREN, LivingSituation.OWNER, 0, 0, SituationSource.GOVERNMENT),
        (None, "", "", 4, 0, SituationSource.CREDIT_BUREAU),
    )
    made = 0
    for case, (income, household, living, debts, attachments, source) in zip(cases, plan, strict=False):
        financial_situation_record(
            actor=None,
            debtor=case.debtor,
            source=source,
            obtained_on=today - datetime.timedelta(days=7 * (made + 1)),
            net_income=income,
            household=household,
            living_situation=living,
            other_debts=debts,
            attachments=attachments,
            source_reference=f"demo-{made + 1}",
            audit_source=DEMO_SOURCE,
        )
        made += 1
    # A flag is set by a person: the demo's first collector, who works the first client's cases.
    collector = User.objects.filter(groups__name=Role.COLLECTOR, is_active=True).order_by("pk").first()
    if cases and collector is not None:
        vulnerability_flag_set(
            actor=collector,
            debtor=cases[0].debtor,
            reason=VulnerabilityReason.DEBT_COUNSELLING,
            note="Debiteur meldt dat zij sinds kort bij de schuldhulpverlening van de gemeente loopt.",
            source=DEMO_SOURCE,
        )
    return made


def _calls_create(pool: CasePool, codes: list[str], today: datetime.date) -> int:
    """A call-back the debtor asked for: a task that needs nothing behind it but the case."""
    made = 0
    for code in codes:
        for case in pool.take(client=code, stages=OPEN):
            task_create(
                kind=TaskKind.CALL,
                title="Debiteur terugbellen over een betalingsregeling",
                due_on=today,
                case=case,
                idempotency_key=f"demo-task:{code}:{TaskKind.CALL.value}",
            )
            made += 1
    return made


def _camt_entry(amount: str, name: str, iban: str, remittance: str, booked: str, ref: str, rf: str = "") -> str:
    structured = f"<Strd><CdtrRefInf><Ref>{rf}</Ref></CdtrRefInf></Strd>" if rf else ""
    account = f"<DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct>" if iban else ""
    return (
        f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
        f"<BookgDt><Dt>{booked}</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef>"
        f"<NtryDtls><TxDtls><Refs></Refs><RltdPties><Dbtr><Nm>{name}</Nm></Dbtr>"
        f"{account}</RltdPties>"
        f"<RmtInf><Ustrd>{remittance}</Ustrd>{structured}</RmtInf></TxDtls></NtryDtls></Ntry>"
    )


def _payments_import(today: datetime.date, paying: list[Case]) -> int:
    """A small bank statement (camt.053): payments with the case's payment reference, matched and booked (the
    clients' reports show money collected), and two that name no case (the finance queue's work)."""
    booked = today.isoformat()
    entries = [
        _camt_entry("125.00", "J. Smit", "NL91ABNA0417164300", "betaling factuur", booked, "DEMO-U1"),
        _camt_entry("48.50", "Fam. Yilmaz", "NL02RABO0123456789", "termijn januari", booked, "DEMO-U2"),
    ]
    entries += [
        _camt_entry(
            f"{40 + 15 * index}.00", "Debiteur", "", "betaling", booked, f"DEMO-P{index}", rf_for_case(case.number)
        )
        for index, case in enumerate(paying, start=1)
    ]
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>DEMO-{booked}</MsgId><CreDtTm>{booked}T18:00:00</CreDtTm></GrpHdr><Stmt><Id>DEMO-1</Id>"
        f"<Acct><Id><IBAN>{AGENCY_IBAN}</IBAN></Id></Acct>{''.join(entries)}</Stmt></BkToCstmrStmt></Document>"
    )
    summary = statement_import(stream=io.BytesIO(document.encode()), filename=f"demo-{booked}.xml")
    if summary.matched != len(paying):
        raise RuntimeError(f"demo payments: {summary.matched} of {len(paying)} matched ({summary})")
    return summary.unmatched
