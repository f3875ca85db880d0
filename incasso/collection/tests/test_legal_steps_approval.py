"""Legal steps that need the client's approval, end to end: the strategy decides them, the daily run writes the step
awaiting approval with a task, the client answers in the portal, and the next run takes the step or does not."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from incasso.accounts.factories import ClientMembershipFactory, UserFactory
from incasso.accounts.roles import Role
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.cases.models import Measure, MeasureKind, MeasureStatus, StaffTask, TaskKind, TaskStatus
from incasso.collection.daily_run import daily_run
from incasso.communications.models import Letter
from incasso.decisions.models import Decision
from incasso.parties.factories import DebtorFactory
from incasso.parties.models import ProcessorAgreement

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 11, 2)
NEXT_DAY = ON + datetime.timedelta(days=1)


@pytest.fixture
def waiting_case():
    """A business case long in amicable collection, of a client whose agreement allows legal steps with approval;
    the standard strategy decides to ask for it on ``ON``."""
    case = CaseFactory(debtor=DebtorFactory(company=True), stage="amicable", opened_on=datetime.date(2026, 1, 5))
    ClaimFactory(
        case=case,
        due_date=datetime.date(2026, 1, 1),
        invoice_date=datetime.date(2025, 12, 1),
        principal_cents=2_500_000,
    )
    ProcessorAgreement.objects.create(
        client=case.client,
        version=1,
        signed_on=ON,
        valid_from=ON,
        allowed_measures=["legal", "legal_notice", "summons"],
        legal_steps_need_approval=True,
    )
    daily_run(on=ON)
    return case


def portal_answer(client, case, decision: str) -> None:
    user = UserFactory()
    user.groups.add(Group.objects.get(name=Role.CLIENT_USER.value))
    ClientMembershipFactory(user=user, client=case.client)
    client.force_login(user)
    response = client.post(reverse("client_portal:legal-steps", args=[case.number]), {"decision": decision})
    assert response.status_code in (200, 302)


def test_the_strategy_asking_for_approval_leaves_a_legal_step_awaiting_it_and_a_task(waiting_case):
    decision = Decision.objects.get(case=waiting_case)
    assert decision.rule_id == "amicable-legal-needs-approval" and decision.outcome["task"] == "approval"
    measure = Measure.objects.get(case=waiting_case)
    assert (measure.kind, measure.status) == (MeasureKind.LEGAL_NOTICE, MeasureStatus.AWAITING_APPROVAL)
    task = StaffTask.objects.get(case=waiting_case, kind=TaskKind.APPROVAL)
    assert task.status == TaskStatus.OPEN
    assert not Letter.objects.filter(case=waiting_case).exists()  # nothing is sent before the answer


def test_after_the_clients_approval_the_next_run_takes_the_legal_step(client, waiting_case):
    portal_answer(client, waiting_case, "approve")
    assert Measure.objects.get(case=waiting_case).status == MeasureStatus.PLANNED
    assert StaffTask.objects.get(case=waiting_case, kind=TaskKind.APPROVAL).status == TaskStatus.DONE
    summary = daily_run(on=NEXT_DAY)  # woken by the approval: its review date is two weeks away
    assert (summary.cases, summary.moved) == (1, 1)
    waiting_case.refresh_from_db()
    assert waiting_case.stage == "legal"
    assert Decision.objects.get(case=waiting_case, decided_on=NEXT_DAY).rule_id == "amicable-legal-ready"
    assert Letter.objects.get(case=waiting_case).kind == MeasureKind.LEGAL_NOTICE
    approved, today = Measure.objects.filter(case=waiting_case).order_by("planned_for")
    assert (approved.status, approved.done_at is not None) == (MeasureStatus.DONE, True)  # taken, not left planned
    assert (today.kind, today.status, today.planned_for) == (MeasureKind.LEGAL_NOTICE, MeasureStatus.PLANNED, NEXT_DAY)
    assert daily_run(on=NEXT_DAY).cases == 0  # idempotent


def test_after_a_refusal_the_next_run_takes_no_legal_step(client, waiting_case):
    portal_answer(client, waiting_case, "refuse")
    assert Measure.objects.get(case=waiting_case).status == MeasureStatus.CANCELLED
    assert daily_run(on=NEXT_DAY).cases == 0
    waiting_case.refresh_from_db()
    assert waiting_case.stage == "amicable" and waiting_case.legal_steps_approved_at is None
    assert not Letter.objects.filter(case=waiting_case).exists()
