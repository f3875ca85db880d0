import datetime

import pytest

from incasso.cases.factories import CaseFactory
from incasso.cases.selectors import case_quote, case_quote_requests
from incasso.domain.quote import AllocationLine, PaymentInput
from incasso.ledger.errors import IdempotencyConflict, LedgerError
from incasso.ledger.models import Account, AccountKind, Entry, LedgerTransaction, PaymentAllocation
from incasso.ledger.selectors import balances_by_kind, case_payments, unmatched_open
from incasso.ledger.services import (
    overpayment_refund,
    payment_receive,
    payment_reverse,
    unmatched_assign,
    unmatched_receive,
)
from incasso.ledger.tests.conftest import eur, make_case
from incasso.webhooks.services import CASE_EVENTS_QUERIES_UNSUBSCRIBED

pytestmark = pytest.mark.django_db
FIRST, SECOND = datetime.date(2023, 8, 15), datetime.date(2024, 2, 1)


def pay(case, amount, day, key, **options):
    return payment_receive(case_id=case.pk, amount=eur(amount), received_on=day, key=key, source="test", **options)


def balances_of(transaction):
    return sorted(
        (kind, cents)
        for kind, cents in Entry.objects.filter(transaction=transaction).values_list("account__kind", "amount_cents")
    )


def test_the_worked_example_allocates_each_payment_costs_then_interest_then_principal(worked_case):
    first = pay(worked_case, "600.00", FIRST, "p-1")
    assert (str(first.to_costs), str(first.to_interest), str(first.to_principal), str(first.overpayment)) == (
        "425.00",
        "57.21",
        "117.79",
        "0.00",
    )
    assert first.lines[0] == AllocationLine(None, "costs", eur("425.00"))
    assert [line.part for line in first.lines] == ["costs", "interest", "interest", "principal"]
    second = pay(worked_case, "1000.00", SECOND, "p-2")
    assert (str(second.to_costs), str(second.to_interest), str(second.to_principal)) == ("0.00", "82.99", "917.01")
    stored = PaymentAllocation.objects.get(transaction_id=first.transaction_id)
    assert (stored.to_costs_cents, stored.to_interest_cents, stored.to_principal_cents) == (42_500, 5_721, 11_779)
    assert stored.lines[0] == {"claim": None, "part": "costs", "cents": 42_500}
    # The case's quote now knows both payments: the vector's outstanding total.
    assert str(case_quote(case=worked_case, as_of=datetime.date(2024, 6, 1)).total_outstanding) == "2011.05"


def test_the_bank_money_is_split_among_its_owners_by_the_commission_terms(worked_case):
    payment = pay(worked_case, "600.00", FIRST, "p-1")
    posted = LedgerTransaction.objects.get(pk=payment.transaction_id)
    # Costs are all the agency's, half the interest (28.605 rounds half up to 28.61), the rest the client's.
    assert balances_of(posted) == [
        ("agency_revenue_costs", -42_500),
        ("agency_revenue_interest", -2_861),
        ("bank_client_money", 60_000),
        ("client_money_payable", -14_639),
        ("receivable", -60_000),
        ("receivable", 60_000),
    ]
    stored = PaymentAllocation.objects.get(transaction=posted)
    assert (stored.agency_costs_cents, stored.agency_interest_cents) == (42_500, 2_861)


def test_an_overpayment_is_owed_back_and_can_be_refunded(creditor):
    case = make_case(creditor, claims=(("X", "100.00", datetime.date(2023, 3, 1)),))
    payment = pay(case, "500.00", datetime.date(2023, 3, 2), "p-1")
    assert payment.to_principal == eur("100.00")
    assert payment.to_interest == eur("0.01")  # a day of statutory interest on 100.00
    assert payment.overpayment == eur("399.99")
    assert balances_by_kind()[AccountKind.REFUNDS_PAYABLE] == -eur("399.99")
    with pytest.raises(LedgerError, match=r"owes the debtor 399\.99"):
        overpayment_refund(case_id=case.pk, amount=eur("400.00"), key="r-1", booked_on=datetime.date(2023, 3, 5))
    refund = overpayment_refund(case_id=case.pk, amount=eur("399.99"), key="r-1", booked_on=datetime.date(2023, 3, 5))
    assert balances_of(refund) == [("bank_client_money", -39_999), ("refunds_payable", 39_999)]
    # Replayed after the refund emptied the account: the key answers, the balance check does not run again.
    again = overpayment_refund(case_id=case.pk, amount=eur("399.99"), key="r-1", booked_on=datetime.date(2023, 3, 5))
    assert again.pk == refund.pk
    assert balances_by_kind()[AccountKind.REFUNDS_PAYABLE] == eur("0.00")


def test_the_same_payment_twice_books_once(worked_case):
    first = pay(worked_case, "600.00", FIRST, "camt:1")
    again = pay(worked_case, "600.00", FIRST, "camt:1")
    assert not first.duplicate
    assert again.duplicate
    assert again.transaction_id == first.transaction_id
    assert (again.to_costs, again.lines) == (first.to_costs, first.lines)
    assert LedgerTransaction.objects.count() == PaymentAllocation.objects.count() == 1
    with pytest.raises(IdempotencyConflict):
        pay(worked_case, "600.01", FIRST, "camt:1")


@pytest.mark.parametrize(("amount", "message"), [("0.00", "positive"), ("-5.00", "positive")])
def test_a_payment_must_be_positive(worked_case, amount, message):
    with pytest.raises(LedgerError, match=message):
        pay(worked_case, amount, FIRST, "p")


