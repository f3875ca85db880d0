"""The shipped default strategy: every rule can be reached, and no input makes it do what the law forbids."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incasso.cases.models import MeasureKind, TaskKind
from incasso.decisions.factories import standard_document, strategy_inputs
from incasso.domain import strategy as strategy_module
from incasso.domain.case_lifecycle import NEXT_STAGES
from incasso.domain.case_stages import Stage
from incasso.domain.money import Money
from incasso.domain.strategy import (
    EN,
    MEASURES,
    NL,
    TASKS,
    StrategyInputs,
    _explain,
    _json_value,
    decide,
    parse_strategy,
)

STANDARD = parse_strategy(standard_document())

# For each rule of the default strategy, the changes to an ordinary amicable consumer case that make it decide.
REACHING = {
    "vulnerable": {"vulnerable": True},
    "income-below-protected": {"income_below_protected": True, "income_known": True},
    "near-limitation": {"near_limitation": True},
    "consumer-reminder": {"stage": Stage.REMINDER, "fourteen_day_term_passed": False},
    "business-reminder": {"stage": Stage.REMINDER, "consumer": False},
    "formal-demand-term-running": {"stage": Stage.FORMAL_DEMAND, "fourteen_day_term_passed": False},
    "formal-demand-partly-paid": {"stage": Stage.FORMAL_DEMAND, "payments_count": 1},
    "formal-demand-unpaid": {"stage": Stage.FORMAL_DEMAND},
    "arrangement-running": {"stage": Stage.ARRANGEMENT},
    "amicable-first-weeks": {"days_in_stage": 5},
    "amicable-promises-kept": {"promises_kept": 2},
    "amicable-attachments": {"attachments": True},
    "amicable-legal-ready": {"days_in_stage": 50, "legal_approved": True},
    "amicable-legal-needs-approval": {"days_in_stage": 50},
    "amicable-small-amount": {"amount_outstanding": Money(50_000)},
    "amicable-follow-up": {},
    "legal-summons": {"stage": Stage.LEGAL, "days_in_stage": 20},
    "judgment-bailiff": {"stage": Stage.JUDGMENT},
    "default-review": {"stage": Stage.LEGAL, "days_in_stage": 3},
}


def test_every_rule_of_the_default_strategy_is_reachable():
    assert set(REACHING) == {rule.id for rule in STANDARD.rules}


@pytest.mark.parametrize(("rule_id", "changes"), REACHING.items())
def test_rule_decides_for_its_inputs(rule_id, changes):
    assert decide(STANDARD, strategy_inputs(**changes)).rule_id == rule_id


def test_consumers_get_the_fourteen_day_letter_and_businesses_the_demand():
    consumer = decide(STANDARD, strategy_inputs(stage=Stage.REMINDER))
    assert (consumer.measure, consumer.move_to) == ("fourteen_day_letter", Stage.FORMAL_DEMAND)
    business = decide(STANDARD, strategy_inputs(stage=Stage.REMINDER, consumer=False))
    assert (business.measure, business.move_to) == ("demand_letter", Stage.AMICABLE)


def test_explanation_names_the_amount_and_the_reason_in_both_languages():
    outcome = decide(STANDARD, strategy_inputs(days_in_stage=50))
    assert outcome.task == "approval"
    assert "€ 1.234,56" in outcome.explanation_nl
    assert "juridische stappen goedgekeurd is nee (het is nee)" in outcome.explanation_nl
    assert "dagen in deze fase is minstens 42 (het is 50)" in outcome.explanation_nl
    assert "€1,234.56" in outcome.explanation_en
    assert "legal steps approved is no (it is no)" in outcome.explanation_en
    assert "days in this stage is at least 42 (it is 50)" in outcome.explanation_en


def test_the_measures_and_tasks_of_the_core_are_those_of_the_cases_app():
    assert set(MeasureKind.values) == MEASURES
    assert set(TaskKind.values) == TASKS


ANY_INPUTS = st.builds(
    StrategyInputs,
    case_id=st.integers(1, 10**9),
    case_number=st.from_regex(r"\A20[0-9]{2}-[0-9]{6}\Z"),
    stage=st.sampled_from([stage for stage in Stage if stage.is_open]),
    consumer=st.booleans(),
    amount_outstanding=st.integers(0, 10**8).map(Money),
    principal_outstanding=st.integers(0, 10**8).map(Money),
    age_days=st.integers(0, 3_000),
    days_in_stage=st.integers(0, 400),
    payments_count=st.integers(0, 20),
    promises_kept=st.integers(0, 5),
    promises_broken=st.integers(0, 5),
    income_known=st.booleans(),
    income_below_protected=st.booleans(),
    attachments=st.booleans(),
    other_debts=st.integers(0, 10),
    vulnerable=st.booleans(),
    fourteen_day_term_passed=st.booleans(),
    legal_allowed=st.booleans(),
    legal_approved=st.booleans(),
    near_limitation=st.booleans(),
)
LEGAL_MEASURES = {"legal_notice", "payment_order", "summons", "bailiff"}


@given(ANY_INPUTS)
def test_the_default_strategy_never_proposes_a_forbidden_step(inputs):
    outcome = decide(STANDARD, inputs)
    if inputs.vulnerable or inputs.income_below_protected:
        assert outcome.measure not in LEGAL_MEASURES
        assert outcome.move_to is None
        assert outcome.task == "human_review"
    if outcome.move_to is not None:
        assert outcome.move_to in NEXT_STAGES[inputs.stage]
    if outcome.move_to is Stage.LEGAL:
        assert inputs.legal_allowed
        assert inputs.legal_approved
    if inputs.consumer and outcome.move_to is Stage.AMICABLE:
        assert inputs.fourteen_day_term_passed
    if outcome.measure == "legal_notice":
        assert inputs.legal_allowed
        assert inputs.legal_approved


def _explained_in_one_go(inputs: StrategyInputs) -> tuple[str, str]:
    """The explanations as the interpreter rendered them before the "why" part was cached: the reference."""
    compiled = next(rule for rule in STANDARD.compiled if all(test(inputs) for test in rule.tests))
    return _explain(compiled, inputs, NL), _explain(compiled, inputs, EN)


@given(st.lists(ANY_INPUTS, min_size=1, max_size=30))
@settings(max_examples=200)
def test_cached_explanations_are_those_rendered_in_one_go(batch):
    # A batch shares the rules' caches, as a chunk of the daily run does: a cached "why" must never leak into a
    # case with other values.
    for inputs in batch:
        outcome = decide(STANDARD, inputs)
        assert (outcome.explanation_nl, outcome.explanation_en) == _explained_in_one_go(inputs)


def test_the_explanation_cache_stays_bounded(monkeypatch):
    monkeypatch.setattr(strategy_module, "_WHY_CACHE_SIZE", 3)
    rules = parse_strategy(standard_document())
    for days in range(42, 60):
        outcome = decide(rules, strategy_inputs(days_in_stage=days))
        assert f"(het is {days})" in outcome.explanation_nl
    assert all(len(compiled.why) <= 3 for compiled in rules.compiled)


@given(ANY_INPUTS)
def test_stored_inputs_are_the_field_by_field_conversion_and_round_trip(inputs):
    data = inputs.as_dict()
    assert data == {item.name: _json_value(getattr(inputs, item.name)) for item in fields(StrategyInputs)}
    assert json.loads(json.dumps(data)) == data
    assert StrategyInputs.from_dict(data) == inputs
