"""The data step of the migration that gave promises their settlement day."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps

from incasso.arrangements.models import PromiseStatus, PromiseToPay
from incasso.arrangements.tests.conftest import owing_case

pytestmark = pytest.mark.django_db
migration = importlib.import_module("incasso.arrangements.migrations.0002_promise_settled_on")


def test_promises_settled_before_the_migration_get_their_due_day(creditor):
    case = owing_case(creditor)
    due = datetime.date(2026, 10, 10)
    rows = {
        status: PromiseToPay.objects.create(
            case=case, promised_on=due - datetime.timedelta(days=5), amount_cents=1_000, due_on=due, status=status
        )
        for status in PromiseStatus
    }
    already = datetime.date(2026, 10, 14)
    settled_later = PromiseToPay.objects.create(
        case=case, promised_on=due, amount_cents=1_000, due_on=due, status=PromiseStatus.KEPT, settled_on=already
    )

    for _ in range(2):  # it can run again
        migration.settled_on_from_due_on(apps, None)

    settled = dict(PromiseToPay.objects.values_list("pk", "settled_on"))
    assert settled[rows[PromiseStatus.KEPT].pk] == settled[rows[PromiseStatus.BROKEN].pk] == due
    assert settled[rows[PromiseStatus.OPEN].pk] is None
    assert settled[settled_later.pk] == already  # a day already kept stays
