import datetime

import pytest

from incasso.cases.factories import CaseFactory
from incasso.ledger.errors import AlreadyReversed, IdempotencyConflict, LedgerError, UnbalancedTransaction
from incasso.ledger.models import Account, AccountKind, Entry, LedgerTransaction, TransactionKind
from incasso.ledger.services import AccountKey, account_for, accounts_for, transaction_post, transaction_reverse
from incasso.ledger.tests.conftest import eur

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 10, 1)


@pytest.fixture
def bank():
    return account_for(AccountKind.BANK_CLIENT_MONEY)


@pytest.fixture
def suspense():
    return account_for(AccountKind.UNMATCHED)


def post(bank, suspense, key="k-1", amount="10.00", **options):
    return transaction_post(
        key=key,
        kind=options.pop("kind", TransactionKind.PAYMENT),
        booked_on=options.pop("booked_on", DAY),
        lines=[(bank, eur(amount)), (suspense, -eur(amount))],
        description="test",
        **options,
    )


def test_account_for_creates_an_account_once_and_then_finds_it(creditor, case):
    first = account_for(AccountKind.CLIENT_MONEY_PAYABLE, client_id=creditor.pk)
    again = account_for(AccountKind.CLIENT_MONEY_PAYABLE, client_id=creditor.pk)
    assert first.pk == again.pk
    assert first.code == f"client_money_payable:client:{creditor.pk}"
    assert account_for(AccountKind.RECEIVABLE, case_id=case.pk).code == f"receivable:case:{case.pk}"
    assert Account.objects.count() == 2


def test_accounts_for_creates_many_in_a_constant_number_of_queries(creditor, django_assert_max_num_queries):
    cases = CaseFactory.create_batch(5, debtor__client=creditor)
    keys = [AccountKey(AccountKind.RECEIVABLE, case_id=case.pk) for case in cases]
    keys.append(AccountKey(AccountKind.BANK_CLIENT_MONEY))
    # The read, the insert in its savepoint (SAVEPOINT and RELEASE: a racing writer's account is met there), the
    # read of the new accounts.
    with django_assert_max_num_queries(5):
        accounts = accounts_for(keys)
    assert {account.kind for account in accounts.values()} == {AccountKind.RECEIVABLE, AccountKind.BANK_CLIENT_MONEY}
    with django_assert_max_num_queries(1):
        assert accounts_for(keys) == accounts


@pytest.mark.parametrize(
    "key",
    [
        AccountKey(AccountKind.CLIENT_MONEY_PAYABLE),
        AccountKey(AccountKind.RECEIVABLE, client_id=1),
        AccountKey(AccountKind.BANK_CLIENT_MONEY, case_id=1),
    ],
)
def test_an_account_has_exactly_the_owner_its_kind_requires(key):
    with pytest.raises(LedgerError):
        accounts_for([key])


def test_a_posting_books_its_lines_debit_positive(bank, suspense):
    posted = post(bank, suspense, amount="12.34")
    assert sorted(posted.entries.values_list("account__kind", "amount_cents")) == [
        ("bank_client_money", 1234),
        ("unmatched", -1234),
    ]


def test_lines_that_do_not_sum_to_zero_are_refused(bank, suspense):
    with pytest.raises(UnbalancedTransaction):
        transaction_post(
            key="k",
            kind=TransactionKind.PAYMENT,
            booked_on=DAY,
            lines=[(bank, eur("10.00")), (suspense, -eur("9.99"))],
            description="",
        )
    assert not LedgerTransaction.objects.exists()


def test_zero_lines_are_left_out_and_an_empty_posting_refused(bank, suspense):
    posted = transaction_post(
        key="k",
        kind=TransactionKind.PAYMENT,
        booked_on=DAY,
        lines=[(bank, eur("1.00")), (suspense, eur("0.00")), (suspense, -eur("1.00"))],
        description="",
    )
    assert posted.entries.count() == 2
    with pytest.raises(LedgerError, match="non-zero"):
        transaction_post(
            key="k2", kind=TransactionKind.PAYMENT, booked_on=DAY, lines=[(bank, eur("0"))], description=""
        )


def test_only_euros_are_booked(bank, suspense):
    from incasso.domain.money import Money

    with pytest.raises(LedgerError, match="EUR"):
        transaction_post(
            key="k",
            kind=TransactionKind.PAYMENT,
            booked_on=DAY,
            lines=[(bank, Money(100, "USD")), (suspense, Money(-100, "USD"))],
            description="",
        )


def test_the_same_key_twice_books_one_transaction(bank, suspense):
    first = post(bank, suspense)
    second = post(bank, suspense)
    assert first.pk == second.pk
    assert LedgerTransaction.objects.count() == 1
    assert Entry.objects.count() == 2


@pytest.mark.parametrize(
    "change", [{"amount": "10.01"}, {"booked_on": datetime.date(2026, 10, 2)}, {"kind": TransactionKind.ADJUSTMENT}]
)
def test_the_same_key_with_another_posting_is_a_conflict(bank, suspense, change):
    post(bank, suspense)
    with pytest.raises(IdempotencyConflict):
        post(bank, suspense, **change)
    assert LedgerTransaction.objects.count() == 1


def test_a_reversal_negates_every_line_and_keeps_the_original(bank, suspense):
    original = post(bank, suspense, amount="50.00")
    reversal = transaction_reverse(transaction=original, key="r-1", booked_on=DAY, reason="typo")
    assert reversal.kind == TransactionKind.REVERSAL
    assert reversal.reverses_id == original.pk
    assert sorted(reversal.entries.values_list("account_id", "amount_cents")) == sorted(
        (account, -cents) for account, cents in original.entries.values_list("account_id", "amount_cents")
    )
    assert Entry.objects.filter(account=bank).count() == 2
    assert sum(Entry.objects.filter(account=bank).values_list("amount_cents", flat=True)) == 0


def test_a_transaction_is_reversed_at_most_once(bank, suspense):
    original = post(bank, suspense)
    first = transaction_reverse(transaction=original, key="r-1", booked_on=DAY, reason="typo")
    assert transaction_reverse(transaction=original, key="r-1", booked_on=DAY, reason="typo").pk == first.pk
    with pytest.raises(AlreadyReversed):
        transaction_reverse(transaction=original, key="r-2", booked_on=DAY, reason="again")
    with pytest.raises(LedgerError, match="not reversed"):
        transaction_reverse(transaction=first, key="r-3", booked_on=DAY, reason="undo the undo")
    assert LedgerTransaction.objects.count() == 2
