# mypy: disable-error-code="no-untyped-call"
# (factory_boy declares its declarations without types.)
"""Test factories for cases and claims. A case's client is always its debtor's client, as in real life."""

from __future__ import annotations

import datetime

import factory
from factory.declarations import SelfAttribute, Sequence, SubFactory, Trait

from incasso.cases.models import Case, Claim, InterestKind
from incasso.domain.case_stages import Stage
from incasso.parties.factories import DebtorFactory


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    class Meta:
        model = Case

    debtor = SubFactory(DebtorFactory)
    client = SelfAttribute("debtor.client")
    number = Sequence(lambda n: f"2026-{n + 1:06d}")
    stage = Stage.REMINDER.value
    opened_on = datetime.date(2026, 9, 1)
    interest_kind = InterestKind.STATUTORY

    class Params:
        closed = Trait(stage=Stage.CLOSED.value, closed_reason="paid", closed_on=datetime.date(2026, 10, 1))


class ClaimFactory(factory.django.DjangoModelFactory[Claim]):
    class Meta:
        model = Claim

    case = SubFactory(CaseFactory)
    client = SelfAttribute("case.client")
    invoice_number = Sequence(lambda n: f"INV-{n:07d}")
    invoice_date = datetime.date(2026, 7, 1)
    due_date = datetime.date(2026, 7, 31)
    principal_cents = 12_500
    description = "Levering"
