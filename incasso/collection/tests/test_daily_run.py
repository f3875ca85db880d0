"""The daily run end to end on the database: decisions with explanations, moves, measures, letters, idempotence."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incasso.audit.models import AuditEvent
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.cases.models import Case, Claim, Measure, StaffTask, StageEvent, TaskKind
from incasso.cases.services import case_hold_place
from incasso.collection.daily_run import daily_run, daily_run_chunk
from incasso.communications.models import Letter
from incasso.decisions.models import Decision
from incasso.decisions.services import profiling_objection_record
from incasso.domain.case_lifecycle import HoldKind
from incasso.parties.factories import DebtorFactory
from incasso.parties.models import DebtorKind, ProcessorAgreement

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 11, 2)  # a Monday


def consumer_case(**extra):
    case = CaseFactory(debtor=DebtorFactory(kind=DebtorKind.CONSUMER), opened_on=datetime.date(2026, 10, 1), **extra)
    ClaimFactory(
        case=case, due_date=datetime.date(2026, 9, 1), invoice_date=datetime.date(2026, 8, 1), principal_cents=50_000
    )
    return case


def test_a_consumer_in_reminder_gets_the_fourteen_day_letter_with_a_stored_explanation():
    case = consumer_case()
    summary = daily_run(on=ON)
    assert (summary.cases, summary.decided, summary.moved) == (1, 1, 1)
    case.refresh_from_db()
    assert case.stage == "formal_demand"
    # Queued, not yet posted: the term starts when the letter is printed (communications/test_fourteen_day_posting).
    assert (case.fourteen_day_letter_posted_on, case.costs_due_from) == (None, None)
    decision = Decision.objects.get(case=case)
    assert decision.inputs["amount_outstanding"] and decision.strategy_version.version >= 1
    assert decision.explanation_nl and decision.explanation_en
    assert Measure.objects.get(case=case).kind == "fourteen_day_letter"
    assert Letter.objects.get(case=case).kind == "fourteen_day_letter"
    event = StageEvent.objects.get(case=case)
    assert event.actor_name == "daily run" and "strategy" in event.reason
    claim = Claim.objects.get(case=case)
    assert claim.limitation_interrupted_on == ON
    assert claim.limitation_date == datetime.date(2031, 11, 3)  # 5 years from the day after the demand
    assert case.next_measure_on > ON


def test_a_moved_case_is_written_once_and_the_chunk_audits_in_one_append():
    moved, staying = consumer_case(), consumer_case(stage="formal_demand")
    with CaptureQueriesContext(connection) as run:
        summary = daily_run_chunk(case_ids=[moved.pk, staying.pk], on=ON)
    assert (summary.decided, summary.moved) == (2, 1)
    case_writes = [q["sql"] for q in run.captured_queries if q["sql"].startswith('UPDATE "cases_case"')]
    assert len(case_writes) == 1  # the stage with the day's stamp, not a second version of the moved row
    moved.refresh_from_db()
    assert (moved.stage, moved.last_run_on) == ("formal_demand", ON)
    decisions_audited = AuditEvent.objects.filter(actor_label="automated decision").values_list("details", flat=True)
    assert sorted(details["case_id"] for details in decisions_audited) == sorted([moved.pk, staying.pk])
    (stage_audited,) = AuditEvent.objects.filter(actor_label="daily run")
    assert (stage_audited.subject_id, stage_audited.details["to"]) == (str(moved.debtor_id), "formal_demand")
    chain_heads_locked = [
        q for q in run.captured_queries if "audit_auditchainhead" in q["sql"] and "FOR UPDATE" in q["sql"]
    ]
    assert len(chain_heads_locked) <= 1  # one append for the chunk (none on SQLite, whose write lock serialises)


def test_running_the_same_day_twice_changes_nothing_the_second_time():
    consumer_case()
    consumer_case()
    daily_run(on=ON)
    counts = (
        Decision.objects.count(),
        Measure.objects.count(),
        Letter.objects.count(),
        StageEvent.objects.count(),
        StaffTask.objects.count(),
    )
    second = daily_run(on=ON)
    assert second.cases == 0
    assert counts == (
        Decision.objects.count(),
        Measure.objects.count(),
        Letter.objects.count(),
        StageEvent.objects.count(),
        StaffTask.objects.count(),
    )


def test_after_a_run_a_case_waits_for_its_next_measure_date_and_is_decided_on_it():
    case = consumer_case()
    daily_run(on=ON)
    case.refresh_from_db()
    due_again = case.next_measure_on
    assert due_again == ON + datetime.timedelta(days=18)  # the 14-day letter's rule reviews after 18 days
    for day in range(1, 18):
        assert daily_run(on=ON + datetime.timedelta(days=day)).cases == 0
    assert Decision.objects.filter(case=case).count() == 1
    assert daily_run(on=due_again).decided == 1
    decision = Decision.objects.get(case=case, decided_on=due_again)
    assert decision.inputs["stage"] == "formal_demand"
    assert decision.explanation_nl and decision.explanation_en


def test_a_restricted_case_is_only_stored_and_an_objecting_debtor_is_not_profiled():
    restricted = consumer_case()
    case_hold_place(case=restricted, kind=HoldKind.RESTRICTION, reason="art. 18 request")
    objecting = consumer_case()
    profiling_objection_record(debtor=objecting.debtor, source="portal")
    summary = daily_run(on=ON)
    assert (summary.restricted, summary.not_profiled, summary.decided) == (1, 1, 0)
    assert not Decision.objects.exists() and not Measure.objects.exists() and not Letter.objects.exists()
    assert StaffTask.objects.get(case=objecting).kind == TaskKind.GENERAL
    restricted.refresh_from_db()
    assert restricted.stage == "reminder" and restricted.last_run_on == ON


def test_legal_steps_wait_for_the_clients_approval():
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
        allowed_measures=["legal", "legal_notice"],
        legal_steps_need_approval=True,
    )
    daily_run(on=ON)
    case.refresh_from_db()
    assert case.stage == "amicable"
    assert Measure.objects.get(case=case).status == "awaiting_approval"  # (end to end: test_legal_steps_approval)
    assert StaffTask.objects.filter(case=case, kind=TaskKind.APPROVAL).exists()


def test_the_query_count_does_not_grow_with_the_number_of_cases(django_assert_max_num_queries):
    for _ in range(3):
        consumer_case()
    # (the bound includes the audit of moves and decisions, starting the audit chain on the first run, and the
    # run-level queueing of the insolvency-register checks)
    with django_assert_max_num_queries(56) as few:
        daily_run(on=ON)
    for _ in range(30):
        consumer_case()
    # A few more updates when the cases get more distinct dates (one UPDATE per distinct value), never one per case.
    with django_assert_max_num_queries(len(few.captured_queries) + 8):
        daily_run(on=ON + datetime.timedelta(days=30))


def test_a_chunk_takes_the_same_number_of_queries_whatever_its_size(django_assert_num_queries):
    """One chunk of 3 cases and one of 30, each in the same situation (consumers in reminder, a first run): exactly
    the same statements, so a chunk of 5,000 takes them too."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    daily_run_chunk(case_ids=[consumer_case().pk], on=ON)  # starts the audit chain
    small = [consumer_case().pk for _ in range(3)]
    with CaptureQueriesContext(connection) as first:
        assert daily_run_chunk(case_ids=small, on=ON).cases == 3
    large = [consumer_case().pk for _ in range(30)]
    with django_assert_num_queries(len(first.captured_queries)):
        assert daily_run_chunk(case_ids=large, on=ON).cases == 30
    assert len(first.captured_queries) <= 34  # about thirty statements a chunk, the audit batches included


