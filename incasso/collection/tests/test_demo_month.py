"""A month of the demo agency end to end: daily runs, payments from a bank statement, a returned direct debit, a
payment plan and a payout — and the ledger still proves every balance afterwards (issue 4, "done when")."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from incasso.arrangements.models import ProposedBy
from incasso.arrangements.services import arrangement_propose
from incasso.cases.models import Case
from incasso.cases.selectors import case_quote
from incasso.collection.daily_run import daily_run
from incasso.demo.dataset import REFERENCE_DATE
from incasso.demo.services import demo_create
from incasso.domain.payment_reference import rf_for_case
from incasso.ledger.models import LedgerTransaction, TransactionKind
from incasso.ledger.services import payout_create
from incasso.ledger.verification import ledger_verify
from incasso.payments.services import statement_import
from incasso.payments.tests.conftest import camt, camt_entry

pytestmark = pytest.mark.django_db


def test_a_demo_month_leaves_the_ledger_clean(capsys):
    demo_create(seed=1, debtors=150)
    first = daily_run(on=REFERENCE_DATE)
    assert first.decided > 0
    open_cases = list(Case.objects.exclude(stage="closed").filter(claims__isnull=False).distinct().order_by("pk")[:4])
    paid_by_number, paid_by_rf, returned, planned = open_cases
    booked_on = REFERENCE_DATE + datetime.timedelta(days=3)
    booked = booked_on.isoformat()
    in_full = case_quote(case=paid_by_number, as_of=booked_on).total_outstanding
    statement = camt(
        camt_entry(str(in_full), ref="M-1", ustrd=f"betaling dossier {paid_by_number.number}", booked=booked),
        camt_entry("75.50", ref="M-2", strd=rf_for_case(paid_by_rf.number), booked=booked),
        camt_entry("60.00", ref="M-3", e2e="DD-M3", ustrd=returned.number, booked=booked),
        camt_entry("12.34", ref="M-4", ustrd="onbekende betaling", booked=booked),
    )
    summary = statement_import(stream=io.BytesIO(statement), filename="month.xml")
    assert (summary.matched, summary.unmatched) == (3, 1)
    bounced = camt(camt_entry("60.00", credit=False, ref="M-5", e2e="DD-M3", reason="MD06", booked=booked))
    assert statement_import(stream=io.BytesIO(bounced), filename="return.xml").returned == 1
    assert LedgerTransaction.objects.filter(kind=TransactionKind.REVERSAL).count() == 1

    plan_day = REFERENCE_DATE + datetime.timedelta(days=5)
    arrangement_propose(
        case=planned,
        months=6,
        first_due=plan_day + datetime.timedelta(days=10),
        proposed_by=ProposedBy.DEBTOR,
        on=plan_day,
    )
    for day in range(1, 31):
        daily_run(on=REFERENCE_DATE + datetime.timedelta(days=day))

    payout = payout_create(
        client_id=paid_by_number.client_id,
        period_start=REFERENCE_DATE,
        period_end=REFERENCE_DATE + datetime.timedelta(days=30),
        key="payout:demo-month",
    )
    assert payout.net_cents > 0
    paid = case_quote(case=paid_by_number, as_of=REFERENCE_DATE + datetime.timedelta(days=30))
    assert paid.payments[0].amount == in_full  # the statement's payment is in the case's quote
    assert paid.total_outstanding.cents < in_full.cents // 10  # paid in full then (a little interest since)

    assert ledger_verify().clean
    call_command("ledger", "check")  # exits 1 on any difference; here it returns
    report = json.loads(capsys.readouterr().out)
    assert report["clean"] is True
