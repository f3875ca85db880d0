"""E-invoice shapes met in more public test suites (Odoo's exports, EN 16931 and Peppol self-billing examples),
each reproduced on a fixture of our own."""

import io

from incasso.intake.rows import ClaimRow
from incasso.intake.tests.conftest import FIXTURES
from incasso.intake.ubl import ubl_read


def claim_row(replace: tuple[tuple[str, str], ...]) -> ClaimRow:
    text = (FIXTURES / "nlcius-invoice.xml").read_text(encoding="utf-8")
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new)
    row = ubl_read(io.BytesIO(text.encode("utf-8")))
    assert isinstance(row, ClaimRow), row
    return row


def test_a_comma_between_street_and_number_is_not_part_of_the_street():
    row = claim_row(
        (("<cbc:StreetName>Kerkstraat 12a</cbc:StreetName>", "<cbc:StreetName>Kerkstraat, 12a</cbc:StreetName>"),)
    )
    assert (row.street, row.house_number) == ("Kerkstraat", "12a")


def test_a_self_billed_invoice_is_an_invoice_of_the_buyer():
    # Peppol self-billing (type 389): the buyer issues it, but it is still the buyer who owes the amount.
    row = claim_row(
        (("<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>", "<cbc:InvoiceTypeCode>389</cbc:InvoiceTypeCode>"),)
    )
    assert row.document.value == "invoice"


def test_an_xrechnung_cash_discount_alone_gives_the_debtor_its_days():
    # XRechnung writes the discount machine-readably; with no due date, the debtor may at least pay until then.
    without_due_date = ("<cbc:DueDate>2026-04-01</cbc:DueDate>", "")
    skonto = (
        "  </cac:PaymentMeans>",
        "  </cac:PaymentMeans>\n  <cac:PaymentTerms><cbc:Note>#SKONTO#TAGE=14#PROZENT=2.00#\n</cbc:Note></cac:PaymentTerms>",
    )
    row = claim_row((without_due_date, skonto))
    assert (row.due_date, row.payment_terms_days) == ("", "14")
    net = (skonto[0], skonto[1].replace("#SKONTO#", "Zahlbar innerhalb 30 Tagen\n#SKONTO#"))
    assert claim_row((without_due_date, net)).payment_terms_days == "30"
