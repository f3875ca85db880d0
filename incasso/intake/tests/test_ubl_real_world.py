"""E-invoices as real senders write them, beyond the tidy Peppol examples: each test reproduces, in a fixture of
our own, a feature met in public UBL test suites (XRechnung, Peppol BIS 3, SI-UBL, EHF/OIOUBL, access points)."""

import base64
import io
import os

import pytest
from django.utils import translation

from incasso.cases.models import Claim
from incasso.domain.money import Money
from incasso.intake.models import ClaimCredit
from incasso.intake.rows import ClaimRow, DocumentKind, ImportFileError, RowError
from incasso.intake.selectors import claim_outstanding_principal
from incasso.intake.tests.conftest import FIXTURES
from incasso.intake.ubl import ubl_read
from incasso.parties.models import Debtor

UBL = FIXTURES / "ubl"


def read(path, replace=()):
    """The row of a fixture, optionally with some of its text replaced (one feature varied per test)."""
    text = path.read_text(encoding="utf-8")
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new)
    return ubl_read(io.BytesIO(text.encode("utf-8")))


def claim_row(path, replace=()):
    row = read(path, replace)
    assert isinstance(row, ClaimRow), row
    return row


def write(tmp_path, path, replace=()):
    text = path.read_text(encoding="utf-8")
    for old, new in replace:
        text = text.replace(old, new)
    target = tmp_path / path.name
    target.write_text(text, encoding="utf-8")
    return target


def test_dates_with_a_time_zone_are_read_as_their_day():
    """XRechnung writes xs:date with its zone ("2026-05-04+02:00"); the validator wants the day."""
    row = claim_row(UBL / "installer-invoice.xml")
    assert row.invoice_date == "2026-05-04"
    due = claim_row(
        UBL / "installer-invoice.xml",
        [("<cbc:InvoiceTypeCode>", "<cbc:DueDate>2026-06-03Z</cbc:DueDate><cbc:InvoiceTypeCode>")],
    )
    assert due.due_date == "2026-06-03"


def test_the_longest_period_of_a_payment_terms_note_is_the_term_in_any_language():
    """ "2% discount within 10 days, net 30 days": paying in 30 days is allowed, so no demand comes before."""
    assert claim_row(UBL / "installer-invoice.xml").payment_terms_days == "30"
    for note, days in (("Betaling binnen 14 dagen", "14"), ("Paiement à 45 jours", "45"), ("Zahlbar sofort", "0")):
        row = claim_row(
            UBL / "installer-invoice.xml", [("2% Skonto bei Zahlung innerhalb von 10 Tagen, netto 30 Tage.", note)]
        )
        assert row.payment_terms_days == days


def test_trailing_zeros_past_the_cents_are_not_a_third_decimal():
    assert claim_row(UBL / "installer-invoice.xml").amount == "1249.50"
    assert claim_row(UBL / "installer-invoice.xml", [("1249.5000<", "1249.5010<")]).amount == "1249.501"


def test_a_buyer_known_by_an_organisation_identifier_is_a_company():
    """No VAT or company number, but a Peppol endpoint in an organisation scheme: not a consumer."""
    row = claim_row(UBL / "installer-invoice.xml")
    assert (row.debtor_kind, row.organisation_name, row.surname) == ("company", "Kassenbau Peters", "")
    assert (row.debtor_reference, row.street, row.house_number) == ("991-33012-44", "Industrieweg", "40")
    e_mail_only = claim_row(
        UBL / "installer-invoice.xml", [('schemeID="0204">991-33012-44', 'schemeID="EM">peters@example.nl')]
    )
    assert e_mail_only.debtor_kind == "consumer"
    with_legal_form = claim_row(
        UBL / "installer-invoice.xml",
        [
            ('schemeID="0204">991-33012-44', 'schemeID="EM">peters@example.nl'),
            ("Kassenbau Peters<", "Kassenbau Peters B.V.<"),
        ],
    )
    assert with_legal_form.debtor_kind == "company"


def test_the_first_of_several_e_mail_addresses_is_the_debtors():
    assert claim_row(UBL / "installer-invoice.xml").email == "crediteuren@peters.example"


def test_item_names_repeated_on_several_lines_are_described_once():
    assert claim_row(UBL / "installer-invoice.xml").description == "Montage"


def test_an_invoice_in_a_business_document_envelope_is_read():
    row = claim_row(UBL / "envelope-invoice.xml")
    assert (row.invoice_number, row.amount, row.due_date) == ("FIETS-8812", "1000.00", "2026-06-15")


