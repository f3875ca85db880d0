"""Importing a statement: what is stored, what is booked, each matching rule, idempotency, a fixed query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.domain.money import Money
from incasso.intake.models import ClaimCredit
from incasso.parties.factories import DebtorFactory
from incasso.payments.matching import ledger_key
from incasso.payments.models import EntryStatus, ImportStatus, MatchRule, StatementEntry, StatementImport
from incasso.payments.tests.conftest import camt, camt_entry, fixture_bytes, run_import


def statuses():
    return list(StatementEntry.objects.order_by("position").values_list("status", "match_rule", "case__number"))


def test_a_statement_is_matched_by_every_rule_and_booked(cases, ledger):
    summary = run_import(fixture_bytes("camt053_v02.xml"), "camt053_v02.xml")
    assert summary.as_dict() == {
        "entries": 7,
        "matched": 4,
        "unmatched": 2,
        "returned": 0,
        "ignored": 1,
        "duplicates": 0,
        "skipped": [],
    }
    assert statuses() == [
        ("matched", "reference", "2026-000101"),
        ("matched", "case_number", "2026-000102"),
        ("matched", "iban", "2026-000103"),
        ("unmatched", "", None),
        ("ignored", "", None),
        ("matched", "reference", "2026-000103"),
        ("unmatched", "", None),
    ]
    entries = list(StatementEntry.objects.order_by("position"))
    assert ledger.calls[0] == (
        "payment_receive",
        {
            "case_id": cases["2026-000101"].pk,
            "amount": Money(12_500),
            "key": ledger_key(entries[0].entry_key),
            "source": "bank",
        },
    )
    assert ledger.names() == ["payment_receive"] * 3 + ["unmatched_receive", "payment_receive", "unmatched_receive"]
    assert [entry.ledger_key for entry in entries] == [
        ledger_key(entry.entry_key) if entry.status != EntryStatus.IGNORED else "" for entry in entries
    ]
    record = StatementImport.objects.get()
    assert (record.status, record.file_format, record.account_iban, record.statement_id) == (
        ImportStatus.DONE,
        "camt.053.001.02",
        "NL20INGB0001234567",
        "2026-10-05-001",
    )
    assert (record.entry_count, record.matched_count, record.unmatched_count, record.ignored_count) == (7, 4, 2, 1)


def test_importing_the_same_statement_twice_books_nothing_twice(cases, ledger):
    run_import(fixture_bytes("camt053_v02.xml"))
    calls = len(ledger.calls)
    again = run_import(fixture_bytes("camt053_v02.xml"))
    assert (again.entries, again.duplicates, again.matched, again.unmatched, again.ignored) == (7, 7, 0, 0, 0)
    assert len(ledger.calls) == calls
    assert StatementEntry.objects.count() == 7
    assert StatementImport.objects.count() == 2


def test_an_mt940_statement_matches_like_camt(cases, ledger):
    summary = run_import(fixture_bytes("ing_structured.940"), "ing.940")
    assert (summary.matched, summary.unmatched, summary.ignored) == (2, 1, 1)
    assert statuses()[:2] == [("matched", "reference", "2026-000101"), ("matched", "case_number", "2026-000102")]


def test_small_chunks_give_the_same_result(cases, ledger):
    summary = run_import(fixture_bytes("camt053_v02.xml"), chunk_size=2)
    assert (summary.entries, summary.matched, summary.unmatched, summary.ignored) == (7, 4, 2, 1)


def test_skipped_entries_are_reported_and_the_rest_imported(db, ledger):
    summary = run_import(fixture_bytes("camt053_malformed_entry.xml"))
    assert summary.as_dict()["skipped"] == [
        {"entry": 2, "reason": "12.345 has more than two decimals"},
        {"entry": 3, "reason": "credit/debit indicator '' is neither CRDT nor DBIT"},
    ]
    assert (summary.entries, summary.unmatched, summary.ignored) == (2, 1, 1)
    assert StatementImport.objects.get().skipped_count == 2


def entry_for(ref: str) -> StatementEntry:
    return StatementEntry.objects.get(bank_reference=ref)


def test_reference_rule_needs_an_open_case_and_valid_check_digits(cases, ledger):
    CaseFactory(number="2026-000106", closed=True)
    run_import(
        camt(
            camt_entry("10.00", ref="A", strd="RF582026000101"),
            camt_entry("10.00", ref="B", strd="RF592026000101"),  # wrong check digits
            camt_entry("10.00", ref="C", strd="RF202026000106"),  # a closed case
            camt_entry("10.00", ref="D", ustrd="betaling rf58 2026 0001 01"),
        )
    )
    assert entry_for("A").match_rule == MatchRule.REFERENCE
    assert entry_for("B").status == EntryStatus.UNMATCHED
    assert entry_for("C").status == EntryStatus.UNMATCHED
    assert "no open case 2026-000106" in entry_for("C").note
    assert (entry_for("D").match_rule, entry_for("D").case_id) == (MatchRule.REFERENCE, cases["2026-000101"].pk)


def test_case_number_rule_needs_exactly_one_open_case(cases, ledger):
    run_import(
        camt(
            camt_entry("10.00", ref="A", ustrd="dossier 2026-000104"),
            camt_entry("10.00", ref="B", ustrd="dossiers 2026-000104 en 2026-000105"),
            camt_entry("10.00", ref="C", ustrd="dossier 2026-999999"),
            camt_entry("10.00", ref="D", ustrd="klantnummer 20260001040"),
        )
    )
    assert (entry_for("A").match_rule, entry_for("A").case_id) == (MatchRule.CASE_NUMBER, cases["2026-000104"].pk)
    assert entry_for("B").status == EntryStatus.UNMATCHED
    assert "2 open cases" in entry_for("B").note
    assert entry_for("C").status == EntryStatus.UNMATCHED
    assert entry_for("D").status == EntryStatus.UNMATCHED


def test_iban_rule_needs_one_debtor_one_open_case_and_no_more_than_its_principal(cases, ledger):
    # A second open case for the debtor of case 102, and a second debtor (another client) with the IBAN of 104.
    ClaimFactory(case=CaseFactory(debtor=cases["2026-000102"].debtor, number="2026-000107"))
    CaseFactory(debtor=DebtorFactory(iban="NL69INGB0123456789"), number="2026-000108")
    # Case 105's principal is reduced to 100.00 by a credit note.
    claim = cases["2026-000105"].claims.get()
    ClaimCredit.objects.create(
        claim=claim, client=claim.client, credit_note_number="CN-1", amount_cents=2_500, credited_on=claim.invoice_date
    )
    run_import(
        camt(
            camt_entry("125.00", ref="A", iban="NL91ABNA0417164300"),
            camt_entry("125.01", ref="B", iban="NL91ABNA0417164300"),
            camt_entry("10.00", ref="C", iban="NL44RABO0123456789"),
            camt_entry("10.00", ref="D", iban="NL69INGB0123456789"),
            camt_entry("100.00", ref="E", iban="NL02ABNA0123456789"),
            camt_entry("100.01", ref="F", iban="NL02ABNA0123456789"),
        )
    )
    assert (entry_for("A").match_rule, entry_for("A").case_id) == (MatchRule.IBAN, cases["2026-000101"].pk)
    assert "more than the principal" in entry_for("B").note
    assert "several debtors or open cases" in entry_for("C").note
    assert "several debtors or open cases" in entry_for("D").note
    assert entry_for("E").match_rule == MatchRule.IBAN
    assert entry_for("F").status == EntryStatus.UNMATCHED


def test_the_reference_wins_over_the_case_number_and_the_iban(cases, ledger):
    run_import(
        camt(camt_entry("10.00", ref="A", strd="RF582026000101", ustrd="2026-000102", iban="NL39RABO0300065264"))
    )
    assert (entry_for("A").match_rule, entry_for("A").case_id) == (MatchRule.REFERENCE, cases["2026-000101"].pk)


def test_credits_that_are_returns_or_reversals_go_to_the_queue(cases, ledger):
    run_import(camt(camt_entry("10.00", ref="A", strd="RF582026000101", reason="MS03")))
    assert entry_for("A").status == EntryStatus.UNMATCHED
    assert "return reason MS03" in entry_for("A").note


def test_a_payment_the_ledger_refuses_is_parked_as_unmatched_and_reported(cases, ledger):
    ledger.refuse_case_ids.add(cases["2026-000102"].pk)
    summary = run_import(fixture_bytes("camt053_v02.xml"))
    assert (summary.matched, summary.unmatched) == (3, 3)
    assert [item.index for item in summary.refused] == [2]
    refused = StatementEntry.objects.get(position=2)
    assert refused.status == EntryStatus.UNMATCHED
    assert refused.ledger_key == ledger_key(refused.entry_key)
    assert "no claims to allocate" in refused.note
    assert ledger.bookings[refused.ledger_key][0] == "unmatched"


def test_a_failing_ledger_stops_the_import_without_half_a_chunk(cases, ledger, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("ledger database gone")

    monkeypatch.setattr(ledger, "unmatched_receive", broken)
    with pytest.raises(RuntimeError):
        run_import(fixture_bytes("camt053_v02.xml"))
    assert StatementEntry.objects.count() == 0
    record = StatementImport.objects.get()
    assert (record.status, record.error) == (ImportStatus.FAILED, "RuntimeError: ledger database gone")


def generated(count: int) -> bytes:
    """``count`` entries: a quarter each by reference, case number, IBAN, and unmatched."""
    entries = []
    for number in range(count):
        kind = number % 4
        entries.append(
            camt_entry(
                "1.00",
                ref=f"G{number}",
                strd="RF582026000101" if kind == 0 else "",
                ustrd="dossier 2026-000102" if kind == 1 else f"betaling {number}",
                iban="NL39RABO0300065264" if kind == 2 else "DE89370400440532013000",
            )
        )
    return camt(*entries)


def test_the_query_count_does_not_grow_with_the_entries(cases, ledger):
    """A fixed number of queries per chunk. The entries' insert is one COPY on PostgreSQL; SQLite's driver splits a
    multi-row INSERT by its parameter limit (about 40 entries a statement), so there only the batches grow."""

    def queries(count: int) -> tuple[int, int]:
        StatementEntry.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            summary = run_import(generated(count))
        assert (summary.entries, summary.matched, summary.unmatched) == (count, count * 3 // 4, count // 4)
        inserts = sum(q["sql"].startswith('INSERT INTO "payments_statemententry"') for q in captured.captured_queries)
        return len(captured.captured_queries) - inserts, inserts

    (few, _), (many, inserts) = queries(20), queries(500)
    assert few == many
    assert many <= 12
    assert inserts <= 1 if connection.vendor == "postgresql" else inserts <= 500 // 40 + 1


def test_only_credits_the_reference_rules_leave_are_looked_up_by_iban(cases, ledger, monkeypatch):
    """The payer's IBAN is hashed and looked up only for credits rules 1 and 2 did not match; a credit with a
    reference and an IBAN of another debtor still goes by its reference."""
    from incasso.payments import matching

    looked_up: list[set[str]] = []
    worked_out_ahead: list[set[str]] = []
    real = matching.debtor_ids_by_iban

    def recording(*, ibans, indexed=None):
        looked_up.append(set(ibans))
        worked_out_ahead.append(set(indexed or {}))
        return real(ibans=ibans, indexed=indexed)

    monkeypatch.setattr(matching, "debtor_ids_by_iban", recording)
    content = camt(
        camt_entry("1.00", ref="R1", strd="RF582026000101", iban="NL39RABO0300065264"),
        camt_entry("1.00", ref="R2", ustrd="dossier 2026-000102", iban="DE89370400440532013000"),
        camt_entry("1.00", ref="R3", ustrd="betaling", iban="NL39RABO0300065264"),
    )
    summary = run_import(content)

    assert looked_up == [{"NL39RABO0300065264"}]
    # The reader's process worked out, beside the writing, the blind-index entry of the IBAN of each credit that
    # names no case (R3); R2's, which names one, was not hashed at all, as rule 2 matched it.
    assert worked_out_ahead == [{"NL39RABO0300065264"}]
    rules = list(StatementEntry.objects.order_by("position").values_list("match_rule", flat=True))
    assert rules == [MatchRule.REFERENCE, MatchRule.CASE_NUMBER, MatchRule.IBAN]
    assert summary.matched == 3
