"""Variants seen in real bank files that the other parser tests do not cover, each on a fixture of our own.

de Volksbank (ASN, SNS, RegioBank) writes the counterparty's IBAN as the :61: reference (longer than SWIFT's
16 characters) and its name on the next line; Triodos writes ``>20``… sub-fields; Rabobank labels an account
``/ACCW/`` and writes ``0000000000`` where there is no counterparty account; published bank samples carry
anonymised IBANs whose check digits are wrong; camt amounts may have five decimals; some exports put several
camt documents in one file.
"""

from __future__ import annotations

import io

import pytest

from incasso.payments.parsers import ParsedEntry, SkippedEntry, StatementFileError, statement_reader
from incasso.payments.parsers.camt_documents import split_documents
from incasso.payments.parsers.mt940_details import details_read, labelled_iban
from incasso.payments.tests.conftest import camt, camt_entry, fixture_bytes


def read(content: bytes) -> list[ParsedEntry | SkippedEntry]:
    return list(statement_reader(io.BytesIO(content)))


def parsed(content: bytes) -> list[ParsedEntry]:
    entries = read(content)
    assert all(isinstance(entry, ParsedEntry) for entry in entries), entries
    return [entry for entry in entries if isinstance(entry, ParsedEntry)]


def test_volksbank_reference_iban_name_and_coded_direct_debit():
    credit, debit, fee = parsed(fixture_bytes("volksbank_asn.sta"))
    # The IBAN on the :61: line is 18 characters: the library's 16-character cut left "37" before the name.
    assert (credit.counterparty_iban, credit.counterparty_name) == ("NL13INGB0004421337", "j de boer")
    assert "Dossier 2026-000101 termijn oktober" in credit.remittance
    assert credit.amount_cents == 12_500
    # Free text that goes on into codes: the codes are read (the name cut mid-word at the line's width).
    assert debit.amount_cents == -4_250
    assert debit.counterparty_name == "ENERGIE NOORD BV"
    assert debit.counterparty_iban == "NL77ABNA0593012748"
    assert debit.mandate_id == "EN-55120"
    assert debit.end_to_end_id == "EN55120-1026"
    assert debit.remittance == "Klantnummer 55120 voorschot oktober"
    assert (fee.amount_cents, fee.counterparty_name, fee.remittance) == (-195, "", "Kosten betaalrekening oktober")


def test_triodos_subfields_are_one_text_and_the_account_is_the_counterparty():
    credit, fee = parsed(fixture_bytes("triodos_subfields.sta"))
    assert credit.counterparty_iban == "NL75RABO0310855672"
    # Sub-fields are cut every 27 characters, mid-word: joined back without a space.
    assert credit.remittance == "BETALING DOSSIER 2026-000101 TERMIJN OKTOBER VAN J. DE BOER"
    assert ">2" not in credit.remittance
    assert (fee.amount_cents, fee.counterparty_iban, fee.remittance) == (-1_210, "", "KOSTEN BETALINGSVERKEER")


def test_rabobank_accw_account_and_no_account_placeholder():
    accw, batch, anonymised, coded = parsed(fixture_bytes("rabobank_accw.sta"))
    assert (accw.counterparty_iban, accw.counterparty_name, accw.remittance) == (
        "NL13INGB0004421337",
        "J. de Boer",
        "Dossier 2026-000101",
    )
    # "0000000000" on the :61: line is "no account", never the counterparty's name.
    assert (batch.amount_cents, batch.counterparty_name) == (-84_020, "")
    # Under /IBAN/ the bank vouches for the field: an IBAN with wrong check digits (anonymised) is still kept.
    assert anonymised.counterparty_iban == "NL12INGB0004421337"
    # Rabobank's /TRCD/ ends the end-to-end id; a line the bank cut at a space starts with that space.
    assert coded.end_to_end_id == "E2E-2026-77"
    assert coded.counterparty_name == "A. Jansen en/of B. de Vries-Jansen van Dam"
    assert (coded.remittance, coded.counterparty_iban) == ("Dossier 2026-000103", "NL13INGB0004421337")


def test_only_a_labelled_iban_may_have_wrong_check_digits():
    assert labelled_iban("NL12 INGB 0004 4213 37") == "NL12INGB0004421337"
    assert labelled_iban("NL12INGB00044213") == ""  # wrong length for NL
    assert labelled_iban("AA99BBBB0555555555") == ""  # no such country
    # Knab's "REK:" and de Volksbank's first-line position are fields too; a text that only looks like one is not.
    assert details_read(["FACTUUR 7", "REK: NL12INGB0004421337/NAAM: X"])["counterparty_iban"] == "NL12INGB0004421337"
    assert details_read(["NL12INGB0004421337 j de boer", "Dossier 7"])["counterparty_iban"] == "NL12INGB0004421337"
    assert details_read(["AB12CDEFGHIJKLMN j de boer", "Dossier 7"])["counterparty_iban"] == ""
    assert details_read(["FACTUUR 7 j de boer", "Dossier 7"]).get("counterparty_name", "") == ""


