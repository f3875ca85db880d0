"""Returns: a debit that gives back a payment we matched reverses that payment, once; an unknown one is queued."""

from __future__ import annotations

from incasso.payments.matching import ledger_key
from incasso.payments.models import EntryStatus, MatchRule, StatementEntry
from incasso.payments.tests.conftest import camt, camt_entry, fixture_bytes, run_import


def test_a_returned_direct_debit_reverses_the_original_payment(cases, ledger):
    run_import(fixture_bytes("camt053_dd_collection.xml"))
    original = StatementEntry.objects.get()
    assert (original.status, original.case.number) == (EntryStatus.MATCHED, "2026-000105")

    summary = run_import(fixture_bytes("camt053_return_ac06.xml"))
    assert (summary.returned, summary.unmatched) == (1, 1)
    returned = StatementEntry.objects.get(bank_reference="RT-0001")
    assert (returned.status, returned.match_rule, returned.case_id) == (
        EntryStatus.RETURNED,
        MatchRule.RETURN,
        original.case_id,
    )
    assert returned.original_entry == original
    assert returned.return_reason == "AC06"
    reversal = ledger.calls[-1]
    assert reversal == (
        "payment_reverse",
        {
            "payment_key": original.ledger_key,
            "key": ledger_key(returned.entry_key),
            "reason": "returned by the bank: AC06 (account blocked)",
        },
    )

    unknown = StatementEntry.objects.get(bank_reference="RT-0002")
    assert unknown.status == EntryStatus.UNMATCHED
    assert unknown.ledger_key == ""
    assert "not known as matched" in unknown.note


def test_a_return_imported_twice_reverses_once(cases, ledger):
    run_import(fixture_bytes("camt053_dd_collection.xml"))
    run_import(fixture_bytes("camt053_return_ac06.xml"))
    calls = len(ledger.calls)
    again = run_import(fixture_bytes("camt053_return_ac06.xml"))
    assert (again.duplicates, again.returned) == (2, 0)
    assert len(ledger.calls) == calls


def test_a_payment_is_returned_at_most_once(cases, ledger):
    run_import(fixture_bytes("camt053_dd_collection.xml"))
    run_import(
        camt(
            camt_entry("80.00", credit=False, ref="R1", e2e="DD-2026-0001", reason="AM04"),
            camt_entry("80.00", credit=False, ref="R2", e2e="DD-2026-0001", reason="AM04"),
        )
    )
    assert StatementEntry.objects.get(bank_reference="R1").status == EntryStatus.RETURNED
    assert StatementEntry.objects.get(bank_reference="R2").status == EntryStatus.UNMATCHED


def test_a_payment_and_its_return_in_one_file(cases, ledger):
    summary = run_import(
        camt(
            camt_entry("30.00", ref="P", strd="RF742026000104", e2e="E-1", mandate="M-1"),
            camt_entry("12.00", ref="Q", strd="RF742026000104", mandate="M-1", booked="2026-10-06"),
            # The return names only the mandate: the newest unreturned payment of its amount is the original.
            camt_entry("12.00", credit=False, ref="R", mandate="M-1", reason="MD06", booked="2026-10-09"),
        ),
        chunk_size=5,
    )
    assert (summary.matched, summary.returned) == (2, 1)
    assert StatementEntry.objects.get(bank_reference="R").original_entry.bank_reference == "Q"


def test_a_debit_with_the_end_to_end_id_of_a_matched_payment_is_a_return_without_a_code(cases, ledger):
    run_import(camt(camt_entry("30.00", ref="P", strd="RF742026000104", e2e="E-77")))
    run_import(camt(camt_entry("30.00", credit=False, ref="R", e2e="E-77", booked="2026-10-20")))
    returned = StatementEntry.objects.get(bank_reference="R")
    assert returned.status == EntryStatus.RETURNED
    assert ledger.calls[-1][1]["reason"] == "returned by the bank"


def test_a_debit_of_another_amount_is_not_a_return(cases, ledger):
    run_import(camt(camt_entry("30.00", ref="P", strd="RF742026000104", e2e="E-78")))
    run_import(camt(camt_entry("29.99", credit=False, ref="R", e2e="E-78")))
    assert StatementEntry.objects.get(bank_reference="R").status == EntryStatus.IGNORED


def test_the_ing_return_of_an_unknown_collection_is_queued(cases, ledger):
    run_import(fixture_bytes("ing_structured.940"))
    returned = StatementEntry.objects.get(return_reason="MD06")
    assert (returned.status, returned.mandate_id) == (EntryStatus.UNMATCHED, "MND-X1")
    assert "payment_reverse" not in ledger.names()
