"""Accounts are made on first use with a plain insert; one that another writer made since they were read is
found, not made twice."""

import pytest

from incasso.ledger.models import Account, AccountKind
from incasso.ledger.services.postings import AccountKey, _accounts_made, account_ids_for

pytestmark = pytest.mark.django_db


def test_missing_accounts_are_made_once_and_found_again():
    keys = [AccountKey(AccountKind.BANK_CLIENT_MONEY), AccountKey(AccountKind.UNMATCHED)]
    made = account_ids_for(keys)
    assert account_ids_for(keys) == made
    assert Account.objects.count() == 2


def test_an_account_made_by_another_writer_since_the_read_is_found_not_made_again():
    """The read that does not see an existing account stands for a writer that made it after our read: the plain
    insert meets the unique code, and the insert that skips conflicts makes only the new one."""
    existing = account_ids_for([AccountKey(AccountKind.BANK_CLIENT_MONEY)])[AccountKey(AccountKind.BANK_CLIENT_MONEY)]
    reads = []

    def read(codes):
        reads.append(codes)
        found = dict(Account.objects.filter(code__in=codes).values_list("code", "pk"))
        return {} if len(reads) == 1 else found  # the first read misses what another writer made meanwhile

    keys = [AccountKey(AccountKind.BANK_CLIENT_MONEY), AccountKey(AccountKind.UNMATCHED)]
    got = _accounts_made(keys, read)
    assert got[AccountKey(AccountKind.BANK_CLIENT_MONEY)] == existing
    assert set(Account.objects.values_list("code", flat=True)) == {"bank_client_money", "unmatched"}
    assert Account.objects.count() == 2
