"""The MT940 reader on the project's own files, and the :86: details of each Dutch bank."""

from __future__ import annotations

import datetime
import io

import pytest

from incasso.payments.parsers import SkippedEntry, StatementFileError, statement_reader
from incasso.payments.parsers.mt940_details import details_read, is_iban
from incasso.payments.tests.conftest import fixture_bytes


def read(content: bytes):
    reader = statement_reader(io.BytesIO(content))
    return reader, list(reader)


def test_ing_structured_details_and_lines_split_mid_field():
    reader, entries = read(fixture_bytes("ing_structured.940"))
    assert reader.info.file_format == "mt940"
    assert reader.info.account == "NL20INGB0001234567"
    assert reader.info.statement_id == "P261005000000001"
    assert [entry.amount_cents for entry in entries] == [12_500, 5_000, -150, -8_000]

    paid = entries[0]
    # ":61:...//00000000002" / "001" / "/TRCD/...": the bank reference is read whole.
    assert paid.bank_reference == "00000000002001"
    assert paid.end_to_end_id == "E2E-ING-1"
    # "/CNTP/IBAN/BIC/J. Jans" / "en///REMI/...": the name is joined across the break.
    assert (paid.counterparty_iban, paid.counterparty_name) == ("NL91ABNA0417164300", "J. Jansen")
    assert paid.structured_reference == "RF582026000101"
    assert paid.booking_date == datetime.date(2026, 10, 5)

    by_number = entries[1]
    assert by_number.end_to_end_id == ""
    # "Dossier 2026-0" / "00102 termijn 1": the case number survives the wrap.
    assert by_number.remittance == "Dossier 2026-000102 termijn 1"

    returned = entries[3]
    assert returned.return_reason == "MD06"
    assert returned.end_to_end_id == "DD-ING-9"
    # "/MARF/MND" / "-" / "X1": a lone "-" inside :86: is text, not the end of the message.
    assert returned.mandate_id == "MND-X1"
    assert returned.counterparty_name == "M. Mulder"
    # The :86: after the closing balance is about the statement, not the last entry.
    assert "SUM" not in returned.remittance


def test_a_malformed_statement_line_is_skipped_and_reported():
    _, entries = read(fixture_bytes("mt940_malformed_entry.940"))
    assert [type(entry).__name__ for entry in entries] == ["ParsedEntry", "SkippedEntry", "ParsedEntry"]
    assert entries[1] == SkippedEntry(2, "the statement line :61:THIS IS NOT A STATEMENT LINE cannot be read")
    first = entries[0]
    # Rabobank puts the counterparty IBAN on the :61: line's second line.
    assert (first.amount_cents, first.counterparty_iban, first.counterparty_name) == (
        1_000,
        "NL91ABNA0417164300",
        "J. Jansen",
    )
    assert first.remittance == "dossier 2026-000101"
    assert entries[2].amount_cents == -250


def test_entries_without_an_opening_balance_are_skipped_with_the_reason():
    content = b":20:X\n:25:NL20INGB0001234567\n:61:2610051005C1,00NTRFNONREF\n:86:zonder saldo\n"
    _, entries = read(content)
    assert entries == [
        SkippedEntry(1, "the statement has no opening balance (:60F:), so the currency of its entries is unknown")
    ]


def test_a_reversal_of_a_credit_is_a_debit():
    content = b":20:X\n:25:NL20INGB0001234567\n:60F:C261004EUR0,00\n:61:2610051005RC7,50NTRFNONREF\n:86:storno\n"
    _, entries = read(content)
    assert (entries[0].amount_cents, entries[0].reversal) == (-750, True)


def test_text_without_any_tag_is_not_a_statement():
    with pytest.raises(StatementFileError, match="neither camt"):
        read(b"Datum;Bedrag\n2026-10-05;12,50\n")
    with pytest.raises(StatementFileError, match="holds no MT940 tags"):
        read(b"{1:F01INGBNL2AXXXX0000000000}\n{4:\n-}\n")


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["/EREF/01-01-2013 12:00 0030000987654321/BENM//NAME/CONTRA ACCOUN", "T HOLDER/REMI//ISDT/2013-07-11"],
            {"end_to_end_id": "01-01-2013 12:00 0030000987654321", "counterparty_name": "CONTRA ACCOUNT HOLDER"},
        ),
        (
            [
                "/TRTP/SEPA OVERBOEKING/IBAN/NL91ABNA0417164300/BIC/ABNANL2A/NAME/M",
                "ollie B.V./REMI/Factuur 12/EREF/NOTPROVIDED",
            ],
            {
                "counterparty_iban": "NL91ABNA0417164300",
                "counterparty_name": "Mollie B.V.",
                "remittance": "Factuur 12",
                "end_to_end_id": "",
            },
        ),
        (
            ["/REMI//CDTRREFTP//CD/SCOR/ISSR/CUR/CDTRREF/RF582026000101/ISDT/2026-10-05"],
            {"structured_reference": "RF582026000101"},
        ),
        (
            ["FACTUUR 201403110", "REK: NL91ABNA0417164300/NAAM: PICQER"],
            {
                "counterparty_iban": "NL91ABNA0417164300",
                "counterparty_name": "PICQER",
                "remittance": "FACTUUR 201403110 REK: NL91ABNA0417164300/NAAM: PICQER",
            },
        ),
    ],
)
def test_details_of_the_dutch_banks(lines, expected):
    details = details_read(lines)
    for key, value in expected.items():
        assert details.get(key, "") == value, key


def test_an_iban_needs_matching_check_digits():
    assert is_iban("NL91 ABNA 0417 1643 00")
    assert not is_iban("NL92ABNA0417164300")
    assert not is_iban("P001234567")
