"""Deciding cases in bulk, contesting a decision, objections, and the strategy version life cycle."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from incasso.audit.models import AuditEvent
from incasso.audit.services import AuditEntry, audit_record
from incasso.cases.factories import CaseFactory
from incasso.cases.models import StaffTask, TaskKind, TaskStatus
from incasso.cases.services import case_hold_lift, case_hold_place
from incasso.decisions.factories import StrategyVersionFactory, standard_document, strategy_inputs
from incasso.decisions.models import Decision, ObjectionSource, StrategyVersion, VersionStatus
from incasso.decisions.selectors import ProfilingBlock, case_profiling_blocks, strategy_in_force
from incasso.decisions.services import (
    decision_contest,
    decision_review_record,
    decisions_decide_bulk,
    decisions_take_locked_bulk,
    profiling_objection_record,
    profiling_objection_withdraw,
    strategy_challenger_set,
    strategy_version_activate,
    strategy_version_create,
)
from incasso.domain.audit_chain import SubjectRef
from incasso.domain.case_lifecycle import HoldKind
from incasso.domain.case_stages import Stage
from incasso.domain.strategy import StrategyError, Variant
from incasso.parties.factories import DebtorFactory

TODAY = datetime.date(2026, 11, 2)

pytestmark = pytest.mark.django_db


def test_the_default_strategy_is_loaded_and_active():
    in_force = strategy_in_force(strategy_code="standard")
    assert in_force.champion.version == 1
    assert in_force.challenger is None
    assert in_force.champion_rules.rules[-1].id == "default-review"


def test_a_decision_is_stored_with_inputs_version_and_explanation(case):
    inputs = strategy_inputs(case, stage=Stage.AMICABLE, days_in_stage=50)
    decisions = decisions_decide_bulk(inputs=[inputs], on=TODAY)
    decision = Decision.objects.get(pk=decisions[case.pk].pk)
    assert decision.strategy_version.version == 1
    assert decision.variant == Variant.CHAMPION
    assert decision.inputs == inputs.as_dict()
    assert decision.rule_id == "amicable-legal-needs-approval"
    assert decision.outcome == {"measure": "review", "move_to": None, "review_in_days": 14, "task": "approval"}
    assert "€ 1.234,56" in decision.explanation_nl
    assert "€1,234.56" in decision.explanation_en


def test_deciding_twice_on_one_day_reuses_the_first_decision(case):
    first = decisions_decide_bulk(inputs=[strategy_inputs(case, stage=Stage.AMICABLE, days_in_stage=5)], on=TODAY)
    again = decisions_decide_bulk(inputs=[strategy_inputs(case, stage=Stage.AMICABLE, days_in_stage=50)], on=TODAY)
    assert again[case.pk].pk == first[case.pk].pk
    assert again[case.pk].rule_id == "amicable-first-weeks"
    assert Decision.objects.filter(case=case).count() == 1
    next_day = decisions_decide_bulk(inputs=[strategy_inputs(case, days_in_stage=50)], on=TODAY + datetime.timedelta(1))
    assert next_day[case.pk].pk != first[case.pk].pk


def test_the_database_refuses_two_decisions_for_a_case_on_one_day(case):
    decisions_decide_bulk(inputs=[strategy_inputs(case)], on=TODAY)
    existing = Decision.objects.get(case=case)
    existing.pk = None
    with pytest.raises(IntegrityError):
        existing.save()


@pytest.mark.parametrize("cases", [1, 50])
def test_deciding_takes_a_constant_number_of_queries(cases, django_assert_max_num_queries):
    inputs = [strategy_inputs(case) for case in CaseFactory.create_batch(cases)]
    audit_record(actor="test", action="read", subject=None, fields=[], purpose="security", source="test")  # chain head
    # The strategy in force, the profiling blocks, the day's decisions, one insert, the inserted rows read back,
    # and the audit of the new decisions (their debtors, lock the chain head, insert, move the head).
    with django_assert_max_num_queries(9):
        decided = decisions_decide_bulk(inputs=inputs, on=TODAY)
    assert len(decided) == cases
    with django_assert_max_num_queries(3):  # the second run of the day reads and reuses
        assert decisions_decide_bulk(inputs=inputs, on=TODAY) == decided


_STORED = ("strategy_version_id", "variant", "inputs", "rule_id", "outcome", "explanation_nl", "explanation_en")


def test_deciding_under_the_cases_locks_stores_what_deciding_without_them_stores():
    cases = CaseFactory.create_batch(6)
    changes = [{}, {"days_in_stage": 50}, {"stage": Stage.REMINDER}, {"vulnerable": True}, {"consumer": False}, {}]
    inputs = [strategy_inputs(case, **change) for case, change in zip(cases, changes, strict=True)]
    blocks = {cases[-1].pk: ProfilingBlock.OBJECTED}
    debtors = {case.pk: case.debtor_id for case in cases}
    audit: list[AuditEntry] = []
    taken = decisions_take_locked_bulk(inputs=inputs, on=TODAY, blocks=blocks, debtors=debtors, audit=audit)
    assert not AuditEvent.objects.exists()  # handed to the caller, which records them with the rest of its chunk
    reference = decisions_decide_bulk(inputs=inputs, on=TODAY + datetime.timedelta(1), blocks=blocks)
    assert set(taken) == set(reference) == {case.pk for case in cases[:-1]}
    recorded = AuditEvent.objects.order_by("sequence").values_list("subject_type", "subject_id", "fields", "details")
    assert [
        (entry.subject.model, entry.subject.pk, list(entry.fields), entry.details)
        for entry in audit
        if isinstance(entry.subject, SubjectRef)
    ] == [(kind, pk, fields, details) for kind, pk, fields, details in recorded]
    for case_id, decision in reference.items():
        stored = Decision.objects.filter(case_id=case_id, decided_on=TODAY).values(*_STORED).get()
        assert stored == Decision.objects.filter(pk=decision.pk).values(*_STORED).get()
        answer = taken[case_id]
        assert (answer.outcome, answer.explanation_nl, answer.explanation_en) == (
            stored["outcome"],
            stored["explanation_nl"],
            stored["explanation_en"],
        )
    assert not Decision.objects.filter(case=cases[-1]).exists()


def test_deciding_under_the_locks_twice_on_one_day_answers_the_first_decision(case):
    debtors = {case.pk: case.debtor_id}
    audit: list[AuditEntry] = []
    first = decisions_take_locked_bulk(
        inputs=[strategy_inputs(case, stage=Stage.AMICABLE, days_in_stage=5)],
        on=TODAY,
        blocks={},
        debtors=debtors,
        audit=audit,
    )
    again = decisions_take_locked_bulk(
        inputs=[strategy_inputs(case, stage=Stage.AMICABLE, days_in_stage=50)],
        on=TODAY,
        blocks={},
        debtors=debtors,
        audit=audit,
    )
    assert again == first
    assert len(audit) == 1  # the second call decided nothing: nothing to record
    assert Decision.objects.get(case=case).rule_id == "amicable-first-weeks"


def test_an_objecting_debtor_is_not_profiled(case):
    objection = profiling_objection_record(debtor=case.debtor, source=ObjectionSource.PORTAL)
    assert profiling_objection_record(debtor=case.debtor, source=ObjectionSource.EMAIL) == objection
    other = CaseFactory()
    decided = decisions_decide_bulk(inputs=[strategy_inputs(case), strategy_inputs(other)], on=TODAY)
    assert set(decided) == {other.pk}
    assert case_profiling_blocks(case_ids=[case.pk, other.pk], on=TODAY) == {case.pk: ProfilingBlock.OBJECTED}
    profiling_objection_withdraw(objection=objection)
    assert case.pk in decisions_decide_bulk(inputs=[strategy_inputs(case)], on=TODAY)


def test_a_restricted_debtor_is_not_profiled_in_any_of_their_cases(case):
    second_case = CaseFactory(debtor=case.debtor)
    hold = case_hold_place(case=case, kind=HoldKind.RESTRICTION, reason="art. 18 request")
    decided = decisions_decide_bulk(inputs=[strategy_inputs(case), strategy_inputs(second_case)], on=TODAY)
    assert decided == {}
    assert case_profiling_blocks(case_ids=[second_case.pk], on=TODAY) == {second_case.pk: ProfilingBlock.RESTRICTED}
    case_hold_lift(hold=hold, reason="lifted")
    assert set(decisions_decide_bulk(inputs=[strategy_inputs(case)], on=TODAY)) == {case.pk}


def test_another_kind_of_hold_does_not_stop_profiling(case):
    case_hold_place(case=case, kind=HoldKind.DISPUTE, reason="disputed")
    assert case_profiling_blocks(case_ids=[case.pk], on=TODAY) == {}


def test_contesting_creates_one_review_task_and_the_review_closes_it(case, staff_user):
    decision = decisions_decide_bulk(inputs=[strategy_inputs(case)], on=TODAY)[case.pk]
    task = decision_contest(decision=decision, reason="Ik heb al betaald.")
    assert decision_contest(decision=decision, reason="Nogmaals.") == task
    assert StaffTask.objects.filter(kind=TaskKind.HUMAN_REVIEW, case=case).count() == 1
    assert task.status == TaskStatus.OPEN
    assert "Ik heb al betaald." in task.details
    decision.refresh_from_db()
    assert decision.contested_at is not None
    assert decision.contest_reason == "Ik heb al betaald."
    # While the review is open, no new automated decision is made for the case.
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert decisions_decide_bulk(inputs=[strategy_inputs(case)], on=tomorrow) == {}
    assert case_profiling_blocks(case_ids=[case.pk], on=tomorrow) == {case.pk: ProfilingBlock.CONTESTED}

    decision_review_record(decision=decision, outcome="Payment found; measure cancelled.", actor=staff_user)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.outcome == "Payment found; measure cancelled."
    assert decision.reviewed_by == staff_user
    assert decision.review_outcome == "Payment found; measure cancelled."
    assert case.pk in decisions_decide_bulk(inputs=[strategy_inputs(case)], on=tomorrow)
    with pytest.raises(ValidationError):
        decision_review_record(decision=decision, outcome="again", actor=staff_user)


def test_an_uncontested_decision_cannot_be_reviewed(case, staff_user):
    decision = decisions_decide_bulk(inputs=[strategy_inputs(case)], on=TODAY)[case.pk]
    with pytest.raises(ValidationError):
        decision_review_record(decision=decision, outcome="fine", actor=staff_user)


def test_a_new_version_is_a_draft_until_activated(staff_user):
    document = standard_document()
    document["rules"][-1]["then"]["review_in_days"] = 7
    draft = strategy_version_create(strategy_code="standard", document=document, created_by=staff_user, notes="sooner")
    assert (draft.version, draft.status) == (2, VersionStatus.DRAFT)
    assert strategy_in_force(strategy_code="standard").champion.version == 1
    strategy_version_activate(version=draft, actor=staff_user)
    assert strategy_in_force(strategy_code="standard").champion.pk == draft.pk
    assert StrategyVersion.objects.get(strategy__code="standard", version=1).status == VersionStatus.RETIRED


def test_an_invalid_document_is_not_stored():
    document = standard_document()
    document["rules"][0]["when"][0]["op"] = "≈"
    with pytest.raises(StrategyError) as caught:
        strategy_version_create(strategy_code="standard", document=document)
    assert caught.value.path == "rules[0].when[0].op"
    assert StrategyVersion.objects.filter(strategy__code="standard").count() == 1


def test_the_database_allows_one_active_champion_per_strategy():
    champion = strategy_in_force(strategy_code="standard").champion
    with pytest.raises(IntegrityError):
        StrategyVersionFactory(strategy=champion.strategy, version=9, status=VersionStatus.ACTIVE)


def test_a_challenger_decides_its_share_of_the_cases_stably(staff_user):
    champion = strategy_in_force(strategy_code="standard").champion
    document = standard_document()
    document["rules"][-1]["id"] = "challenger-default"
    challenger = strategy_version_create(strategy_code="standard", document=document)
    strategy_challenger_set(champion=champion, challenger=challenger, share_percent=50)
    cases = CaseFactory.create_batch(40, stage="legal")
    inputs = [strategy_inputs(case, days_in_stage=1) for case in cases]
    decided = decisions_decide_bulk(inputs=inputs, on=TODAY)
    variants = {d.variant for d in decided.values()}
    assert variants == {Variant.CHAMPION, Variant.CHALLENGER}
    for decision in decided.values():
        expected = "challenger-default" if decision.variant == Variant.CHALLENGER else "default-review"
        assert decision.rule_id == expected
        assert decision.strategy_version_id == (
            challenger.pk if decision.variant == Variant.CHALLENGER else champion.pk
        )
    later = decisions_decide_bulk(inputs=inputs, on=TODAY + datetime.timedelta(days=1))
    assert {c: d.variant for c, d in later.items()} == {c: d.variant for c, d in decided.items()}

    strategy_challenger_set(champion=champion, challenger=None)
    assert strategy_in_force(strategy_code="standard").challenger is None


def test_a_challenger_takes_at_most_half_the_cases():
    champion = strategy_in_force(strategy_code="standard").champion
    challenger = strategy_version_create(strategy_code="standard", document=standard_document())
    with pytest.raises(ValidationError):
        strategy_challenger_set(champion=champion, challenger=challenger, share_percent=60)


def test_promoting_the_challenger_retires_the_champion(staff_user):
    champion = strategy_in_force(strategy_code="standard").champion
    challenger = strategy_version_create(strategy_code="standard", document=standard_document())
    strategy_challenger_set(champion=champion, challenger=challenger, share_percent=10)
    strategy_version_activate(version=challenger, actor=staff_user)
    in_force = strategy_in_force(strategy_code="standard")
    assert in_force.champion.pk == challenger.pk
    assert in_force.challenger is None
    assert in_force.champion.challenger_share_percent == 0


def test_an_objection_needs_a_known_source(case):
    assert profiling_objection_record(debtor=case.debtor, source="phone").source == ObjectionSource.PHONE
    with pytest.raises(ValidationError):
        profiling_objection_record(debtor=CaseFactory().debtor, source="pigeon")


def test_objection_belongs_to_the_debtor_not_to_the_person_elsewhere(case):
    other_client_debtor = DebtorFactory(surname=case.debtor.surname)
    profiling_objection_record(debtor=other_client_debtor, source=ObjectionSource.PHONE)
    assert case_profiling_blocks(case_ids=[case.pk], on=TODAY) == {}
