"""The CSV and UBL doors on their own: what they read, and what they refuse before anything is written."""

import io

import pytest

from incasso.intake.csv_format import csv_open
from incasso.intake.files import FileKind, file_inspect
from incasso.intake.rows import ClaimRow, DocumentKind, ImportFileError, RowError
from incasso.intake.tests.conftest import FIXTURES, SHARED_UBL
from incasso.intake.ubl import ubl_read


def rows_of(text, encoding="utf-8"):
    return list(csv_open(io.BytesIO(text.encode(encoding) if isinstance(text, str) else text)))


def test_dutch_headers_semicolons_and_a_bom():
    rows = rows_of((FIXTURES / "claims-nl.csv").read_bytes())
    first = rows[0]
    assert isinstance(first, ClaimRow)
    assert (first.row, first.invoice_number, first.amount, first.debtor_kind) == (2, "F-1001", "125,50", "particulier")
    assert first.email == "jan@example.com"
    assert first.kvk_number == ""
    assert rows[2].kvk_number == "12345678"
    assert [row.row for row in rows] == [2, 3, 4, 5, 6, 7]


def test_english_headers_and_commas():
    rows = rows_of((FIXTURES / "claims-en.csv").read_bytes())
    assert [(row.invoice_number, row.currency, row.interest) for row in rows] == [
        ("INV-1", "EUR", ""),
        ("INV-2", "USD", ""),
        ("INV-3", "", "none"),
    ]


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_the_separator_is_sniffed_from_the_header(separator):
    header = separator.join(["Invoice Number", "Invoice-Date", "due_date", "AMOUNT", "debtor_reference", "debtor_kind"])
    line = separator.join(["F1", "2026-01-01", "2026-02-01", "10", "K1", "consumer"])
    (row,) = rows_of(f"{header}\r\n{line}\r\n")
    assert (row.invoice_number, row.invoice_date, row.amount) == ("F1", "2026-01-01", "10")


@pytest.mark.parametrize("declaration", ["sep=;", '"sep=;"', "SEP=;"])
def test_excels_separator_line_names_the_separator_and_is_no_row(declaration):
    # The named separator counts even where the header holds more of another (a column the import ignores).
    header = "factuurnummer;factuurdatum;vervaldatum;bedrag;debiteurnummer;soort debiteur;notes, a, b, c, d, e, f, g"
    line = "F1;2026-01-01;2026-02-01;12,50;K1;particulier;Les 1, 2, 3"
    (row,) = rows_of(f"\ufeff{declaration}\r\n{header}\r\n{line}\r\n")
    assert (row.row, row.invoice_number, row.amount) == (2, "F1", "12,50")


def test_a_missing_required_column_refuses_the_file_naming_it():
    with pytest.raises(ImportFileError) as refused:
        rows_of("factuurnummer;factuurdatum;debiteurnummer;soort debiteur\nF1;2026-01-01;K1;particulier\n")
    assert refused.value.field == "header"
    assert refused.value.text == ("the header lacks the required column(s): due_date (vervaldatum), amount (bedrag)")


def test_two_columns_for_one_field_refuse_the_file():
    with pytest.raises(ImportFileError, match="columns 'bedrag' and 'amount' both give amount"):
        rows_of("invoice_number,invoice_date,due_date,bedrag,amount,debtor_reference,debtor_kind\n")


def test_an_empty_file_is_refused():
    with pytest.raises(ImportFileError, match="empty"):
        rows_of("")


def test_quoted_values_blank_lines_and_unknown_columns():
    text = (
        "invoice_number,invoice_date,due_date,amount,debtor_reference,debtor_kind,surname,notes\n"
        '"F,1",2026-01-01,2026-02-01,10,K1,consumer,"Jansen, de",whatever\n'
        "\n"
        "F2,2026-01-01,2026-02-01,10,K1,consumer,Jansen\n"
    )
    rows = rows_of(text)
    assert [(row.row, row.invoice_number, row.surname) for row in rows] == [
        (2, "F,1", "Jansen, de"),
        (4, "F2", "Jansen"),
    ]


def test_a_record_with_too_many_fields_is_a_row_error():
    text = "invoice_number,invoice_date,due_date,amount,debtor_reference,debtor_kind\nF1,2026-01-01,2026-02-01,10,00,K1,consumer\n"
    [error] = rows_of(text)
    assert isinstance(error, RowError)
    assert (error.row, error.field) == (2, "row")
    assert error.error == "has 7 fields where the header has 6: quote values that contain ','"