def test_each_decision_is_audited_against_the_debtor_of_its_case():
    from incasso.audit.models import AuditEvent

    cases = [consumer_case() for _ in range(4)]
    daily_run(on=ON)
    audited = AuditEvent.objects.filter(actor_label="automated decision").values_list("subject_id", "details")
    assert sorted((details["case_id"], subject) for subject, details in audited) == sorted(
        (case.pk, str(case.debtor_id)) for case in cases
    )


def test_the_command_prints_a_summary_and_refuses_a_bad_date(capsys):
    consumer_case()
    call_command("daily-run", "--date", ON.isoformat())
    summary = json.loads(capsys.readouterr().out)
    assert summary["date"] == ON.isoformat() and summary["cases"] == 1
    with pytest.raises(SystemExit) as exit_:
        call_command("daily-run", "--date", "2026-02-30")
    assert exit_.value.code == 2


def test_the_demo_agency_moves_through_the_stages_with_explanations():
    from incasso.demo.dataset import REFERENCE_DATE
    from incasso.demo.services import demo_create

    demo_create(seed=1, debtors=150)
    open_before = Case.objects.exclude(stage="closed").count()
    summary = daily_run(on=REFERENCE_DATE)
    assert summary.decided > open_before // 2
    assert summary.moved > 0 and summary.letters > 0
    assert not Decision.objects.filter(explanation_en="").exists()


def test_a_plan_unpaid_past_its_grace_period_breaks_before_the_cases_are_decided():
    from incasso.arrangements.models import Arrangement, ProposedBy
    from incasso.arrangements.services import arrangement_propose

    case = consumer_case()
    arrangement = arrangement_propose(
        case=case,
        months=3,
        first_due=datetime.date(2026, 10, 1),
        proposed_by=ProposedBy.DEBTOR,
        on=datetime.date(2026, 9, 20),
    )
    assert arrangement.status == "active"
    summary = daily_run(on=ON)  # the first instalment (1 October) is unpaid 32 days later: past the 7-day grace
    assert summary.plans_broken == 1
    assert Arrangement.objects.get(pk=arrangement.pk).status == "broken"


def test_a_chunk_runs_without_cyclic_garbage_collection_and_restores_it(monkeypatch):
    import gc

    from incasso.collection import daily_run as module

    seen = []

    def failing_chunk(case_ids, on):
        seen.append(gc.isenabled())
        raise RuntimeError("stop")

    monkeypatch.setattr(module, "_chunk_run", failing_chunk)
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        daily_run_chunk(case_ids=[1], on=ON)
    assert seen == [False]
    assert gc.isenabled()


def test_the_run_builds_each_quote_request_as_the_case_quote_does():
    from django.db import transaction

    from incasso.cases.selectors import case_quote_requests, case_quote_requests_from
    from incasso.collection.daily_run import _cases_lock, _claims_read

    business = CaseFactory(debtor=DebtorFactory(kind=DebtorKind.SOLE_TRADER), costs_due_from=datetime.date(2026, 9, 1))
    cases = [consumer_case(), business, consumer_case(interest_kind="none")]
    for case, days in zip(cases, (3, 40, 11), strict=True):
        for n, due in enumerate((datetime.date(2026, 8, days % 28 + 1), datetime.date(2026, 7, 15))):
            ClaimFactory(case=case, invoice_number=f"Z-{case.pk}-{n}", due_date=due, principal_cents=1_000 * days + n)
    ids = [case.pk for case in cases]
    with transaction.atomic():
        locked = _cases_lock(ids, ON)
        _limitation_rows, quote_claims = _claims_read(ids)
        built = case_quote_requests_from(cases=[case.quote_row() for case in locked], claims=quote_claims, as_of=ON)
    assert built == case_quote_requests(case_ids=ids, as_of=ON)
    assert len(built) == 3 and built[business.pk].costs is not None