def test_free_text_cut_at_the_line_width_is_joined_without_a_space():
    text = "Betaling factuur 2026-0001" + "x" * 38 + "1"
    assert len(text) == 65
    details = details_read([text, "05 en 2026-000106"])
    assert "2026-0001" + "x" * 38 + "105 en 2026-000106" in details["remittance"]
    assert details_read(["Factuur 12", "Dossier 7"])["remittance"] == "Factuur 12 Dossier 7"


@pytest.mark.parametrize(("written", "cents"), [("8.850", 885), ("5442.09000", 544_209), ("12.5", 1_250)])
def test_camt_amount_with_zeros_past_the_cent_is_exact(written, cents):
    (entry,) = parsed(camt(camt_entry(written)))
    assert entry.amount_cents == cents


def test_camt_amount_with_a_fraction_of_a_cent_is_skipped_with_the_reason():
    (skipped,) = read(camt(camt_entry("8.855")))
    assert isinstance(skipped, SkippedEntry)
    assert "8.855" in skipped.reason


def test_camt_documents_one_after_another_are_all_read_and_numbered_on():
    first = camt(camt_entry("10.00", e2e="E2E-A"), camt_entry("20.00", e2e="E2E-B"))
    second = camt(camt_entry("30.00", e2e="E2E-C")).replace(b"NL20INGB0001234567", b"NL13INGB0004421337")
    entries = parsed(first + b"\n\n" + second + b"\n")
    assert [(e.index, e.end_to_end_id, e.amount_cents) for e in entries] == [
        (1, "E2E-A", 1_000),
        (2, "E2E-B", 2_000),
        (3, "E2E-C", 3_000),
    ]
    assert [e.account for e in entries] == ["NL20INGB0001234567"] * 2 + ["NL13INGB0004421337"]


@pytest.mark.parametrize("size", [1, 3, 5, 7, 64])
def test_documents_are_split_exactly_whatever_the_read_size(size):
    documents = [b'<?xml version="1.0"?><a>1</a>', b'<?xml version="1.0"?>\n<b>2</b>\n', b"<?xml?><c/>"]
    stream = io.BytesIO(b"\xef\xbb\xbf" + b"\n".join(documents))
    found = []
    for document in split_documents(stream):
        parts = []
        while part := document.read(size):
            parts.append(part)
        found.append(b"".join(parts).strip())
    assert found == [document.strip() for document in documents]


def test_a_broken_second_document_is_reported_after_the_first_is_read():
    first = camt(camt_entry("10.00"))
    entries = read(first + b'<?xml version="1.0"?><Document><Stmt>')
    assert isinstance(entries[0], ParsedEntry)
    assert isinstance(entries[-1], SkippedEntry)


def test_german_subfields_with_sepa_keys():
    """Kontist, Sparkassen and other German banks: ``?20``… description, ``?31`` IBAN, ``?32``/``?33`` name, and the
    SEPA keys EREF+, MREF+, SVWZ+ inside the description."""
    credit, debit = parsed(fixture_bytes("german_subfields.sta"))
    assert credit.amount_cents == 12_500
    assert credit.counterparty_iban == "DE89370400440532013000"
    assert credit.counterparty_name == "Erika Mustermann und Max Mustermann"
    assert credit.end_to_end_id == "DOSSIER-2026-000101"
    assert credit.remittance == "Dossier 2026-000101 Rate Oktober"
    assert (debit.amount_cents, debit.end_to_end_id, debit.mandate_id) == (-3_000, "", "M-2026-77")
    assert (debit.counterparty_name, debit.remittance) == ("Verein e.V.", "Beitrag Oktober")


def test_camt_booking_time_in_utc_is_the_dutch_day():
    entry = camt_entry("10.00").replace(
        "<BookgDt><Dt>2026-10-05</Dt></BookgDt>", "<BookgDt><DtTm>2026-10-04T22:30:00.000Z</DtTm></BookgDt>"
    )
    (booked,) = parsed(camt(entry))
    assert booked.booking_date.isoformat() == "2026-10-05"
    local = entry.replace("2026-10-04T22:30:00.000Z", "2026-10-04T22:30:00")
    assert parsed(camt(local))[0].booking_date.isoformat() == "2026-10-04"


def test_camt_in_an_envelope_or_under_swift_namespace_is_read():
    statement = camt(camt_entry("10.00", e2e="E2E-ENV"))
    body = statement.split(b"?>", 1)[1]
    envelope = (
        b'<?xml version="1.0"?><BizMsgEnvlp><AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02">'
        b"<MsgDefIdr>camt.053.001.02</MsgDefIdr></AppHdr>" + body + b"</BizMsgEnvlp>"
    )
    assert [e.end_to_end_id for e in parsed(envelope)] == ["E2E-ENV"]
    swift = statement.replace(b"urn:iso:std:iso:20022:tech:xsd:", b"urn:swift:xsd:")
    assert [e.end_to_end_id for e in parsed(swift)] == ["E2E-ENV"]


