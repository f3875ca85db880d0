import datetime

import lxml.etree as etree
import pytest

from incasso.domain.money import Money
from incasso.ledger.errors import IdempotencyConflict, LedgerError, NothingToPayOut
from incasso.ledger.models import AccountKind, Entry, Payout, PayoutItem
from incasso.ledger.selectors import balances_by_kind
from incasso.ledger.sepa import CreditTransfer, credit_transfer_document, refund_credit_transfer
from incasso.ledger.services import overpayment_refund, payment_receive, payment_reverse, payout_create
from incasso.ledger.statements import payout_statement_csv
from incasso.ledger.tests.conftest import eur, make_case
from incasso.ledger.verification import ledger_verify

pytestmark = pytest.mark.django_db
AUGUST = (datetime.date(2023, 8, 1), datetime.date(2023, 8, 31))
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}


def pay(case, amount, day, key):
    return payment_receive(case_id=case.pk, amount=eur(amount), received_on=day, key=key, source="test")


def test_a_payout_pays_the_clients_share_less_commission_on_principal(worked_case):
    pay(worked_case, "600.00", datetime.date(2023, 8, 15), "p-1")
    payout = payout_create(client_id=worked_case.client_id, period_start=AUGUST[0], period_end=AUGUST[1], key="po-1")
    # Client's share 146.39 = half the interest (28.60) + principal (117.79); commission 15% of 117.79 = 17.67.
    assert (payout.gross_cents, payout.commission_cents, payout.net_cents) == (14_639, 1_767, 12_872)
    assert sorted(
        Entry.objects.filter(transaction=payout.transaction).values_list("account__kind", "amount_cents")
    ) == [
        ("agency_revenue_commission", -1_767),
        ("bank_client_money", -12_872),
        ("client_money_payable", 1_767),
        ("client_money_payable", 12_872),
    ]
    assert balances_by_kind()[AccountKind.CLIENT_MONEY_PAYABLE] == eur("0.00")
    [line] = payout.statement
    assert line["case"] == worked_case.number
    assert (line["payments"], line["amount_cents"], line["net_cents"]) == (1, 60_000, 12_872)
    assert ledger_verify().clean


def test_the_statement_csv_adds_up_to_the_payout(worked_case):
    second = make_case(worked_case.client, claims=(("C", "1500.00", datetime.date(2023, 3, 1)),))
    pay(worked_case, "600.00", datetime.date(2023, 8, 15), "p-1")
    pay(second, "100.00", datetime.date(2023, 8, 20), "p-2")
    payout = payout_create(client_id=worked_case.client_id, period_start=AUGUST[0], period_end=AUGUST[1], key="po-1")
    rows = [row.split(",") for row in payout_statement_csv(payout=payout).strip().split("\n")]
    assert rows[0][0] == "case" and rows[0][-3:] == ["collected_for_client", "commission", "net"]
    assert len(rows) == 4
    assert rows[-1][0] == "total"
    total = dict(zip(rows[0], rows[-1], strict=True))
    assert eur(total["collected_for_client"]).cents == payout.gross_cents
    assert eur(total["commission"]).cents == payout.commission_cents
    assert eur(total["net"]).cents == payout.net_cents
    assert eur(total["received"]) == eur("700.00")


