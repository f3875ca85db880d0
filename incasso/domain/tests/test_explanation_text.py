"""A stored decision explanation as people read it: a reason that only repeats the rule's own value is said once."""

from __future__ import annotations

from typing import Any

from incasso.domain.case_stages import Stage
from incasso.domain.strategy import decide, parse_strategy
from incasso.domain.tests.test_strategy import make_inputs
from incasso.domain.wording import explanation_text


def _stage_rule() -> dict[str, Any]:
    return {
        "rules": [
            {
                "id": "reminder",
                "when": [
                    {"var": "stage", "op": "==", "value": "reminder"},
                    {"var": "stage", "op": "in", "value": ["reminder"]},
                    {"var": "age_days", "op": ">=", "value": 30},
                ],
                "then": {"measure": "review", "review_in_days": 7},
                "explain": {"nl": "Wij kijken ernaar.", "en": "We look at it."},
            },
            {
                "id": "rest",
                "when": [],
                "then": {"measure": "review", "review_in_days": 14},
                "explain": {"nl": "Verder niets.", "en": "Nothing else."},
            },
        ]
    }


def test_a_stage_the_rule_names_is_not_repeated():
    outcome = decide(parse_strategy(_stage_rule()), make_inputs(stage=Stage.REMINDER, age_days=60))
    assert "fase is herinnering (het is herinnering)" in outcome.explanation_nl  # as stored, the record
    dutch, english = explanation_text(outcome.explanation_nl), explanation_text(outcome.explanation_en)
    assert "- fase is herinnering\n" in dutch + "\n" and "(het is herinnering)" not in dutch
    assert "- fase is een van herinnering\n" in dutch + "\n"
    assert "- stage is reminder\n" in english + "\n" and "(it is reminder)" not in english


def test_a_value_that_differs_from_the_rules_is_kept():
    stored = (
        "Wij kijken ernaar.\n- dagen sinds de vervaldatum is minstens 30 (het is 60)\n- fase is een van a, b (het is a)"
    )
    assert explanation_text(stored) == stored
