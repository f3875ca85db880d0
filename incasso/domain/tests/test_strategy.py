"""The strategy interpreter: documents are checked with a path to the problem, rules decide in order, and the
champion/challenger split is stable."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incasso.domain.case_stages import Stage
from incasso.domain.money import Money
from incasso.domain.strategy import (
    MAX_REVIEW_DAYS,
    StrategyError,
    StrategyInputs,
    Variant,
    assign_variant,
    decide,
    may_profile,
    parse_strategy,
)


def make_inputs(**overrides: Any) -> StrategyInputs:
    values: dict[str, Any] = {
        "case_id": 1,
        "case_number": "2026-000001",
        "stage": Stage.AMICABLE,
        "consumer": True,
        "amount_outstanding": Money(123_456),
        "principal_outstanding": Money(100_000),
        "age_days": 60,
        "days_in_stage": 10,
        "payments_count": 0,
        "promises_kept": 0,
        "promises_broken": 0,
        "income_known": False,
        "income_below_protected": False,
        "attachments": False,
        "other_debts": 0,
        "vulnerable": False,
        "fourteen_day_term_passed": True,
        "legal_allowed": True,
        "legal_approved": False,
        "near_limitation": False,
    }
    values.update(overrides)
    return StrategyInputs(**values)


EXPLAIN = {"nl": "U moet nog {amount_outstanding} betalen.", "en": "You still owe {amount_outstanding}."}


def document() -> dict[str, Any]:
    return {
        "rules": [
            {
                "id": "big",
                "when": [
                    {"var": "amount_outstanding", "op": ">=", "value": "1000.00"},
                    {"var": "stage", "op": "in", "value": ["amicable", "arrangement"]},
                ],
                "then": {"measure": "call", "review_in_days": 7, "task": "call"},
                "explain": EXPLAIN,
            },
            {
                "id": "rest",
                "when": [],
                "then": {"measure": "review", "move_to": "legal", "review_in_days": 14},
                "explain": EXPLAIN,
            },
        ]
    }


def test_first_matching_rule_decides():
    strategy = parse_strategy(document())
    assert decide(strategy, make_inputs()).rule_id == "big"
    assert decide(strategy, make_inputs(amount_outstanding=Money(99_999))).rule_id == "rest"
    assert decide(strategy, make_inputs(stage=Stage.LEGAL)).rule_id == "rest"
    outcome = decide(strategy, make_inputs(stage=Stage.REMINDER))
    assert (outcome.measure, outcome.move_to, outcome.review_in_days, outcome.task) == ("review", Stage.LEGAL, 14, None)
    assert outcome.as_dict() == {"measure": "review", "move_to": "legal", "review_in_days": 14, "task": None}


def test_amounts_compare_exactly_at_the_boundary():
    strategy = parse_strategy(document())
    assert decide(strategy, make_inputs(amount_outstanding=Money(100_000))).rule_id == "big"
    assert decide(strategy, make_inputs(amount_outstanding=Money(99_999))).rule_id == "rest"


def test_explanation_names_the_amount_and_the_reasons_in_both_languages():
    outcome = decide(parse_strategy(document()), make_inputs())
    assert outcome.explanation_nl.startswith("U moet nog € 1.234,56 betalen.")
    assert "openstaand bedrag is minstens € 1.000,00 (het is € 1.234,56)" in outcome.explanation_nl
    assert "fase is een van minnelijke incasso, betalingsregeling (het is minnelijke incasso)" in outcome.explanation_nl
    assert outcome.explanation_en.startswith("You still owe €1,234.56.")
    assert "amount outstanding is at least €1,000.00 (it is €1,234.56)" in outcome.explanation_en


def test_catch_all_explains_that_no_special_reason_applied():
    outcome = decide(parse_strategy(document()), make_inputs(stage=Stage.LEGAL))
    assert "geen bijzondere reden" in outcome.explanation_nl
    assert "No special reason applies" in outcome.explanation_en


def _broken(change: Any) -> dict[str, Any]:
    doc = copy.deepcopy(document())
    change(doc)
    return doc


def _set(path: list[Any], value: Any) -> Any:
    def change(doc: Any) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(path: list[Any]) -> Any:
    def change(doc: Any) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (_set(["rules", 0, "when", 0, "var"], "shoe_size"), "rules[0].when[0].var", "unknown variable"),
        (_set(["rules", 0, "when", 0, "var"], "case_number"), "rules[0].when[0].var", "unknown variable"),
        (_set(["rules", 0, "when", 0, "op"], "=~"), "rules[0].when[0].op", "unknown operator"),
        (_set(["rules", 0, "when", 0, "value"], 1000.5), "rules[0].when[0].value", "amount"),
        (_set(["rules", 0, "when", 0, "value"], "12.345"), "rules[0].when[0].value", "two decimals"),
        (_set(["rules", 0, "when", 1, "value"], ["amicable", "court"]), "rules[0].when[1].value[1]", "unknown stage"),
        (_set(["rules", 0, "when", 1, "value"], []), "rules[0].when[1].value", "non-empty"),
        (_set(["rules", 0, "when", 1, "op"], "<"), "rules[0].when[1].op", "only be compared"),
        (
            _set(["rules", 0, "when", 0], {"var": "vulnerable", "op": "==", "value": 1}),
            "rules[0].when[0].value",
            "yes/no",
        ),
        (
            _set(["rules", 0, "when", 0], {"var": "days_in_stage", "op": ">", "value": True}),
            "rules[0].when[0].value",
            "whole number",
        ),
        (_set(["rules", 0, "then", "measure"], "letter_bomb"), "rules[0].then.measure", "unknown measure"),
        (_set(["rules", 0, "then", "task"], "coffee"), "rules[0].then.task", "unknown task"),
        (_set(["rules", 0, "then", "task"], ["call"]), "rules[0].then.task", "unknown task"),
        (_set(["rules", 0, "then", "move_to"], "closed"), "rules[0].then.move_to", "does not close"),
        (_set(["rules", 0, "then", "review_in_days"], -1), "rules[0].then.review_in_days", "0 or more"),
        (_set(["rules", 0, "then", "review_in_days"], 3_661), "rules[0].then.review_in_days", "at most 3660"),
        (_delete(["rules", 0, "then", "review_in_days"]), "rules[0].then.review_in_days", "required"),
        (_set(["rules", 0, "then", "wait"], 3), "rules[0].then.wait", "not a known field"),
        (_set(["rules", 0, "wehn"], []), "rules[0].wehn", "not a known field"),
        (
            _set(["rules", 0, "explain", "nl"], "{amount_outstanding.__class__}"),
            "rules[0].explain.nl",
            "not a variable",
        ),
        (_set(["rules", 0, "explain", "en"], "{amount_outstanding!r}"), "rules[0].explain.en", "not a variable"),
        (_set(["rules", 0, "explain", "en"], "Pay {}"), "rules[0].explain.en", "not a variable"),
        (_set(["rules", 0, "explain", "en"], "Pay {amount"), "rules[0].explain.en", "braces"),
        (_delete(["rules", 0, "explain", "nl"]), "rules[0].explain.nl", "required"),
        (_set(["rules", 1, "id"], "big"), "rules[1].id", "used twice"),
        (_set(["rules", 1, "when"], [{"var": "consumer", "op": "==", "value": True}]), "rules[1].when", "catch-all"),
        (_set(["rules", 0, "when"], []), "rules[0].when", "only the last rule"),
        (_set(["rules"], []), "rules", "at least one rule"),
        (_set(["rules"], {}), "rules", "list"),
        (_set(["extra"], 1), "extra", "not a known field"),
    ],
)
def test_parser_refuses_bad_documents_with_the_path_of_the_error(change, path, message):
    with pytest.raises(StrategyError) as caught:
        parse_strategy(_broken(change))
    assert caught.value.path == path
    assert message in caught.value.message


def test_a_review_up_to_ten_years_ahead_is_allowed():
    strategy = parse_strategy(_broken(_set(["rules", 0, "then", "review_in_days"], MAX_REVIEW_DAYS)))
    assert strategy.rules[0].review_in_days == MAX_REVIEW_DAYS


def test_an_error_carries_its_message_id_and_values_for_translation():
    with pytest.raises(StrategyError) as caught:
        parse_strategy(_broken(_set(["rules", 0, "then", "measure"], "letter_bomb")))
    error = caught.value
    assert (error.template, dict(error.values)) == ("unknown measure %(value)s", {"value": "'letter_bomb'"})
    assert error.message == "unknown measure 'letter_bomb'" == error.template % error.values
    assert str(error) == "rules[0].then.measure: unknown measure 'letter_bomb'"


def test_an_error_without_values_is_its_message_id_as_written():
    with pytest.raises(StrategyError) as caught:
        parse_strategy(_broken(_set(["rules", 0, "explain", "en"], "Pay {amount")))
    assert caught.value.message == caught.value.template
    assert "{{ or }}" in caught.value.message  # not formatted: no values


def test_parser_refuses_a_document_that_is_not_an_object():
    with pytest.raises(StrategyError) as caught:
        parse_strategy([])
    assert caught.value.path == ""


def test_inputs_as_dict_is_json_safe_and_round_trips():
    inputs = make_inputs()
    data = inputs.as_dict()
    assert data["amount_outstanding"] == "1234.56"
    assert data["stage"] == "amicable"
    assert data["vulnerable"] is False
    assert StrategyInputs.from_dict(data) == inputs


def test_stored_inputs_missing_a_variable_are_refused():
    data = make_inputs().as_dict()
    del data["vulnerable"]
    with pytest.raises(StrategyError) as caught:
        StrategyInputs.from_dict(data)
    assert caught.value.path == "vulnerable"


@given(case_number=st.text(min_size=1, max_size=20), share=st.integers(0, 100), salt=st.text(max_size=10))
def test_the_same_case_always_gets_the_same_variant(case_number, share, salt):
    assert assign_variant(case_number, share, salt) == assign_variant(case_number, share, salt)


def test_share_zero_and_hundred_are_all_champion_and_all_challenger():
    numbers = [f"2026-{n:06d}" for n in range(200)]
    assert {assign_variant(n, 0, "s") for n in numbers} == {Variant.CHAMPION}
    assert {assign_variant(n, 100, "s") for n in numbers} == {Variant.CHALLENGER}


@settings(max_examples=20, deadline=None)
@given(share=st.integers(0, 50), salt=st.text(max_size=8))
def test_the_split_converges_to_the_share(share, salt):
    cases = 20_000
    challengers = sum(assign_variant(f"2026-{n:06d}", share, salt) is Variant.CHALLENGER for n in range(cases))
    # 20,000 draws: the standard deviation of the share is at most 0.35 points; allow more than 4 of them.
    assert abs(challengers * 100 / cases - share) < 1.5


def test_variant_refuses_a_share_outside_0_to_100():
    with pytest.raises(ValueError, match="percentage"):
        assign_variant("2026-000001", 101, "")


def test_only_a_person_who_neither_objected_nor_is_restricted_may_be_profiled():
    assert may_profile(objected=False, restricted=False)
    assert not may_profile(objected=True, restricted=False)
    assert not may_profile(objected=False, restricted=True)
