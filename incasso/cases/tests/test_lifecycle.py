"""The case lifecycle through its services: guards from the domain, events with who and why, holds, tasks."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from incasso.accounts.factories import UserFactory
from incasso.audit.models import AuditEvent
from incasso.audit.services import AuditEntry
from incasso.cases.factories import CaseFactory
from incasso.cases.models import Case, CaseHold, PartyRole, StaffTask, StageEvent, TaskKind, TaskStatus
from incasso.cases.services import (
    StageMove,
    case_hold_lift,
    case_hold_place,
    case_party_add,
    case_transition,
    cases_transition_bulk,
    cases_transition_locked_bulk,
    task_close,
    task_create,
)
from incasso.domain.audit_chain import SubjectRef
from incasso.domain.case_lifecycle import HoldKind, TransitionRefused
from incasso.domain.case_stages import ClosedReason, Stage
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.parties.models import DebtorKind, ProcessorAgreement
from incasso.webhooks.services import CASE_EVENTS_QUERIES_UNSUBSCRIBED

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 10, 1)


@pytest.fixture
def consumer_case():
    return CaseFactory(debtor=DebtorFactory(kind=DebtorKind.CONSUMER))


def test_every_move_is_an_event_with_who_and_why(consumer_case):
    collector = UserFactory()
    case_transition(
        case=consumer_case, to=Stage.FORMAL_DEMAND, reason="no payment after reminder", today=TODAY, actor=collector
    )
    event = StageEvent.objects.get(case=consumer_case)
    assert (event.from_stage, event.to_stage, event.actor, event.actor_name) == (
        "reminder",
        "formal_demand",
        collector,
        collector.username,
    )
    assert event.reason == "no payment after reminder"
    consumer_case.refresh_from_db()
    assert consumer_case.stage == "formal_demand"


def test_a_refused_move_changes_nothing(consumer_case):
    with pytest.raises(TransitionRefused) as refused:
        case_transition(case=consumer_case, to=Stage.AMICABLE, reason="skip the letter", today=TODAY)
    assert refused.value.code == "fourteen_day_letter_first"
    consumer_case.refresh_from_db()
    assert consumer_case.stage == "reminder"
    assert not StageEvent.objects.exists()


def test_the_fourteen_day_term_gates_collection_for_consumers(consumer_case):
    consumer_case.stage = Stage.FORMAL_DEMAND.value
    consumer_case.costs_due_from = datetime.date(2026, 10, 2)
    consumer_case.save()
    with pytest.raises(TransitionRefused):
        case_transition(case=consumer_case, to=Stage.AMICABLE, reason="term over?", today=TODAY)
    case_transition(case=consumer_case, to=Stage.AMICABLE, reason="term over", today=datetime.date(2026, 10, 2))


def test_legal_steps_follow_the_processor_agreement():
    case = CaseFactory(debtor=DebtorFactory(company=True), stage="amicable")
    ProcessorAgreement.objects.create(
        client=case.client,
        version=1,
        signed_on=TODAY,
        valid_from=TODAY,
        allowed_measures=["legal"],
        legal_steps_need_approval=True,
    )
    with pytest.raises(TransitionRefused) as refused:
        case_transition(case=case, to=Stage.LEGAL, reason="summons", today=TODAY)
    assert refused.value.code == "approval_required"
    case.legal_steps_approved_at = datetime.datetime(2026, 9, 30, tzinfo=datetime.UTC)
    case.save()
    case_transition(case=case, to=Stage.LEGAL, reason="approved by client", today=TODAY)
    ProcessorAgreement.objects.create(
        client=case.client,
        version=2,
        signed_on=TODAY,
        valid_from=TODAY,
        allowed_measures=["reminder_letter"],
    )
    other = CaseFactory(
        debtor=DebtorFactory(client=case.client, company=True),
        stage="amicable",
        legal_steps_approved_at=case.legal_steps_approved_at,
    )
    with pytest.raises(TransitionRefused) as refused:
        case_transition(case=other, to=Stage.LEGAL, reason="summons", today=TODAY)
    assert refused.value.code == "measure_not_allowed"


def test_a_hold_pauses_the_case_until_it_is_lifted(consumer_case):
    hold = case_hold_place(case=consumer_case, kind=HoldKind.DISPUTE, reason="debtor disputes delivery")
    assert case_hold_place(case=consumer_case, kind=HoldKind.DISPUTE, reason="again") == hold
    with pytest.raises(TransitionRefused):
        case_transition(case=consumer_case, to=Stage.FORMAL_DEMAND, reason="go on", today=TODAY)
    case_hold_lift(hold=hold, reason="dispute resolved", actor=UserFactory())
    with pytest.raises(ValidationError):
        case_hold_lift(hold=hold, reason="twice")
    case_transition(case=consumer_case, to=Stage.FORMAL_DEMAND, reason="go on", today=TODAY)
    assert CaseHold.objects.get().lift_reason == "dispute resolved"


def test_closing_records_reason_and_date(consumer_case):
    case_transition(
        case=consumer_case, to=Stage.CLOSED, closed_reason=ClosedReason.PAID, reason="paid in full", today=TODAY
    )
    consumer_case.refresh_from_db()
    assert (consumer_case.closed_reason, consumer_case.closed_on) == ("paid", TODAY)


def test_bulk_moves_skip_cases_that_moved_meanwhile(django_assert_max_num_queries):
    cases = CaseFactory.create_batch(5, debtor=DebtorFactory(kind=DebtorKind.CONSUMER))
    cases[0].stage = Stage.CLOSED.value
    cases[0].closed_reason, cases[0].closed_on = "paid", TODAY
    cases[0].save()
    warm_up = CaseFactory(debtor=DebtorFactory(kind=DebtorKind.CONSUMER))
    case_transition(case=warm_up, to=Stage.FORMAL_DEMAND, reason="starts the audit chain", today=TODAY)
    moves = [StageMove(c.pk, Stage.REMINDER, Stage.FORMAL_DEMAND, "daily run: no payment") for c in cases]
    # Savepoint, one update that locks, re-checks the stage and answers the debtors, events, audit (lock head,
    # insert, move head), the clients' webhook endpoints, release: never per case.
    with django_assert_max_num_queries(7 + CASE_EVENTS_QUERIES_UNSUBSCRIBED):
        moved = cases_transition_bulk(moves=moves, today=TODAY, actor_name="daily run")
    assert moved == 4
    assert StageEvent.objects.filter(actor_name="daily run").count() == 4
    assert not StageEvent.objects.filter(case=cases[0]).exists()
    audited = AuditEvent.objects.filter(actor_label="daily run").values_list("subject_id", flat=True)
    assert sorted(audited) == sorted(str(c.debtor_id) for c in cases[1:])


def test_moves_of_locked_cases_are_recorded_and_their_audit_handed_to_the_caller():
    cases = CaseFactory.create_batch(3, debtor=DebtorFactory(kind=DebtorKind.CONSUMER))
    moves = [StageMove(c.pk, Stage.REMINDER, Stage.FORMAL_DEMAND, "daily run: no payment") for c in cases[:2]]
    audit: list[AuditEntry] = []
    debtors = {c.pk: c.debtor_id for c in cases}
    assert cases_transition_locked_bulk(moves=moves, debtors=debtors, actor_name="daily run", audit=audit) == 2
    # The events are written; the stage is the caller's to write with its own update of the locked rows.
    assert sorted(StageEvent.objects.filter(actor_name="daily run").values_list("case_id", flat=True)) == sorted(
        c.pk for c in cases[:2]
    )
    assert Case.objects.get(pk=cases[0].pk).stage == Stage.REMINDER.value
    assert not AuditEvent.objects.filter(actor_label="daily run").exists()
    assert [(entry.subject, entry.details) for entry in audit] == [
        (SubjectRef("parties.Debtor", str(c.debtor_id)), {"case_id": c.pk, "from": "reminder", "to": "formal_demand"})
        for c in cases[:2]
    ]
    closing = [StageMove(cases[2].pk, Stage.REMINDER, Stage.CLOSED, "paid", ClosedReason.PAID)]
    with pytest.raises(ValueError, match="closing"):
        cases_transition_locked_bulk(moves=closing, debtors=debtors, actor_name="daily run", audit=audit)


def test_parties_of_a_case_belong_to_its_client(consumer_case):
    guarantor = DebtorFactory(client=consumer_case.client)
    case_party_add(case=consumer_case, party=guarantor, role=PartyRole.GUARANTOR)
    with pytest.raises(ValidationError):
        case_party_add(
            case=consumer_case, party=DebtorFactory(client=ClientFactory(code="other")), role=PartyRole.CO_LIABLE
        )


def test_tasks_are_queued_once_per_key_and_closed_once(consumer_case):
    first = task_create(
        kind=TaskKind.HUMAN_REVIEW, title="Review", due_on=TODAY, case=consumer_case, idempotency_key="k1"
    )
    assert (
        task_create(kind=TaskKind.HUMAN_REVIEW, title="Review", due_on=TODAY, case=consumer_case, idempotency_key="k1")
        == first
    )
    assert StaffTask.objects.count() == 1
    task_close(task=first, actor=UserFactory(), outcome="decision upheld")
    assert first.status == TaskStatus.DONE
    with pytest.raises(ValidationError):
        task_close(task=first, actor=UserFactory(), outcome="again")


def test_the_case_quote_sums_its_claims_with_costs_and_vat_when_due():
    from incasso.cases.factories import ClaimFactory
    from incasso.cases.selectors import case_quote

    case = CaseFactory(interest_kind="none", costs_due_from=datetime.date(2026, 9, 1))
    case.client.vat_deductible = False
    case.client.save()
    ClaimFactory(case=case, principal_cents=150_000)
    ClaimFactory(case=case, principal_cents=150_000)
    quote = case_quote(case=case, as_of=TODAY)
    assert str(quote.costs.amount) == "514.25"  # 425.00 over the summed 3000.00, plus 21% VAT
    assert str(quote.total_outstanding) == "3514.25"


def test_case_numbers_keep_counting_past_a_million_a_year():
    from incasso.cases.services import case_number_next

    CaseFactory(number="2026-999999")
    CaseFactory(number="2026-1000000")
    assert case_number_next(year=2026) == "2026-1000001"
    assert case_number_next(year=2027) == "2027-000001"


def test_a_move_is_in_the_audit_log_with_who_which_subject_and_purpose(consumer_case):
    collector = UserFactory()
    case_transition(case=consumer_case, to=Stage.FORMAL_DEMAND, reason="no payment", today=TODAY, actor=collector)
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.subject_type, event.subject_id) == (
        collector,
        "update",
        "parties.Debtor",
        str(consumer_case.debtor_id),
    )
    assert event.purpose == "debt_collection" and "cases.Case.stage" in event.fields


def test_the_case_factory_can_write_the_opened_event(db):
    from incasso.cases.factories import CaseFactory

    case = CaseFactory(opened_event=True)
    event = StageEvent.objects.get(case=case)
    assert (event.from_stage, event.to_stage, event.actor_name) == ("", "reminder", "factory")
    assert not StageEvent.objects.filter(case=CaseFactory()).exists()
