# mypy: disable-error-code="no-untyped-call"
# (factory_boy declares its declarations without types.)
"""Test factories for cases and claims. A case's client is always its debtor's client, as in real life."""

from __future__ import annotations

import datetime

import factory
from factory.declarations import PostGeneration, SelfAttribute, Sequence, SubFactory, Trait

from incasso.cases.models import Case, Claim, InterestKind
from incasso.cases.services import CaseOpener, case_opened_events_insert
from incasso.domain.case_stages import Stage
from incasso.parties.factories import DebtorFactory

FACTORY_OPENER = CaseOpener(actor_id=None, actor_name="factory", source="test")


def _opened_event(obj: Case, create: bool, extracted: bool | None, **kwargs: object) -> None:
    if create and extracted:
        case_opened_events_insert(case_ids=[obj.pk], opener=FACTORY_OPENER)


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    class Meta:
        model = Case
        skip_postgeneration_save = True  # the hook writes its own row; the case needs no second save

    debtor = SubFactory(DebtorFactory)
    client = SelfAttribute("debtor.client")
    number = Sequence(lambda n: f"2026-{n + 1:06d}")
    stage = Stage.REMINDER.value
    opened_on = datetime.date(2026, 9, 1)
    interest_kind = InterestKind.STATUTORY

    class Params:
        closed = Trait(stage=Stage.CLOSED.value, closed_reason="paid", closed_on=datetime.date(2026, 10, 1))

    # ``CaseFactory(opened_event=True)``: the case's timeline starts with the "opened" event intake writes. Off by
    # default for now: tests in several apps count a case's stage events and expect only their own.
    opened_event = PostGeneration(_opened_event)


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
