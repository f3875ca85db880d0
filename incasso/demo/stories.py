"""Work items that carry their own story: each one is made by the service that makes it in real work, so the task,
the queue entry and the object behind it always agree (a review task has a proposed plan, an approval task a legal
step waiting for the client, a dispute a hold, a human review a contested decision, a print batch its letters).

Hand-made tasks would show a queue entry whose object is missing; these go through the owning app's service.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils.translation import gettext

from incasso.accounts.roles import Role
from incasso.arrangements.models import ProposedBy
from incasso.arrangements.services import arrangement_propose, promise_record
from incasso.cases.models import Case, Measure, MeasureKind, MeasureStatus, TaskKind
from incasso.cases.services import task_create
from incasso.collection.daily_run import daily_run_chunk
from incasso.communications.services import print_batch_render
from incasso.debtor_portal.login import PortalIdentity
from incasso.debtor_portal.services import portal_dispute_submit
from incasso.decisions.models import Decision
from incasso.decisions.services import decision_contest
from incasso.domain.case_stages import Stage
from incasso.domain.money import Money
from incasso.ledger.errors import NothingToPayOut
from incasso.ledger.services import payout_create
from incasso.parties.models import Client, ProcessorAgreement
from incasso.rights.models import RequestChannel, RequestKind
from incasso.rights.services import Requester, request_close, request_verify_staff, requests_receive

# Cases of each client taken through the daily run, so decisions with explanations and letters exist.
DECIDED_PER_CLIENT = 2
# Open cases of each client and stage that may be given a story: more than all stories together take.
CASES_PER_STAGE = 8


@dataclass(frozen=True)
class StoryCounts:
    arrangements_proposed: int = 0
    approvals: int = 0
    disputes: int = 0
    promises: int = 0
    decisions: int = 0
    reviews: int = 0
    letters_printed: int = 0
    payouts: int = 0
    rights_requests: int = 0


class CasePool:
    """The open demo cases not yet given a story, per client and stage (each case tells one story only)."""

    def __init__(self, cases: list[Case]) -> None:
        self._cases = list(cases)

    @classmethod
    def load(cls, *, clients: list[Client], exclude: list[int]) -> CasePool:
        """The first open cases by number of each client in each open stage: a few queries, whatever the size."""
        cases = [
            case
            for client in clients
            for stage in Stage
            if stage.is_open
            for case in Case.objects.filter(client=client, stage=stage.value)
            .exclude(pk__in=exclude)
            .select_related("debtor", "client")
            .order_by("number")[:CASES_PER_STAGE]
        ]
        return cls(cases)

    def take(self, *, client: str, stages: tuple[Stage, ...], count: int = 1) -> list[Case]:
        wanted = {stage.value for stage in stages}
        taken = [case for case in self._cases if case.client.code == client and case.stage in wanted][:count]
        self._cases = [case for case in self._cases if case not in taken]
        return taken


def staff_user(role: Role) -> User | None:
    return User.objects.filter(groups__name=role, is_active=True).order_by("pk").first()


def arrangements_to_review(pool: CasePool, *, clients: list[Client], today: datetime.date) -> int:
    """A debtor asks for more months than the client's agreement allows: the plan waits for a collector, and the
    arrangement service queues the review task itself."""
    made = 0
    for client in clients:
        agreement = ProcessorAgreement.objects.filter(client=client).order_by("-version").first()
        if agreement is None:
            continue
        for case in pool.take(client=client.code, stages=(Stage.AMICABLE,)):
            arrangement_propose(
                case=case,
                months=agreement.plan_max_months + 6,
                first_due=today + datetime.timedelta(days=14),
                proposed_by=ProposedBy.DEBTOR,
                on=today,
            )
            made += 1
    return made


def legal_steps_awaiting_approval(pool: CasePool, *, clients: list[Client], today: datetime.date) -> int:
    """For the clients that allow legal steps only with their approval: a notice of legal steps waits for the
    client's answer (shown in its portal) and the approval task asks a legal officer to chase it.

    No service plans a measure awaiting approval outside the daily run, whose strategy queues the task only; the
    measure is written as the daily run writes one (status awaiting approval, keyed by case and day)."""
    made = 0
    for client in clients:
        agreement = ProcessorAgreement.objects.filter(client=client).order_by("-version").first()
        if agreement is None or not agreement.legal_steps_need_approval or "legal" not in agreement.allowed_measures:
            continue
        for case in pool.take(client=client.code, stages=(Stage.AMICABLE,), count=2):
            Measure.objects.create(
                case=case,
                kind=MeasureKind.LEGAL_NOTICE,
                status=MeasureStatus.AWAITING_APPROVAL,
                planned_for=today,
                idempotency_key=f"demo-approval:{case.pk}:{today}",
            )
            task_create(
                kind=TaskKind.APPROVAL,
                title=gettext("Ask the client to approve legal steps"),
                due_on=today,
                case=case,
                idempotency_key=f"demo-task:{client.code}:approval:{case.pk}",
            )
            made += 1
    return made


def disputes_submit(pool: CasePool, *, clients: list[Client]) -> int:
    """A debtor disputes the claim through the portal: the case goes on hold and a collector gets the task."""
    made = 0
    for client in clients:
        for case in pool.take(client=client.code, stages=(Stage.FORMAL_DEMAND, Stage.AMICABLE)):
            portal_dispute_submit(
                case=case,
                identity=PortalIdentity(debtor_id=case.debtor_id, case_id=case.pk),
                reason="Ik heb deze factuur nooit ontvangen en de levering klopt niet.",
                upload=None,
                ip=None,
            )
            made += 1
    return made


def promises_due(pool: CasePool, *, clients: list[Client], today: datetime.date) -> int:
    """A debtor promised on the phone last week to pay today: the promises queue shows what to check."""
    made = 0
    for client in clients:
        for case in pool.take(client=client.code, stages=(Stage.AMICABLE, Stage.FORMAL_DEMAND)):
            promise_record(case=case, amount=Money(7_500), due_on=today, on=today)
            made += 1
    return made


def decisions_take(pool: CasePool, *, clients: list[Client], today: datetime.date) -> tuple[int, int]:
    """The daily run on a few reminder cases: each gets a decision with its explanation, a stage move and a letter
    in the print queue. One consumer contests the decision, so the human-review queue has work."""
    ids = [
        case.pk
        for client in clients
        for case in pool.take(client=client.code, stages=(Stage.REMINDER,), count=DECIDED_PER_CLIENT)
    ]
    summary = daily_run_chunk(case_ids=ids, on=today)
    contested = Decision.objects.filter(case_id__in=ids, case__debtor__kind="consumer").order_by("pk").first()
    if contested is not None:
        decision_contest(
            decision=contested,
            reason="Ik heb een betalingsregeling gevraagd en krijg toch een brief met een termijn.",
        )
    return summary.decided, int(contested is not None)


def letters_print(*, today: datetime.date) -> int:
    """Tonight's print batch: the letters the daily run queued, rendered for the print house."""
    batch = print_batch_render(on=today)
    return batch.letter_count if batch is not None else 0


