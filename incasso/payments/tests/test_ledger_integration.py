"""The import on the real ledger (``incasso.ledger.services``): what it books, that a second import books nothing,
that a return reverses its payment, that matching by hand moves a receipt out of suspense, and that the ledger
still verifies after all of it."""

from __future__ import annotations

from incasso.domain.money import Money
from incasso.ledger.models import LedgerTransaction, PaymentAllocation, TransactionKind
from incasso.ledger.selectors import unmatched_open
from incasso.ledger.verification import ledger_verify
from incasso.payments.models import EntryStatus, StatementEntry
from incasso.payments.selectors import unmatched_entries
from incasso.payments.services import entry_match_by_hand
from incasso.payments.tests.conftest import fixture_bytes, run_import


def test_a_statement_books_payments_and_receipts_once(cases):
    run_import(fixture_bytes("camt053_v02.xml"))
    allocations = PaymentAllocation.objects.order_by("case__number", "amount_cents")
    assert [(a.case.number, a.amount_cents, a.source) for a in allocations] == [
        ("2026-000101", 12_500, "bank"),
        ("2026-000102", 5_000, "bank"),
        ("2026-000103", 4_000, "bank"),
        ("2026-000103", 10_000, "bank"),
    ]
    assert sorted(receipt.amount for receipt in unmatched_open()) == [Money(7_550), Money(20_000)]
    transactions = LedgerTransaction.objects.count()

    again = run_import(fixture_bytes("camt053_v02.xml"))

    assert again.duplicates == 7
    assert LedgerTransaction.objects.count() == transactions
    assert ledger_verify().clean


def test_a_return_reverses_the_payment_in_the_ledger(cases):
    run_import(fixture_bytes("camt053_dd_collection.xml"))
    payment = LedgerTransaction.objects.get(kind=TransactionKind.PAYMENT)
    run_import(fixture_bytes("camt053_return_ac06.xml"))
    reversal = LedgerTransaction.objects.get(kind=TransactionKind.REVERSAL)
    assert reversal.reverses == payment
    assert "AC06" in reversal.description
    assert ledger_verify().clean


def test_matching_by_hand_assigns_the_receipt_to_the_case(cases, staff_user):
    run_import(fixture_bytes("camt053_v02.xml"))
    entry = unmatched_entries().get(amount_cents=7_550)
    entry_match_by_hand(entry=entry, case=cases["2026-000104"], actor=staff_user)
    assert [receipt.amount for receipt in unmatched_open()] == [Money(20_000)]
    assigned = PaymentAllocation.objects.get(case=cases["2026-000104"])
    assert (assigned.amount_cents, assigned.from_unmatched.idempotency_key) == (7_550, f"stmt:{entry.entry_key}")
    assert StatementEntry.objects.get(pk=entry.pk).status == EntryStatus.MATCHED
    assert ledger_verify().clean
