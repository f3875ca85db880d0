from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.case_lifecycle import (
    NEXT_STAGES,
    CaseFacts,
    HoldKind,
    TransitionRefused,
    allowed_transitions,
    check_transition,
)
from incasso.domain.case_stages import ClosedReason, Stage

TODAY = date(2024, 9, 20)


def facts(stage=Stage.REMINDER, consumer=True, **extra):
    return CaseFacts(stage=stage, consumer=consumer, today=TODAY, **extra)


def refused(code, case_facts, to, reason=None):
    with pytest.raises(TransitionRefused) as error:
        check_transition(case_facts, to, reason)
    assert error.value.code == code


def test_a_consumer_gets_the_fourteen_day_letter_before_collection():
    refused("fourteen_day_letter_first", facts(), Stage.AMICABLE)
    check_transition(facts(), Stage.FORMAL_DEMAND)
    demand = facts(Stage.FORMAL_DEMAND)
    refused("fourteen_day_term_running", demand, Stage.AMICABLE)  # no letter sent yet
    running = facts(Stage.FORMAL_DEMAND, fourteen_day_term_passed_on=date(2024, 9, 21))
    refused("fourteen_day_term_running", running, Stage.AMICABLE)
    passed = facts(Stage.FORMAL_DEMAND, fourteen_day_term_passed_on=date(2024, 9, 20))
    check_transition(passed, Stage.AMICABLE)


def test_a_business_debtor_needs_no_fourteen_day_letter():
    check_transition(facts(consumer=False), Stage.AMICABLE)
    check_transition(facts(Stage.FORMAL_DEMAND, consumer=False, legal_steps_approved=True), Stage.LEGAL)


def test_legal_steps_wait_for_the_clients_approval_and_permission():
    amicable = facts(Stage.AMICABLE, consumer=False)
    refused("approval_required", amicable, Stage.LEGAL)
    check_transition(facts(Stage.AMICABLE, consumer=False, legal_steps_need_approval=False), Stage.LEGAL)
    forbidden = facts(Stage.AMICABLE, consumer=False, legal_steps_approved=True, allowed_measures=frozenset({"letter"}))
    refused("measure_not_allowed", forbidden, Stage.LEGAL)


@pytest.mark.parametrize("hold", list(HoldKind))
def test_every_hold_pauses_the_case(hold):
    refused("on_hold", facts(Stage.AMICABLE, consumer=False, holds=frozenset({hold})), Stage.ARRANGEMENT)
    assert allowed_transitions(facts(Stage.AMICABLE, consumer=False, holds=frozenset({hold}))) == []


def test_closing_under_a_hold_takes_a_fitting_reason_and_restriction_freezes_everything():
    disputed = facts(Stage.AMICABLE, holds=frozenset({HoldKind.DISPUTE}))
    check_transition(disputed, Stage.CLOSED, ClosedReason.DISPUTED)
    refused("on_hold", disputed, Stage.CLOSED, ClosedReason.UNCOLLECTABLE)
    insolvent = facts(Stage.LEGAL, holds=frozenset({HoldKind.INSOLVENCY}))
    check_transition(insolvent, Stage.CLOSED, ClosedReason.INSOLVENCY)
    for frozen in (HoldKind.RESTRICTION, HoldKind.LEGAL_HOLD):
        for reason in ClosedReason:
            refused("on_hold", facts(Stage.AMICABLE, holds=frozenset({frozen})), Stage.CLOSED, reason)


def test_closing_needs_a_reason_and_a_closed_case_does_not_move():
    refused("reason_required", facts(), Stage.CLOSED)
    refused("reason_without_closing", facts(), Stage.FORMAL_DEMAND, ClosedReason.PAID)
    check_transition(facts(), Stage.CLOSED, ClosedReason.PAID)
    refused("case_closed", facts(Stage.CLOSED), Stage.AMICABLE)


def test_a_broken_arrangement_returns_to_amicable_collection_and_stages_are_not_skipped():
    check_transition(facts(Stage.ARRANGEMENT), Stage.AMICABLE)
    refused("not_a_next_stage", facts(consumer=False), Stage.JUDGMENT)
    refused("not_a_next_stage", facts(Stage.ENFORCEMENT), Stage.LEGAL)


@given(
    stage=st.sampled_from(list(Stage)),
    to=st.sampled_from(list(Stage)),
    consumer=st.booleans(),
    holds=st.frozensets(st.sampled_from(list(HoldKind))),
    approved=st.booleans(),
    term=st.none() | st.dates(min_value=date(2024, 1, 1), max_value=date(2024, 12, 31)),
)
def test_every_allowed_move_is_a_listed_next_stage_and_never_under_a_hold(stage, to, consumer, holds, approved, term):
    case_facts = CaseFacts(stage, consumer, TODAY, holds, term, True, approved)
    try:
        check_transition(case_facts, to, ClosedReason.PAID if to is Stage.CLOSED else None)
    except TransitionRefused:
        return
    if to is not Stage.CLOSED:
        assert to in NEXT_STAGES[stage]
        assert not holds
        if consumer and to in (Stage.AMICABLE, Stage.LEGAL) and stage in (Stage.REMINDER, Stage.FORMAL_DEMAND):
            assert term is not None and term <= TODAY