def test_an_envelope_without_an_invoice_is_refused_as_not_ubl():
    text = (UBL / "envelope-invoice.xml").read_text(encoding="utf-8")
    start, end = text.index("  <Invoice"), text.index("</Invoice>") + len("</Invoice>")
    with pytest.raises(ImportFileError) as refused:
        ubl_read(io.BytesIO((text[:start] + text[end:]).encode("utf-8")))
    assert refused.value.code == "not_ubl"
    assert "'StandardBusinessDocument'" in refused.value.text


def test_a_consumer_named_in_parts_keeps_given_names_and_surname_apart():
    row = claim_row(UBL / "envelope-invoice.xml")
    assert (row.debtor_kind, row.given_names, row.surname) == ("consumer", "Johanna Maria", "Bakker-de Groot")


def test_a_credit_type_code_in_an_invoice_root_makes_a_credit_note():
    row = claim_row(UBL / "negative-correction.xml", [("-121.00<", "121.00<"), (">380<", ">381<")])
    assert (row.document, row.credited_invoice_number, row.amount) == (
        DocumentKind.CREDIT_NOTE,
        "NL-2026-0042",
        "121.00",
    )


def test_a_credit_note_naming_its_invoice_on_the_lines_only_is_read():
    row = claim_row(
        UBL / "negative-correction.xml",
        [
            (
                "<cac:BillingReference>\n    <cac:InvoiceDocumentReference><cbc:ID>NL-2026-0042</cbc:ID></cac:InvoiceDocumentReference>\n  </cac:BillingReference>\n",
                "",
            ),
            (
                "<cac:Item>",
                "<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>NL-2026-0042</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference><cac:Item>",
            ),
            (">380<", ">381<"),
            ("-121.00<", "121.00<"),
        ],
    )
    assert (row.document, row.credited_invoice_number) == (DocumentKind.CREDIT_NOTE, "NL-2026-0042")


def test_a_credit_note_naming_several_invoices_is_a_rejected_row_with_the_numbers():
    row = read(
        UBL / "negative-correction.xml",
        [
            ("-121.00<", "121.00<"),
            (">380<", ">381<"),
            (
                "</cac:BillingReference>",
                "</cac:BillingReference><cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>NL-2026-0043</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>",
            ),
        ],
    )
    assert isinstance(row, RowError)
    assert (row.field, row.error) == (
        "credited_invoice_number",
        "the credit note names several invoices (NL-2026-0042, NL-2026-0043): submit one credit note per invoice",
    )


@pytest.mark.django_db
def test_a_negative_invoice_naming_its_invoice_reduces_that_claim(creditor, import_file):
    import_file(creditor, FIXTURES / "nlcius-invoice.xml")
    assert import_file(creditor, UBL / "negative-correction.xml") == {"created": 1, "duplicates": 0, "rejected": []}
    claim = Claim.objects.get(client=creditor)
    assert claim_outstanding_principal(claim=claim) == Money(121_000 - 12_100)
    assert ClaimCredit.objects.get().credit_note_number == "CORR-2026-0003"
    assert import_file(creditor, UBL / "negative-correction.xml")["duplicates"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("replace", "error"),
    [
        (
            [
                (
                    "<cac:BillingReference>\n    <cac:InvoiceDocumentReference><cbc:ID>NL-2026-0042</cbc:ID></cac:InvoiceDocumentReference>\n  </cac:BillingReference>\n",
                    "",
                )
            ],
            "the payable amount is negative (-121.00): the seller owes the buyer, so there is nothing to collect",
        ),
        (
            [
                ("-121.00</cbc:PayableAmount>", "0.00</cbc:PayableAmount>"),
                (
                    "<cbc:PayableAmount",
                    '<cbc:PrepaidAmount currencyID="EUR">121.00</cbc:PrepaidAmount><cbc:PayableAmount',
                ),
            ],
            "the payable amount is 0.00: nothing is left to pay (prepaid: 121.00)",
        ),
    ],
    ids=["negative-without-reference", "fully-prepaid"],
)
def test_an_invoice_with_nothing_to_collect_is_rejected_with_the_reason(
    creditor, import_file, tmp_path, replace, error
):
    path = write(tmp_path, UBL / "negative-correction.xml", replace)
    assert import_file(creditor, path) == {
        "created": 0,
        "duplicates": 0,
        "rejected": [{"row": 1, "field": "amount", "error": error}],
    }