def test_camt_entry_information_in_mt940_codes_fills_what_the_entry_lacks():
    """ING repeats its MT940 :86: codes in AddtlNtryInf; an entry without transaction details is read from them."""
    entry = (
        '<Ntry><Amt Ccy="EUR">42.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>'
        "<BookgDt><Dt>2026-10-05</Dt></BookgDt>"
        "<AddtlNtryInf>/TRTP/SEPA Incasso algemeen doorlopend/CSID/NL98ZZZ123456780000/NAME/Energie Noord BV"
        "/MARF/EN-55120/REMI/Voorschot oktober/IBAN/NL77ABNA0593012748/BIC/ABNANL2A/EREF/EN55120-1026</AddtlNtryInf>"
        "</Ntry>"
    )
    (debit,) = parsed(camt(entry))
    assert debit.counterparty_name == "Energie Noord BV"
    assert debit.counterparty_iban == "NL77ABNA0593012748"
    assert (debit.mandate_id, debit.end_to_end_id, debit.remittance) == (
        "EN-55120",
        "EN55120-1026",
        "Voorschot oktober",
    )


def test_camt_structured_reference_alone_is_also_the_text_and_swiss_status_is_dropped():
    (entry,) = parsed(camt(camt_entry("10.00", strd="RF582026000101")))
    assert (entry.structured_reference, entry.remittance) == ("RF582026000101", "RF582026000101")
    swiss = camt_entry("10.00", ustrd="Factuur 7").replace(
        "<Ustrd>Factuur 7</Ustrd>", "<Ustrd>Factuur 7</Ustrd><Strd><AddtlRmtInf>?REJECT?0</AddtlRmtInf></Strd>"
    )
    assert parsed(camt(swiss))[0].remittance == "Factuur 7"


def test_a_statement_in_the_file_twice_is_read_once_and_the_copy_reported():
    """Exports joined by hand can hold one statement twice: its entries are equal, and booking them again would
    book money twice. Pages of one statement (same Id, another page number) are all read."""
    statement = camt(camt_entry("10.00", e2e="E2E-A"), camt_entry("10.00", e2e="E2E-A"))
    entries = read(statement + b"\n" + statement)
    assert [type(e).__name__ for e in entries] == ["ParsedEntry"] * 2 + ["SkippedEntry"] * 2
    assert entries[2] == SkippedEntry(3, "statement TEST-1 of NL20INGB0001234567 is in the file twice: read once")
    page = statement.replace(b"<Id>TEST-1</Id>", b"<Id>TEST-1</Id><StmtPgntn><PgNb>1</PgNb></StmtPgntn>")
    next_page = page.replace(b"<PgNb>1</PgNb>", b"<PgNb>2</PgNb>")
    assert len(parsed(page + next_page)) == 4


def test_a_broken_namespace_is_refused_with_a_message_never_a_crash():
    broken = camt(camt_entry("10.00")).replace(b"urn:iso:std:iso:20022", b"urn:is}o:20022")
    with pytest.raises(StatementFileError, match="supported are"):
        read(broken)


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.replace(b"\n", b"\r"), id="lone CR line ends"),
        pytest.param(lambda text: text.decode().encode("utf-16"), id="UTF-16 with BOM"),
        pytest.param(lambda text: text.decode().encode("utf-16-le"), id="UTF-16 LE without BOM"),
        pytest.param(lambda text: text.decode().encode("utf-16-be"), id="UTF-16 BE without BOM"),
    ],
)
def test_mt940_saved_by_other_tools_reads_the_same(encode):
    content = fixture_bytes("rabobank_accw.sta")
    assert parsed(encode(content)) == parsed(content)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_camt_saved_as_utf16_reads_the_same(encoding):
    content = camt(camt_entry("10.00", e2e="E2E-16", ustrd="Dossier 2026-000101"))
    utf16 = content.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode(encoding)
    assert parsed(utf16) == parsed(content)


def test_camt054_entry_without_dates_is_booked_on_the_day_of_the_notification():
    undated = camt_entry("10.00", e2e="E2E-054").replace("<BookgDt><Dt>2026-10-05</Dt></BookgDt>", "")
    notification = (
        camt(undated, namespace="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08")
        .replace(b"BkToCstmrStmt>", b"BkToCstmrDbtCdtNtfctn>")
        .replace(b"<Stmt><Id>TEST-1</Id>", b"<Ntfctn><Id>N-1</Id><CreDtTm>2026-10-06T08:15:00+02:00</CreDtTm>")
        .replace(b"</Stmt>", b"</Ntfctn>")
    )
    (entry,) = parsed(notification)
    assert (entry.booking_date.isoformat(), entry.end_to_end_id) == ("2026-10-06", "E2E-054")
    # A statement without any date at all (here not even the message's creation time): skipped, with the reason.
    (skipped,) = read(camt(undated).replace(b"<CreDtTm>2026-10-05T18:00:00</CreDtTm>", b""))
    assert skipped == SkippedEntry(1, "the entry has no booking date")
