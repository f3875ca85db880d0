"""The camt.053/camt.054 reader on the project's own files: exact entries, amounts, references, return codes."""

from __future__ import annotations

import datetime
import io

import pytest

from incasso.payments.parsers import ParsedEntry, SkippedEntry, StatementFileError, statement_reader
from incasso.payments.tests.conftest import NS, camt, camt_entry, fixture_bytes


def read(content: bytes):
    reader = statement_reader(io.BytesIO(content))
    return reader, list(reader)


def test_camt053_v02_reads_every_entry_and_splits_the_batch():
    reader, entries = read(fixture_bytes("camt053_v02.xml"))
    assert all(isinstance(entry, ParsedEntry) for entry in entries)
    assert [entry.amount_cents for entry in entries] == [12_500, 5_000, 4_000, 7_550, -1_250, 10_000, 20_000]
    assert [entry.index for entry in entries] == [1, 2, 3, 4, 5, 6, 7]
    assert reader.info.file_format == "camt.053.001.02"
    assert reader.info.account == "NL20INGB0001234567"
    assert reader.info.statement_id == "2026-10-05-001"

    first = entries[0]
    assert first.structured_reference == "RF582026000101"
    assert first.bank_reference == "REF-0001"
    assert first.end_to_end_id == "E2E-0001"
    assert first.counterparty_name == "J. Jansen"
    assert first.counterparty_iban == "NL91ABNA0417164300"
    assert first.booking_date == datetime.date(2026, 10, 5)
    assert first.currency == "EUR"
    # NOTPROVIDED is SEPA's "no reference": never kept as one.
    assert entries[1].end_to_end_id == ""
    assert entries[1].remittance == "Betaling dossier 2026-000102 factuur 7"
    # A debit without transaction details keeps the entry's additional information as its text.
    assert entries[4].remittance == "Kosten betalingsverkeer"
    # The batch: one record per TxDtls with its own amount, party and references; the entry's bank reference.
    batch = entries[5:]
    assert [(e.end_to_end_id, e.counterparty_name, e.bank_reference) for e in batch] == [
        ("E2E-0006-A", "A. Bakker", "REF-0006"),
        ("E2E-0006-B", "B. Visser", "REF-0006"),
    ]


def test_camt053_v08_reads_party_choice_status_codes_and_date_times():
    reader, entries = read(fixture_bytes("camt053_v08.xml"))
    assert reader.info.file_format == "camt.053.001.08"
    credit, pending, debit = entries
    assert credit.counterparty_name == "A. de Vries"
    assert credit.structured_reference == "RF742026000104"
    assert pending == SkippedEntry(2, "status PDNG: not booked yet, it comes again once booked")
    assert debit.amount_cents == -2_000
    assert debit.booking_date == datetime.date(2026, 10, 6)
    assert debit.value_date == datetime.date(2026, 10, 7)
    # For a debit the counterparty is the creditor we paid.
    assert debit.counterparty_name == "Drukkerij B.V."


@pytest.mark.parametrize("version", ["09", "10", "11", "12", "13", "14"])
def test_newer_versions_are_read_like_001_08(version):
    """Banks move to newer camt versions (.001.09 to .001.14 add elements, such as the UETR, but keep the paths
    read): the same statement in a newer namespace, with a newer element in it, reads the same entries."""
    v08 = fixture_bytes("camt053_v08.xml")
    newer = v08.replace(b"camt.053.001.08", f"camt.053.001.{version}".encode()).replace(
        b"<EndToEndId>E2E-V8-1</EndToEndId>",
        b"<EndToEndId>E2E-V8-1</EndToEndId><UETR>8a562c67-ca16-48ba-b074-65581be6f011</UETR>",
    )
    reader, entries = read(newer)
    assert reader.info.file_format == f"camt.053.001.{version}"
    assert entries == read(v08)[1]


@pytest.mark.parametrize("day", ["9999-12-31", "1800-01-01"])
def test_an_entry_dated_beyond_any_plausible_day_is_skipped_with_the_reason(day):
    """A booking date no bank means (the quote of a payment dated 9999 runs off the calendar) skips that entry,
    reported, and the rest of the statement is read."""
    content = fixture_bytes("camt053_v08.xml").replace(b"2026-10-06", day.encode())
    _, entries = read(content)
    skipped = [entry for entry in entries if isinstance(entry, SkippedEntry)]
    assert any(f"'{day}' is not between 1900-01-01 and 2099-12-31" in entry.reason for entry in skipped), skipped
    assert not any(isinstance(entry, ParsedEntry) and entry.booking_date.isoformat() == day for entry in entries)