def test_the_reasons_without_a_claim_are_translated():
    row = read(UBL / "negative-correction.xml", [("-121.00</cbc:PayableAmount>", "0.00</cbc:PayableAmount>")])
    assert isinstance(row, RowError)
    with translation.override("nl"):
        text = row.as_dict(translate=True)["error"]
    assert text.startswith("het te betalen bedrag is 0.00")


@pytest.mark.django_db
def test_an_invoice_with_a_large_embedded_pdf_imports_in_bounded_memory(creditor, import_file, tmp_path):
    """Past libxml2's 10 MB limit on one text, which only a tree-building parser needs: a scanned original is
    common, and the reader keeps none of it."""
    pdf = base64.encodebytes(os.urandom(9_000_000)).decode("ascii")  # 12 MB of base64 in 76-character lines
    attachment = (
        "<cac:AdditionalDocumentReference><cbc:ID>FIETS-8812.pdf</cbc:ID><cac:Attachment>"
        f'<cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="FIETS-8812.pdf">{pdf}'
        "</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>"
    )
    path = write(
        tmp_path,
        UBL / "envelope-invoice.xml",
        [("<cac:AccountingSupplierParty>", attachment + "<cac:AccountingSupplierParty>")],
    )
    assert path.stat().st_size > 12_000_000
    assert import_file(creditor, path) == {"created": 1, "duplicates": 0, "rejected": []}
    claim = Claim.objects.get(client=creditor)
    assert (claim.invoice_number, claim.principal_cents) == ("FIETS-8812", 100_000)
    debtor = Debtor.objects.get(client=creditor)
    assert (debtor.given_names, debtor.surname, debtor.kind) == ("Johanna Maria", "Bakker-de Groot", "consumer")


@pytest.mark.django_db
def test_an_xrechnung_style_invoice_imports_with_the_right_amount_and_due_date(creditor, import_file):
    assert import_file(creditor, UBL / "installer-invoice.xml") == {"created": 1, "duplicates": 0, "rejected": []}
    claim = Claim.objects.get(client=creditor)
    assert (claim.principal_cents, str(claim.invoice_date), str(claim.due_date)) == (
        124_950,
        "2026-05-04",
        "2026-06-03",
    )


def test_a_broken_file_is_refused_with_what_the_parser_found_first():
    """Fed in blocks, lxml may only say "missing end tags" at the end; the cause is the first error it logged."""
    text = (UBL / "envelope-invoice.xml").read_text(encoding="utf-8")
    with pytest.raises(ImportFileError) as refused:
        ubl_read(io.BytesIO(text[: text.index("</cbc:ID>")].encode("utf-8")))
    assert refused.value.code == "broken_xml"
    assert "Premature end of data in tag ID" in refused.value.text


def test_a_header_with_endless_elements_keeps_a_bounded_tree():
    """A kept part (the buyer) stuffed with elements: past MAX_KEPT_ELEMENTS they are read past, not stored."""
    from lxml import etree

    from incasso.core.xml import SAFE_PARSE_OPTIONS
    from incasso.intake.ubl import MAX_KEPT_ELEMENTS, _Reader

    text = (UBL / "envelope-invoice.xml").read_text(encoding="utf-8")
    stuffed = text.replace("<cac:Person>", "<cbc:Note/>" * (MAX_KEPT_ELEMENTS * 3) + "<cac:Person>")
    reader = _Reader()
    parser = etree.XMLParser(target=reader, **SAFE_PARSE_OPTIONS)
    parser.feed(stuffed.encode("utf-8"))
    document = parser.close()
    assert reader.built == MAX_KEPT_ELEMENTS
    assert document is not None and len(list(document.iter())) == MAX_KEPT_ELEMENTS + 1  # and the Invoice element


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_an_e_invoice_in_utf_16_or_32_is_read_as_the_xml_declares(creditor, import_file, tmp_path, encoding):
    """XML names its own encoding (a byte order mark and the declaration); only a CSV file must be UTF-8."""
    text = (FIXTURES / "nlcius-invoice.xml").read_text(encoding="utf-8")
    target = tmp_path / "invoice.xml"
    target.write_bytes(text.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"').encode(encoding))
    assert import_file(creditor, target) == {"created": 1, "duplicates": 0, "rejected": []}
    assert Claim.objects.get(client=creditor).principal_cents == 121_000
