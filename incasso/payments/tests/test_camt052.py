"""camt.052, the bank's intraday account report: its entries are read as a camt.053 statement's are, and the
end-of-day statement that repeats them books nothing twice."""

from __future__ import annotations

import datetime
import io

from incasso.payments.models import EntryStatus, StatementEntry
from incasso.payments.parsers import ParsedEntry, SkippedEntry, statement_reader
from incasso.payments.tests.conftest import fixture_bytes, run_import


def test_an_intraday_report_is_read_like_a_statement():
    reader = statement_reader(io.BytesIO(fixture_bytes("camt052_v08.xml")))
    credit, pending, undated = list(reader)
    assert (reader.info.file_format, reader.info.account) == ("camt.052.001.08", "NL20INGB0001234567")
    assert reader.info.statement_id == "INTRADAY-2026-10-06-1200"
    assert isinstance(credit, ParsedEntry)
    assert (credit.amount_cents, credit.structured_reference, credit.counterparty_name) == (
        6_000,
        "RF742026000104",
        "A. de Vries",
    )
    # Not booked yet: it comes again, booked, in a later report or the day's statement.
    assert pending == SkippedEntry(2, "status PDNG: not booked yet, it comes again once booked")
    # An entry without dates is booked on the report's day (its creation: it has no closing balance).
    assert isinstance(undated, ParsedEntry)
    assert (undated.index, undated.booking_date, undated.amount_cents) == (3, datetime.date(2026, 10, 6), 2_550)
    assert undated.remittance == "dossier 2026-000105"


def test_the_days_statement_after_its_intraday_report_books_nothing_twice(cases, ledger):
    report = run_import(fixture_bytes("camt052_v08.xml"), "intraday.xml")
    assert (report.matched, report.duplicates, report.skipped_count) == (2, 0, 1)
    booked = len(ledger.calls)

    statement = run_import(fixture_bytes("camt053_v08.xml"), "statement.xml")
    # The statement's first entry is the report's first (same account, day, amount and bank reference).
    assert (statement.duplicates, statement.ignored, statement.skipped_count) == (1, 1, 1)
    # The rest of the statement is a pending credit (skipped) and a debit of our own (ignored): nothing is booked.
    assert len(ledger.calls) == booked
    assert StatementEntry.objects.filter(status=EntryStatus.MATCHED, case=cases["2026-000104"]).count() == 1