def test_file_kind_and_encoding_are_told_from_the_content():
    latin1 = "factuurnummer;bedrag\nF1;10\nCafé;10\n".encode("latin-1")
    inspected = file_inspect(io.BytesIO(latin1))
    assert inspected.kind is FileKind.CSV
    with pytest.raises(ImportFileError) as refused:
        inspected.raise_if_unreadable()
    assert refused.value.field == "file"
    assert "not UTF-8 encoded (byte 0xe9 at position 30)" in refused.value.text
    assert file_inspect(io.BytesIO(b"\xef\xbb\xbf  <?xml version='1.0'?><Invoice/>")).kind is FileKind.UBL
    with pytest.raises(ImportFileError, match="Excel workbook"):
        file_inspect(io.BytesIO(b"PK\x03\x04rest")).raise_if_unreadable()


def test_an_nlcius_invoice_to_a_company():
    row = ubl_read((FIXTURES / "nlcius-invoice.xml").open("rb"))
    assert row.document is DocumentKind.INVOICE
    assert (row.invoice_number, row.invoice_date, row.due_date) == ("NL-2026-0042", "2026-03-02", "2026-04-01")
    assert (row.amount, row.currency) == ("1210.00", "EUR")
    assert (row.debtor_reference, row.debtor_kind, row.kvk_number) == ("12345678", "company", "12345678")
    assert row.organisation_name == "Bakkerij Van Dam B.V."
    assert (row.street, row.house_number, row.postcode, row.city) == ("Kerkstraat", "12a", "3811cv", "Amersfoort")
    assert (row.email, row.phone) == ("administratie@bakkerijvandam.nl", "+31 33 123 45 67")
    assert row.description == "Tarwebloem type 550"


def test_a_consumer_invoice_with_payment_terms_and_an_attachment():
    row = ubl_read((FIXTURES / "consumer-invoice.xml").open("rb"))
    assert (row.debtor_kind, row.surname, row.organisation_name) == ("consumer", "Sanne de Vries", "")
    assert row.debtor_reference == "CUST-55012"
    assert (row.due_date, row.payment_terms_days) == ("", "14")
    assert (row.street, row.house_number) == ("Lindelaan", "7")


def test_a_credit_note_names_the_invoice_it_corrects():
    row = ubl_read((FIXTURES / "peppol-creditnote.xml").open("rb"))
    assert row.document is DocumentKind.CREDIT_NOTE
    assert (row.invoice_number, row.amount, row.credited_invoice_number) == ("CN-2026-0007", "242.00", "NL-2026-0042")


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>&xxe;</cbc:ID></Invoice>"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol9;</Invoice>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/invoice.dtd">
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>"""


@pytest.mark.parametrize("document", [XXE, BILLION_LAUGHS, EXTERNAL_DTD], ids=["xxe", "billion-laughs", "external-dtd"])
def test_xml_with_a_dtd_is_refused(document):
    with pytest.raises(ImportFileError) as refused:
        ubl_read(io.BytesIO(document))
    assert refused.value.field == "file"
    assert "DOCTYPE" in refused.value.text


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"<Order xmlns='urn:oasis:names:specification:ubl:schema:xsd:Order-2'/>", "root is 'Order'"),
        (b"<Invoice/>", "not a UBL 2.1 Invoice or CreditNote"),
        (b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'>", "not well-formed XML"),
    ],
)
def test_xml_that_is_not_a_ubl_invoice_is_refused(document, message):
    with pytest.raises(ImportFileError, match=message):
        ubl_read(io.BytesIO(document))


@pytest.mark.skipif(not SHARED_UBL.is_dir(), reason="the shared e-invoice samples are not beside the repository")
def test_the_shared_peppol_samples_parse():
    invoice = ubl_read((SHARED_UBL / "peppol-bis3_base-example.xml").open("rb"))
    assert (invoice.invoice_number, invoice.amount, invoice.due_date) == ("Snippet1", "1656.25", "2017-12-01")
    assert (invoice.debtor_reference, invoice.debtor_kind, invoice.country) == ("FR23342", "company", "SE")
    credit = ubl_read((SHARED_UBL / "peppol-bis3_base-creditnote-correction.xml").open("rb"))
    assert (credit.document, credit.credited_invoice_number, credit.amount) == (
        DocumentKind.CREDIT_NOTE,
        "Snippet1",
        "1656.25",
    )
    direct_debit = ubl_read((SHARED_UBL / "peppol-bis3_snippet_direct-debit.xml").open("rb"))
    assert direct_debit.amount == "3762.50"
