# mypy: disable-error-code="no-untyped-call"
# (factory_boy declares its declarations without types.)
"""Test factories for strategies and decisions, and the inputs of a case as the daily run would build them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import factory
from factory.declarations import LazyFunction, Sequence, SubFactory

from incasso.cases.models import Case
from incasso.decisions.models import Strategy, StrategyVersion, VersionStatus
from incasso.domain.case_stages import Stage
from incasso.domain.money import Money
from incasso.domain.strategy import StrategyInputs

STANDARD_PATH = Path(__file__).resolve().parent / "strategies" / "standard.json"


def standard_document() -> dict[str, Any]:
    """A fresh copy of the shipped default strategy, safe to change in a test."""
    document: dict[str, Any] = json.loads(STANDARD_PATH.read_text(encoding="utf-8"))
    return document


def strategy_inputs(case: Case | None = None, **overrides: Any) -> StrategyInputs:
    """Inputs of an ordinary consumer case in amicable collection; ``case`` supplies the id, number and stage."""
    values: dict[str, Any] = {
        "case_id": case.pk if case else 1,
        "case_number": case.number if case else "2026-000001",
        "stage": Stage(case.stage) if case else Stage.AMICABLE,
        "consumer": True,
        "amount_outstanding": Money(123_456),
        "principal_outstanding": Money(100_000),
        "age_days": 60,
        "days_in_stage": 30,
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


class StrategyFactory(factory.django.DjangoModelFactory[Strategy]):
    class Meta:
        model = Strategy
        django_get_or_create = ("code",)

    code = Sequence(lambda n: f"strategy-{n}")
    name = Sequence(lambda n: f"Strategy {n}")


class StrategyVersionFactory(factory.django.DjangoModelFactory[StrategyVersion]):
    class Meta:
        model = StrategyVersion

    strategy = SubFactory(StrategyFactory)
    version = Sequence(lambda n: n + 1)
    document = LazyFunction(standard_document)
    status = VersionStatus.DRAFT
