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
from incasso.collection.daily_run import daily_run, daily_run_chunk
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
    case = case_needing_approval()
    daily_run(on=ON)
    return case


def case_needing_approval(client=None):
    extra = {} if client is None else {"client": client}
    case = CaseFactory(
        **extra, debtor=DebtorFactory(company=True), stage="amicable", opened_on=datetime.date(2026, 1, 5)
    )
    ClaimFactory(
        case=case,
        due_date=datetime.date(2026, 1, 1),
        invoice_date=datetime.date(2025, 12, 1),
        principal_cents=2_500_000,
    )
    if client is None:
        ProcessorAgreement.objects.create(
            client=case.client,
            version=1,
            signed_on=ON,
            valid_from=ON,
            allowed_measures=["legal", "legal_notice", "summons"],
            legal_steps_need_approval=True,
        )
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


def reviews_without_an_answer(case, count: int) -> datetime.date:
    """Let the run review the case on each of its next ``count`` review dates; the last date."""
    for _ in range(count):
        case.refresh_from_db()
        day = case.next_measure_on
        assert daily_run(on=day).decided == 1
    return day


def test_reviews_before_the_answer_ask_once(client, waiting_case):
    """Each review until the client answers decides to ask again: the decision and the next review date are
    recorded, but the step awaiting approval and the task asking for it stay the one of the first day."""
    last = reviews_without_an_answer(waiting_case, 3)
    assert Decision.objects.filter(case=waiting_case, rule_id="amicable-legal-needs-approval").count() == 4
    waiting_case.refresh_from_db()
    assert waiting_case.last_run_on == last and waiting_case.next_measure_on == last + datetime.timedelta(days=14)
    (measure,) = Measure.objects.filter(case=waiting_case)
    assert (measure.status, measure.planned_for) == (MeasureStatus.AWAITING_APPROVAL, ON)
    (task,) = StaffTask.objects.filter(case=waiting_case)
    assert (task.kind, task.status, task.due_on) == (TaskKind.APPROVAL, TaskStatus.OPEN, ON)

    portal_answer(client, waiting_case, "approve")
    day = last + datetime.timedelta(days=1)
    assert daily_run(on=day).moved == 1
    waiting_case.refresh_from_db()
    assert waiting_case.stage == "legal"
    assert Letter.objects.get(case=waiting_case).kind == MeasureKind.LEGAL_NOTICE  # the step, taken once
    assert sorted(Measure.objects.filter(case=waiting_case).values_list("status", "planned_for")) == [
        (MeasureStatus.DONE, ON),
        (MeasureStatus.PLANNED, day),
    ]
    assert not StaffTask.objects.filter(case=waiting_case, status=TaskStatus.OPEN).exists()


def test_an_open_approval_task_alone_is_not_asked_again(waiting_case):
    """The awaiting step gone without an answer (cancelled by hand), the task still open: the next review puts
    a step awaiting approval back, for the open task to ask about, and no second task."""
    Measure.objects.filter(case=waiting_case).update(status=MeasureStatus.CANCELLED)
    day = reviews_without_an_answer(waiting_case, 1)
    assert Measure.objects.get(case=waiting_case, status=MeasureStatus.AWAITING_APPROVAL).planned_for == day
    assert StaffTask.objects.get(case=waiting_case, kind=TaskKind.APPROVAL).due_on == ON


def test_a_review_reads_what_awaits_approval_in_one_query_whatever_the_chunks_size(django_assert_num_queries):
    """Chunks of 2 and of 20 cases waiting for their client's answer, reviewed: the same statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = case_needing_approval()
    chunks = ([first, case_needing_approval(first.client)], [case_needing_approval(first.client) for _ in range(20)])
    daily_run(on=ON)
    review = ON + datetime.timedelta(days=14)
    with CaptureQueriesContext(connection) as small:
        assert daily_run_chunk(case_ids=[case.pk for case in chunks[0]], on=review).decided == 2
    pending = [q["sql"] for q in small.captured_queries if "UNION" in q["sql"]]
    assert len(pending) == 1 and "awaiting_approval" in str(small.captured_queries)
    with django_assert_num_queries(len(small.captured_queries)):
        summary = daily_run_chunk(case_ids=[case.pk for case in chunks[1]], on=review)
    assert (summary.decided, summary.measures, summary.tasks) == (20, 0, 0)
    assert Measure.objects.filter(status=MeasureStatus.AWAITING_APPROVAL).count() == 22
    assert StaffTask.objects.filter(kind=TaskKind.APPROVAL, status=TaskStatus.OPEN).count() == 22