def test_camt054_is_read_from_its_notification():
    reader, entries = read(fixture_bytes("camt054_v02.xml"))
    assert reader.info.file_format == "camt.054.001.02"
    assert reader.info.statement_id == "NTF-2026-10-07"
    assert [(e.amount_cents, e.remittance, e.bank_reference) for e in entries] == [
        (2_500, "dossier 2026-000105", "N54-0001")
    ]


def test_a_return_carries_its_reason_mandate_and_reversal_mark():
    _, entries = read(fixture_bytes("camt053_return_ac06.xml"))
    returned = entries[0]
    assert returned.amount_cents == -8_000
    assert returned.return_reason == "AC06"
    assert returned.mandate_id == "MNDT-0001"
    assert returned.end_to_end_id == "DD-2026-0001"
    assert returned.reversal is True
    assert entries[1].return_reason == "MD06"


def test_malformed_entries_are_skipped_with_their_reason_and_the_rest_is_read():
    _, entries = read(fixture_bytes("camt053_malformed_entry.xml"))
    assert [type(entry).__name__ for entry in entries] == ["ParsedEntry", "SkippedEntry", "SkippedEntry", "ParsedEntry"]
    assert entries[1] == SkippedEntry(2, "12.345 has more than two decimals")
    assert entries[2].index == 3
    assert "neither CRDT nor DBIT" in entries[2].reason
    assert [entries[0].amount_cents, entries[3].amount_cents] == [1_000, -100]


@pytest.mark.parametrize("kind", ["052", "053", "054"])
@pytest.mark.parametrize("version", [f"{number:02d}" for number in range(2, 14)])
def test_every_supported_version_is_recognised(kind, version):
    namespace = f"urn:iso:std:iso:20022:tech:xsd:camt.{kind}.001.{version}"
    content = camt(camt_entry("10.00", ref="V"), namespace=namespace)
    if kind == "054":
        content = content.replace(b"BkToCstmrStmt", b"BkToCstmrDbtCdtNtfctn").replace(b"Stmt>", b"Ntfctn>")
    if kind == "052":
        content = content.replace(b"BkToCstmrStmt", b"BkToCstmrAcctRpt").replace(b"Stmt>", b"Rpt>")
    reader, entries = read(content)
    assert reader.info.file_format == f"camt.{kind}.001.{version}"
    assert [entry.amount_cents for entry in entries] == [1_000]


@pytest.mark.parametrize(
    "namespace",
    [
        "urn:iso:std:iso:20022:tech:xsd:camt.052.001.01",
        "urn:iso:std:iso:20022:tech:xsd:camt.053.001.15",
        "urn:iso:std:iso:20022:tech:xsd:camt.053.001.01",
        "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03",
        "",
    ],
)
def test_other_documents_are_refused_with_what_is_supported(namespace):
    content = camt(camt_entry("10.00"), namespace=namespace)
    with pytest.raises(StatementFileError, match=r"supported are camt\.052, camt\.053 and camt\.054"):
        read(content)


def test_a_batch_whose_parts_do_not_add_up_stays_one_entry():
    content = fixture_bytes("camt053_v02.xml").replace(b'<Amt Ccy="EUR">200.00</Amt>', b'<Amt Ccy="EUR">150.00</Amt>')
    _, entries = read(content)
    assert [entry.amount_cents for entry in entries][-1] == 30_000
    assert len(entries) == 6
    assert entries[-1].remittance == "RF04 2026 0001 03 / geen referentie"
    assert entries[-1].end_to_end_id == ""


def test_a_file_that_breaks_off_keeps_what_came_before_and_says_where():
    content = fixture_bytes("camt053_v02.xml")
    cut = content[: content.index(b"REF-0003")]
    _, entries = read(cut)
    assert [entry.amount_cents for entry in entries[:-1]] == [12_500, 5_000]
    assert isinstance(entries[-1], SkippedEntry)
    assert entries[-1].index == 3
    assert entries[-1].reason.startswith("the file breaks off after entry 2")


def test_a_file_that_breaks_before_its_first_entry_is_unreadable():
    content = fixture_bytes("camt053_v02.xml")
    with pytest.raises(StatementFileError, match="not well-formed XML"):
        read(content[:300])


def test_an_account_given_by_other_id_and_no_entries():
    content = camt().replace(b"<IBAN>NL20INGB0001234567</IBAN>", b"<Othr><Id>123456789</Id></Othr>")
    reader, entries = read(content)
    assert entries == []
    assert reader.info.account == "123456789"
    assert NS in content.decode()
