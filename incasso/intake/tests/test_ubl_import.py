"""E-invoices end to end: invoices become claims, credit notes reduce them, the shared Peppol samples import."""

import pytest

from incasso.cases.models import Claim
from incasso.domain.money import Money
from incasso.intake.models import ClaimCredit, ImportBatch
from incasso.intake.selectors import claim_outstanding_principal
from incasso.intake.tests.conftest import FIXTURES, SHARED_UBL
from incasso.parties.factories import ClientFactory
from incasso.parties.models import Debtor

pytestmark = pytest.mark.django_db


def test_an_nlcius_invoice_becomes_a_claim_on_a_company(creditor, import_file):
    assert import_file(creditor, FIXTURES / "nlcius-invoice.xml") == {"created": 1, "duplicates": 0, "rejected": []}
    claim = Claim.objects.get(client=creditor)
    assert (claim.invoice_number, claim.principal_cents) == ("NL-2026-0042", 121_000)
    assert str(claim.due_date) == "2026-04-01"
    assert claim.case.interest_kind == "commercial"
    debtor = Debtor.objects.get(client=creditor)
    assert (debtor.reference, debtor.kind, debtor.organisation_name) == ("12345678", "company", "Bakkerij Van Dam B.V.")
    assert (debtor.kvk_number, debtor.postcode, debtor.house_number) == ("12345678", "3811 CV", "12a")
    assert ImportBatch.objects.get().file_format == "ubl"


def test_a_consumer_invoice_without_due_date_uses_its_payment_terms(creditor, import_file):
    import_file(creditor, FIXTURES / "consumer-invoice.xml")
    claim = Claim.objects.get(client=creditor)
    assert (claim.principal_cents, str(claim.invoice_date), str(claim.due_date)) == (8_600, "2026-02-15", "2026-03-01")
    assert claim.case.interest_kind == "statutory"
    assert claim.case.debtor.surname == "Sanne de Vries"


def test_a_credit_note_reduces_the_claim_it_refers_to_once(creditor, import_file):
    import_file(creditor, FIXTURES / "nlcius-invoice.xml")
    assert import_file(creditor, FIXTURES / "peppol-creditnote.xml") == {"created": 1, "duplicates": 0, "rejected": []}
    claim = Claim.objects.get(client=creditor)
    assert claim.principal_cents == 121_000  # the invoice itself is never edited
    assert claim_outstanding_principal(claim=claim) == Money(96_800)
    credit = ClaimCredit.objects.get()
    assert (credit.credit_note_number, credit.amount_cents, str(credit.credited_on)) == (
        "CN-2026-0007",
        24_200,
        "2026-03-10",
    )
    assert import_file(creditor, FIXTURES / "peppol-creditnote.xml") == {"created": 0, "duplicates": 1, "rejected": []}
    assert claim_outstanding_principal(claim=claim) == Money(96_800)


def test_a_credit_note_for_an_unknown_invoice_is_rejected(creditor, import_file):
    assert import_file(creditor, FIXTURES / "peppol-creditnote.xml") == {
        "created": 0,
        "duplicates": 0,
        "rejected": [
            {
                "row": 1,
                "field": "credited_invoice_number",
                "error": "no claim with invoice number 'NL-2026-0042' for this client: submit the invoice before its credit note",
            }
        ],
    }
    assert not ClaimCredit.objects.exists()


def test_a_credit_note_never_reaches_another_clients_invoice(creditor, import_file):
    import_file(ClientFactory(code="other"), FIXTURES / "nlcius-invoice.xml")
    assert (
        import_file(creditor, FIXTURES / "peppol-creditnote.xml")["rejected"][0]["field"] == "credited_invoice_number"
    )


@pytest.mark.skipif(not SHARED_UBL.is_dir(), reason="the shared e-invoice samples are not beside the repository")
def test_the_shared_peppol_samples_import_with_the_right_amounts(creditor, import_file):
    assert import_file(creditor, SHARED_UBL / "peppol-bis3_base-example.xml")["created"] == 1
    claim = Claim.objects.get(client=creditor, invoice_number="Snippet1")
    assert claim.principal_cents == 165_625
    assert (claim.case.debtor.reference, claim.case.debtor.country) == ("FR23342", "SE")
    assert import_file(creditor, SHARED_UBL / "peppol-bis3_base-creditnote-correction.xml")["created"] == 1
    assert claim_outstanding_principal(claim=claim) == Money(0)
    # The direct-debit sample reuses the invoice number Snippet1 with another amount: for the same client that is a
    # changed claim, refused (the credit note above reduced the claim; it is no conflict).
    changed = import_file(creditor, SHARED_UBL / "peppol-bis3_snippet_direct-debit.xml")
    assert (changed["created"], changed["duplicates"]) == (0, 0)
    assert [(error["field"], error["error"].split(";")[0]) for error in changed["rejected"]] == [
        ("amount", "invoice Snippet1 was already imported with amount 1656.25")
    ]
    assert Claim.objects.get(client=creditor).principal_cents == 165_625
    other = ClientFactory(code="other")
    assert import_file(other, SHARED_UBL / "peppol-bis3_snippet_direct-debit.xml")["created"] == 1
    assert Claim.objects.get(client=other).principal_cents == 376_250  # payable: 4,762.50 less 1,000.00 prepaid


def test_an_e_invoice_with_bad_values_is_a_rejected_row_with_the_reasons(creditor, import_file, tmp_path):
    text = (FIXTURES / "nlcius-invoice.xml").read_text(encoding="utf-8")
    text = text.replace('<cbc:PayableAmount currencyID="EUR">1210.00', '<cbc:PayableAmount currencyID="USD">1210.001')
    text = text.replace("<cbc:DueDate>2026-04-01</cbc:DueDate>", "<cbc:DueDate>2026-02-01</cbc:DueDate>")
    text = text.replace("<cbc:PostalZone>3811cv</cbc:PostalZone>", "<cbc:PostalZone>38110</cbc:PostalZone>")
    path = tmp_path / "bad.xml"
    path.write_text(text, encoding="utf-8")
    assert import_file(creditor, path) == {
        "created": 0,
        "duplicates": 0,
        "rejected": [
            {"row": 1, "field": "due_date", "error": "2026-02-01 is before the invoice date 2026-03-02"},
            {"row": 1, "field": "amount", "error": "'1210.001' has more than two decimals"},
            {
                "row": 1,
                "field": "currency",
                "error": "USD is not accepted: Incasso collects claims in euros (EUR) only",
            },
            {"row": 1, "field": "postcode", "error": "'38110' is not a valid Dutch postcode (e.g. 1234 AB)"},
        ],
    }
    assert not Claim.objects.exists()
