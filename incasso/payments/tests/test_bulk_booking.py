"""Booking a chunk set-based on the real ledger: one call for its payments, one for its unmatched receipts, the
same bookings as entry by entry, returns in their place, the careful pass after a refusal, a fixed query count."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from incasso.ledger import services
from incasso.ledger.models import PaymentAllocation, TransactionKind
from incasso.ledger.selectors import unmatched_open
from incasso.ledger.verification import ledger_verify
from incasso.payments import booking
from incasso.payments.models import EntryStatus, StatementEntry
from incasso.payments.tests.conftest import camt, camt_entry, fixture_bytes, run_import
from incasso.payments.tests.test_import import generated


class CountingLedger:
    """The real ledger, counting the calls made to each of its services."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        service = getattr(services, name)

        def counted(**kwargs: Any) -> Any:
            self.calls[name] += 1
            return service(**kwargs)

        return counted


class OneByOneLedger:
    """The real ledger's one-by-one services only: the import then books entry by entry, as it did before."""

    payment_receive = staticmethod(services.payment_receive)
    payment_reverse = staticmethod(services.payment_reverse)
    unmatched_receive = staticmethod(services.unmatched_receive)
    unmatched_assign = staticmethod(services.unmatched_assign)


def booked() -> dict[str, object]:
    """What the ledger holds, by statement entry: each payment's allocation, the receipts waiting, the reversals."""
    allocations = {
        allocation.transaction.idempotency_key: (
            allocation.case_id,
            allocation.amount_cents,
            allocation.to_costs_cents,
            allocation.to_interest_cents,
            allocation.to_principal_cents,
            allocation.overpayment_cents,
            allocation.agency_costs_cents,
            allocation.agency_interest_cents,
            allocation.lines,
            allocation.transaction.reversed_by.idempotency_key
            if hasattr(allocation.transaction, "reversed_by")
            else "",
        )
        for allocation in PaymentAllocation.objects.select_related("transaction")
    }
    entries = list(
        StatementEntry.objects.order_by("position").values_list(
            "position", "status", "case_id", "ledger_key", "original_entry__position", "note"
        )
    )
    receipts = [(item.key, item.amount, item.received_on) for item in unmatched_open()]
    return {"allocations": allocations, "entries": entries, "receipts": receipts}


def one_by_one(monkeypatch: pytest.MonkeyPatch, content: bytes, **options: Any) -> dict[str, object]:
    """The import booked entry by entry, rolled back: what the set-based booking must equal."""
    with monkeypatch.context() as patched, transaction.atomic():
        patched.setattr(booking, "ledger", OneByOneLedger)
        run_import(content, **options)
        result = booked()
        transaction.set_rollback(True)
    return result


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> CountingLedger:
    ledger = CountingLedger()
    monkeypatch.setattr(booking, "ledger", lambda: ledger)
    return ledger


def test_a_chunk_books_its_payments_and_receipts_in_one_call_each(cases, counting, monkeypatch):
    content = fixture_bytes("camt053_v02.xml")
    expected = one_by_one(monkeypatch, content)

    summary = run_import(content)

    assert (summary.matched, summary.unmatched, summary.ignored) == (4, 2, 1)
    assert counting.calls == {"payments_receive": 1, "unmatched_receive_bulk": 1}
    assert booked() == expected
    assert ledger_verify().clean


def test_a_return_between_payments_to_its_case_is_booked_in_its_place(cases, counting, monkeypatch):
    content = camt(
        camt_entry("50.00", ref="A", strd="RF742026000104", e2e="E-A", booked="2026-10-05"),
        camt_entry("20.00", ref="U", ustrd="onbekend", booked="2026-10-05"),
        camt_entry("30.00", ref="X", strd="RF582026000101", booked="2026-10-05"),
        camt_entry("50.00", credit=False, ref="R", e2e="E-A", reason="AC06", booked="2026-10-06"),
        camt_entry("80.00", ref="B", strd="RF742026000104", booked="2026-10-07"),
        camt_entry("25.00", ref="C", strd="RF582026000101", booked="2026-10-07"),
    )
    expected = one_by_one(monkeypatch, content)

    summary = run_import(content)

    assert (summary.matched, summary.unmatched, summary.returned) == (4, 1, 1)
    # The payments before the return are booked first (one of them is on its case), the rest after it.
    assert counting.calls == {"payments_receive": 2, "unmatched_receive_bulk": 1, "payment_reverse": 1}
    assert booked() == expected
    assert ledger_verify().clean


def test_a_return_to_a_case_without_payments_before_it_does_not_split_the_chunk(cases, counting, monkeypatch):
    run_import(camt(camt_entry("50.00", ref="A", strd="RF742026000104", e2e="E-A", booked="2026-10-05")))
    content = camt(
        camt_entry("30.00", ref="X", strd="RF582026000101", booked="2026-10-06"),
        camt_entry("50.00", credit=False, ref="R", e2e="E-A", reason="AC06", booked="2026-10-06"),
        camt_entry("80.00", ref="B", strd="RF742026000104", booked="2026-10-07"),
    )
    expected = one_by_one(monkeypatch, content)
    counting.calls.clear()

    run_import(content)

    assert counting.calls == {"payments_receive": 1, "payment_reverse": 1}
    assert booked() == expected
    assert StatementEntry.objects.get(bank_reference="R").status == EntryStatus.RETURNED


def test_a_refusal_in_a_batch_redoes_the_chunk_entry_by_entry(cases, counting, monkeypatch):
    content = camt(
        camt_entry("50.00", ref="A", strd="RF742026000104"),
        camt_entry("20.00", ref="U", ustrd="onbekend"),
        camt_entry("12.00", ref="CHF", ustrd="francs").replace('Ccy="EUR"', 'Ccy="CHF"'),
    )
    expected = one_by_one(monkeypatch, content)

    summary = run_import(content)

    assert [item.index for item in summary.refused] == [3]
    assert "keeps EUR" in summary.refused[0].reason
    # The batch of receipts was refused; the careful pass booked the chunk entry by entry.
    assert counting.calls["unmatched_receive_bulk"] == 1
    assert counting.calls["payment_receive"] == 1
    assert booked() == expected
    refused = StatementEntry.objects.get(bank_reference="CHF")
    assert (refused.status, refused.ledger_key) == (EntryStatus.UNMATCHED, "")
    assert PaymentAllocation.objects.get().transaction.kind == TransactionKind.PAYMENT


def test_the_query_count_on_the_real_ledger_does_not_grow_with_the_entries(cases):
    """The ledger's part included; only SQLite's entry insert is split by its parameter limit (see test_import)."""

    def queries(count: int, new: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            summary = run_import(generated(count), filename=f"{count}.xml")
        assert (summary.entries, summary.matched + summary.unmatched) == (count, new)
        return sum(not q["sql"].startswith('INSERT INTO "payments_statemententry"') for q in captured.captured_queries)

    queries(4, 4)  # the first payments to the cases open their accounts: a few queries more, once
    # Each file repeats the one before it: those entries are duplicates and book nothing.
    assert queries(20, 16) == queries(500, 480)