def test_a_payment_needs_a_case_with_claims(creditor):
    with pytest.raises(LedgerError, match="no claims"):
        pay(CaseFactory(debtor__client=creditor), "10.00", FIRST, "p")
    with pytest.raises(LedgerError, match="no case"):
        payment_receive(case_id=999_999, amount=eur("1.00"), received_on=FIRST, key="p2", source="test")
    assert not LedgerTransaction.objects.exists()


def test_a_reversed_payment_leaves_the_quote_and_its_money_goes_back(worked_case):
    pay(worked_case, "600.00", FIRST, "dd:1")
    reversal = payment_reverse(payment_key="dd:1", key="dd:1:MD06", booked_on=datetime.date(2023, 8, 20), reason="MD06")
    assert (
        payment_reverse(payment_key="dd:1", key="dd:1:MD06", booked_on=datetime.date(2023, 8, 20), reason="MD06")
        == reversal
    )
    assert case_payments(case_ids=[worked_case.pk]) == {}
    assert all(total == eur("0.00") for total in balances_by_kind().values())
    # Allocated afresh: the next payment pays the costs the reversed one had paid.
    again = pay(worked_case, "600.00", FIRST, "dd:2")
    assert (again.to_costs, again.to_interest) == (eur("425.00"), eur("57.21"))
    with pytest.raises(LedgerError, match="no payment"):
        payment_reverse(payment_key="unknown", key="x", booked_on=FIRST, reason="")


def test_case_payments_and_the_quote_request_take_the_payments_up_to_as_of(worked_case):
    pay(worked_case, "1000.00", SECOND, "p-2")
    pay(worked_case, "600.00", FIRST, "p-1")
    assert case_payments(case_ids=[worked_case.pk]) == {
        worked_case.pk: [PaymentInput(FIRST, eur("600.00")), PaymentInput(SECOND, eur("1000.00"))]
    }
    request = case_quote_requests(case_ids=[worked_case.pk], as_of=datetime.date(2023, 12, 31))[worked_case.pk]
    assert request.payments == (PaymentInput(FIRST, eur("600.00")),)


def test_an_unmatched_receipt_waits_in_suspense_until_assigned(worked_case):
    receipt = unmatched_receive(amount=eur("600.00"), received_on=FIRST, key="camt:9", reference="no reference")
    assert [(item.key, item.amount) for item in unmatched_open()] == [("camt:9", eur("600.00"))]
    assert balances_by_kind()[AccountKind.UNMATCHED] == -eur("600.00")
    later = datetime.date(2023, 9, 30)
    payment = unmatched_assign(unmatched_key="camt:9", case_id=worked_case.pk, key="assign:9", booked_on=later)
    # Allocated as of the day the money arrived, not the day finance assigned it.
    assert (payment.received_on, payment.to_costs, payment.to_interest) == (FIRST, eur("425.00"), eur("57.21"))
    assert LedgerTransaction.objects.get(pk=payment.transaction_id).booked_on == later
    assert unmatched_open() == []
    assert balances_by_kind()[AccountKind.UNMATCHED] == eur("0.00")
    assert balances_by_kind()[AccountKind.BANK_CLIENT_MONEY] == eur("600.00")
    assert unmatched_assign(unmatched_key="camt:9", case_id=worked_case.pk, key="assign:9", booked_on=later).duplicate
    with pytest.raises(LedgerError, match="assigned already"):
        unmatched_assign(unmatched_key="camt:9", case_id=worked_case.pk, key="assign:other", booked_on=later)
    with pytest.raises(LedgerError, match="assigned to a case"):
        payment_reverse(payment_key="camt:9", key="rev", booked_on=later, reason="")
    assert receipt.pk != payment.transaction_id


def test_a_wrong_assignment_is_reversed_and_the_receipt_assigned_again(worked_case, creditor):
    other = make_case(creditor)
    unmatched_receive(amount=eur("50.00"), received_on=FIRST, key="camt:1", reference="")
    unmatched_assign(unmatched_key="camt:1", case_id=other.pk, key="a:1", booked_on=FIRST)
    payment_reverse(payment_key="a:1", key="a:1:undo", booked_on=FIRST, reason="wrong case")
    assert [item.key for item in unmatched_open()] == ["camt:1"]
    assert unmatched_assign(unmatched_key="camt:1", case_id=worked_case.pk, key="a:2", booked_on=FIRST).case_id == (
        worked_case.pk
    )
    assert balances_by_kind()[AccountKind.UNMATCHED] == eur("0.00")


def test_receiving_a_payment_takes_the_same_number_of_queries_however_many_came_before(
    worked_case, django_assert_max_num_queries
):
    # The client's webhook endpoints are looked up once per booking (none here): CASE_EVENTS_QUERIES_UNSUBSCRIBED.
    # The first payment opens the case's accounts, in a savepoint (two statements): later ones only read them.
    with django_assert_max_num_queries(21 + CASE_EVENTS_QUERIES_UNSUBSCRIBED) as first:
        pay(worked_case, "10.00", FIRST, "p-0")
    for number in range(1, 8):
        pay(worked_case, "10.00", FIRST + datetime.timedelta(days=number), f"p-{number}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        pay(worked_case, "10.00", SECOND, "p-last")


def test_a_payment_makes_no_account_that_it_leaves_empty(worked_case):
    """No overpayment: the case's refunds account is not created (it is, on first use, by an overpayment)."""
    payment_receive(case_id=worked_case.pk, amount=eur("100.00"), received_on=FIRST, key="p-1", source="bank")

    kinds = set(Account.objects.filter(case=worked_case).values_list("kind", flat=True))
    assert kinds == {AccountKind.RECEIVABLE}
    assert not Entry.objects.filter(amount_cents=0).exists()