def test_the_credit_transfer_file_validates_and_pays_the_clients_iban(worked_case, settings):
    settings.INCASSO_AGENCY_BIC = "RABONL2U"
    pay(worked_case, "600.00", datetime.date(2023, 8, 15), "p-1")
    payout = payout_create(client_id=worked_case.client_id, period_start=AUGUST[0], period_end=AUGUST[1], key="po-1")
    document = etree.fromstring(payout.credit_transfer_xml.encode())
    assert document.findtext(".//p:CdtTrfTxInf/p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == "NL02ABNA0123456789"
    assert document.findtext(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", namespaces=NS) == "128.72"
    assert document.findtext(".//p:DbtrAgt//p:BICFI", namespaces=NS) == "RABONL2U"
    assert document.findtext(".//p:EndToEndId", namespaces=NS) == f"INCPO{payout.transaction_id}"


@pytest.mark.parametrize("schema", ["pain.001.001.09", "pain.001.001.03"])
def test_credit_transfer_documents_validate_against_their_schema(schema):
    xml = credit_transfer_document(
        transfers=[CreditTransfer("Refund J. Jansen", "NL02ABNA0123456789", eur("12.50"), "Refund", "INCRF1")],
        execution_date=datetime.date(2026, 10, 1),
        schema=schema,
    )
    assert f"xsd:{schema}" in xml
    with pytest.raises(LedgerError, match="IBAN"):
        credit_transfer_document(
            transfers=[CreditTransfer("No account", "", eur("1.00"), "x", "y")],
            execution_date=datetime.date(2026, 10, 1),
        )


def test_an_invalid_credit_transfer_is_refused_before_it_reaches_the_bank():
    with pytest.raises(LedgerError, match="does not validate"):
        credit_transfer_document(
            transfers=[CreditTransfer("Someone", "NOT AN IBAN", eur("1.00"), "x", "y")],
            execution_date=datetime.date(2026, 10, 1),
        )


def test_a_payout_is_made_once_per_key_and_pays_nothing_twice(worked_case):
    pay(worked_case, "600.00", datetime.date(2023, 8, 15), "p-1")
    first = payout_create(client_id=worked_case.client_id, period_start=AUGUST[0], period_end=AUGUST[1], key="po-1")
    assert (
        payout_create(client_id=worked_case.client_id, period_start=AUGUST[0], period_end=AUGUST[1], key="po-1")
        == first
    )
    with pytest.raises(IdempotencyConflict):
        payout_create(client_id=worked_case.client_id, period_start=AUGUST[0], period_end=AUGUST[0], key="po-1")
    with pytest.raises(NothingToPayOut):
        payout_create(client_id=worked_case.client_id, period_start=AUGUST[0], period_end=AUGUST[1], key="po-2")
    assert Payout.objects.count() == 1


def test_a_payment_booked_late_is_paid_out_next_time(worked_case):
    pay(worked_case, "600.00", datetime.date(2023, 8, 15), "p-1")
    payout_create(client_id=worked_case.client_id, period_start=AUGUST[0], period_end=AUGUST[1], key="po-aug")
    pay(worked_case, "50.00", datetime.date(2023, 8, 30), "p-late")  # an August statement imported in September
    september = payout_create(
        client_id=worked_case.client_id,
        period_start=datetime.date(2023, 9, 1),
        period_end=datetime.date(2023, 9, 30),
        key="po-sep",
    )
    assert september.statement[0]["amount_cents"] == 5_000
    assert PayoutItem.objects.count() == 2


def test_a_reversal_after_a_payout_is_deducted_from_the_next_with_its_commission(worked_case):
    pay(worked_case, "600.00", datetime.date(2023, 8, 15), "p-1")
    august = payout_create(client_id=worked_case.client_id, period_start=AUGUST[0], period_end=AUGUST[1], key="po-aug")
    payment_reverse(payment_key="p-1", key="p-1:AC06", booked_on=datetime.date(2023, 9, 3), reason="AC06")
    september = (datetime.date(2023, 9, 1), datetime.date(2023, 9, 30))
    with pytest.raises(NothingToPayOut):
        payout_create(client_id=worked_case.client_id, period_start=september[0], period_end=september[1], key="po-sep")
    # The client owes back what it was paid; a later payment nets it.
    assert balances_by_kind()[AccountKind.CLIENT_MONEY_PAYABLE] == eur("146.39")
    pay(worked_case, "1000.00", datetime.date(2023, 9, 20), "p-2")
    payout = payout_create(
        client_id=worked_case.client_id, period_start=september[0], period_end=september[1], key="po-sep"
    )
    [line] = payout.statement
    assert (line["payments"], line["reversals"]) == (1, 1)
    assert line["commission_cents"] == payout.commission_cents
    received = eur("600.00") - eur("600.00") + eur("1000.00")
    paid_out = Money(august.net_cents + payout.net_cents)
    assert balances_by_kind()[AccountKind.BANK_CLIENT_MONEY] == received - paid_out
    assert balances_by_kind()[AccountKind.CLIENT_MONEY_PAYABLE] == eur("0.00")
    assert ledger_verify().clean


def test_a_client_without_an_iban_is_not_paid_out(worked_case):
    worked_case.client.iban = ""
    worked_case.client.save()
    pay(worked_case, "600.00", datetime.date(2023, 8, 15), "p-1")
    with pytest.raises(LedgerError, match="no IBAN"):
        payout_create(client_id=worked_case.client_id, period_start=AUGUST[0], period_end=AUGUST[1], key="po-1")


def test_a_refund_is_paid_by_a_credit_transfer_of_exactly_the_booked_amount(worked_case):
    pay(worked_case, "5000.00", datetime.date(2023, 8, 15), "p-1")
    refund = overpayment_refund(
        case_id=worked_case.pk, amount=eur("100.00"), key="rf-1", booked_on=datetime.date(2023, 8, 20)
    )
    xml = refund_credit_transfer(
        refund=refund, name="J. Jansen", iban="NL02ABNA0123456789", execution_date=datetime.date(2026, 10, 1)
    )
    document = etree.fromstring(xml.encode())
    assert document.findtext(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", namespaces=NS) == "100.00"
    assert document.findtext(".//p:EndToEndId", namespaces=NS) == f"INCRF{refund.pk}"
    with pytest.raises(LedgerError, match="not a refund"):
        refund_credit_transfer(
            refund=refund.reverses
            or payment_reverse(payment_key="p-1", key="r", booked_on=datetime.date(2023, 9, 1), reason="x"),
            name="x",
            iban="NL02ABNA0123456789",
            execution_date=datetime.date(2026, 10, 1),
        )


def test_the_statement_pdf_shows_the_same_totals(worked_case):
    from incasso.core.testing import pdf_text
    from incasso.domain.money import Money
    from incasso.ledger.statements import payout_statement_pdf

    pay(worked_case, "600.00", datetime.date(2023, 8, 15), "p-1")
    payout = payout_create(client_id=worked_case.client_id, period_start=AUGUST[0], period_end=AUGUST[1], key="po-1")
    text = pdf_text(payout_statement_pdf(payout=payout))
    assert worked_case.number in text and worked_case.client.name in text
    assert f"€ {Money(payout.net_cents)}" in text
    assert f"€ {Money(payout.commission_cents)}" in text
