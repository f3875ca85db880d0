import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from incasso.ledger.models import Payout
from incasso.ledger.services import payment_receive, payment_reverse, payout_create, unmatched_receive
from incasso.ledger.tests.conftest import eur

pytestmark = pytest.mark.django_db


def check():
    """Run `incasso ledger check`; returns (exit code, report)."""
    out = io.StringIO()
    try:
        call_command("ledger", "check", stdout=out)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, json.loads(out.getvalue())


@pytest.fixture
def busy_ledger(worked_case):
    """Payments, a returned direct debit, an unmatched receipt and a payout."""
    for key, amount, day in (
        ("p-1", "600.00", datetime.date(2023, 8, 15)),
        ("p-2", "80.00", datetime.date(2023, 8, 16)),
    ):
        payment_receive(case_id=worked_case.pk, amount=eur(amount), received_on=day, key=key, source="test")
    payment_reverse(payment_key="p-2", key="p-2:AC06", booked_on=datetime.date(2023, 8, 18), reason="AC06")
    unmatched_receive(amount=eur("12.00"), received_on=datetime.date(2023, 8, 20), key="u-1", reference="?")
    return payout_create(
        client_id=worked_case.client_id,
        period_start=datetime.date(2023, 8, 1),
        period_end=datetime.date(2023, 8, 31),
        key="po-1",
    )


def test_a_clean_ledger_checks_clean(busy_ledger):
    code, report = check()
    assert code == 0
    assert report["clean"] is True
    assert report["trial_balance_cents"] == report["streamed_total_cents"] == 0
    assert report["transactions"] == 5
    assert report["entries"] > 10


def test_an_empty_ledger_checks_clean(db):
    assert check()[0] == 0


def test_the_check_finds_entries_written_past_the_service_and_the_triggers(busy_ledger, unbalanced_ledger):
    payment = busy_ledger.transaction
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Bypass the database's own check the way an operator with table rights could.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_balanced")
        account_id = payment.entries.values_list("account_id", flat=True).first()
        cursor.execute(
            "INSERT INTO ledger_entry (transaction_id, account_id, amount_cents) VALUES (%s, %s, %s)",
            [payment.pk, account_id, 1],
        )
    code, report = check()
    assert code == 1
    assert report["clean"] is False
    assert report["trial_balance_cents"] == report["streamed_total_cents"] == 1
    assert report["unbalanced_transactions"] == [
        {"transaction": payment.pk, "key": "po-1", "sql_cents": 1, "streamed_cents": 1}
    ]


def test_the_check_finds_a_stored_payout_amount_that_differs_from_its_entries(busy_ledger):
    Payout.objects.filter(pk=busy_ledger.pk).update(
        gross_cents=busy_ledger.gross_cents + 100, net_cents=busy_ledger.net_cents + 100
    )
    code, report = check()
    assert code == 1
    assert report["payout_differences"] == [
        {
            "transaction": busy_ledger.transaction_id,
            "entry_cents": -busy_ledger.net_cents,
            "payout_net_cents": busy_ledger.net_cents + 100,
        }
    ]


def test_the_check_reads_the_ledger_in_a_constant_number_of_queries(busy_ledger, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        check()