def payouts_create(*, clients: list[Client], today: datetime.date) -> int:
    """Pay out to the first client with money collected this month, less commission (its statement in the client
    portal, the payout in the finance pages). One payout only: each one validates its pain.001 file against the
    XSD, which parses the schema anew and costs about a second."""
    for client in clients:
        try:
            payout_create(
                client_id=client.pk,
                period_start=today.replace(day=1),
                period_end=today,
                key=f"demo-payout:{client.code}:{today}",
            )
        except NothingToPayOut:
            continue
        return 1
    return 0


def rights_requests_create(cases: list[Case]) -> int:
    """Data-subject requests in several states: one just received, one whose identity a privacy officer checked
    (ready to forward to the client, who controls the data) and one refused: the caller could not be identified."""
    officer = staff_user(Role.PRIVACY_OFFICER)
    made = 0
    plan = (
        (RequestKind.ACCESS, "Graag ontvang ik een kopie van alle gegevens die u over mij verwerkt."),
        (RequestKind.RECTIFICATION, "Mijn adres klopt niet meer; ik woon sinds de zomer ergens anders."),
    )
    for (kind, message), case in zip(plan, cases, strict=False):
        [request, *_others] = requests_receive(
            kind=kind,
            channel=RequestChannel.EMAIL,
            requester=Requester(name=case.debtor.display_name, email=str(case.debtor.email or "")),
            actor="demo",
            message=message,
            debtors=[case.debtor],
        )
        made += 1
        if kind is RequestKind.RECTIFICATION and officer is not None:
            request_verify_staff(
                request=request, actor=officer, note="Teruggebeld op het telefoonnummer in het dossier."
            )
    [unknown] = requests_receive(
        kind=RequestKind.ERASURE,
        channel=RequestChannel.PHONE,
        requester=Requester(name="Onbekende beller", phone="+31201234567"),
        actor="demo",
        message="Verwijder al mijn gegevens.",
    )
    request_close(
        request=unknown,
        outcome="Geweigerd: de afzender is niet te identificeren en heeft geen adres of dossier opgegeven.",
        actor="demo",
        refused=True,
    )
    return made + 1
