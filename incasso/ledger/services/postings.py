"""The one writer of ledger transactions, its reversal, and the accounts it posts to.

Every posting goes through :func:`transaction_post`: it refuses lines that do not sum to zero, and it makes a key
book at most once, so a statement imported twice or a webhook delivered twice changes nothing. On PostgreSQL a
deferred trigger checks the sum again at commit; on both databases triggers refuse any change to what was posted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from django.db import IntegrityError, connection
from django.db.models import F
from django.db.transaction import atomic
from django.utils import timezone

from incasso.core.bulk_insert import AnyOf, rows_insert
from incasso.domain.money import Money
from incasso.ledger.errors import AlreadyReversed, IdempotencyConflict, LedgerError, UnbalancedTransaction
from incasso.ledger.models import (
    PER_CASE_KINDS,
    PER_CLIENT_KINDS,
    Account,
    AccountKind,
    Entry,
    LedgerTransaction,
    TransactionKind,
)

CURRENCY = "EUR"


class AccountKey(NamedTuple):
    """Names one account: its kind and, as the kind requires, its client or its case."""

    kind: AccountKind
    client_id: int | None = None
    case_id: int | None = None

    @property
    def code(self) -> str:
        if self.kind in PER_CLIENT_KINDS:
            if self.client_id is None or self.case_id is not None:
                raise LedgerError(f"a {self.kind} account belongs to one client")
            return f"{self.kind.value}:client:{self.client_id}"
        if self.kind in PER_CASE_KINDS:
            if self.case_id is None or self.client_id is not None:
                raise LedgerError(f"a {self.kind} account belongs to one case")
            return f"{self.kind.value}:case:{self.case_id}"
        if self.client_id is not None or self.case_id is not None:
            raise LedgerError(f"there is one {self.kind} account for the whole agency")
        return self.kind.value


def accounts_for(keys: Iterable[AccountKey]) -> dict[AccountKey, Account]:
    """The accounts named by ``keys``, creating those that do not exist yet: at most three queries for any number.

    Two writers creating the same account at once both succeed: the unique code makes the second insert a no-op.
    """
    by_code = {key.code: key for key in keys}
    found = {account.code: account for account in Account.objects.filter(AnyOf(F("code"), list(by_code)))}
    missing = [code for code in by_code if code not in found]
    if missing:
        now = timezone.now()
        rows_insert(
            Account,
            ("code", "kind", "client_id", "case_id", "created_at"),
            [(code, str(by_code[code].kind), by_code[code].client_id, by_code[code].case_id, now) for code in missing],
            returning=False,
            ignore_conflicts=True,
        )
        found.update((account.code, account) for account in Account.objects.filter(AnyOf(F("code"), missing)))
    return {key: found[code] for code, key in by_code.items()}


def account_for(kind: AccountKind, client_id: int | None = None, case_id: int | None = None) -> Account:
    """The one account of ``kind`` (for the client or case its kind requires), created on first use."""
    key = AccountKey(kind, client_id, case_id)
    return accounts_for([key])[key]


Lines = Sequence[tuple[Account, Money]]


@dataclass(frozen=True, slots=True)
class Posting:
    """One transaction to book: what :func:`transaction_post` takes, for booking many in one go."""

    key: str
    kind: TransactionKind
    booked_on: date
    lines: Lines
    description: str
    reverses: LedgerTransaction | None = None
    source_ref: str = ""


@dataclass(frozen=True, slots=True)
class _Checked:
    posting: Posting
    lines: tuple[tuple[Account, int], ...]  # the non-zero lines as (account, cents)

    def shape(self) -> tuple[str, date, int | None, list[tuple[int, int]]]:
        """What must match for a replay of the key to be the same posting."""
        posting = self.posting
        reverses_id = posting.reverses.pk if posting.reverses is not None else None
        lines = sorted((account.pk, cents) for account, cents in self.lines)
        return str(posting.kind), posting.booked_on, reverses_id, lines


def _checked(posting: Posting) -> _Checked:
    """Refuse a posting that is not one balanced transaction in euros on saved accounts; drop its zero lines."""
    kept: list[tuple[Account, int]] = []
    for account, amount in posting.lines:
        if amount.currency != CURRENCY:
            raise LedgerError(f"the ledger keeps {CURRENCY}, not {amount.currency}")
        if account.pk is None:
            raise LedgerError("post to saved accounts only (use account_for)")
        if amount.cents:
            kept.append((account, amount.cents))
    if not kept:
        raise LedgerError("a transaction needs at least one non-zero line")
    total = sum(cents for _, cents in kept)
    if total != 0:
        raise UnbalancedTransaction(f"the lines sum to {Money(total)}, not zero: money would be created or lost")
    return _Checked(posting, tuple(kept))


def _same_postings(existing: dict[str, LedgerTransaction], asked: dict[str, _Checked]) -> None:
    """Refuse any key whose earlier posting differs from the one asked for now (one query for all of them)."""
    if not existing:
        return
    lines: dict[int, list[tuple[int, int]]] = {transaction.pk: [] for transaction in existing.values()}
    for transaction_id, account_id, cents in Entry.objects.filter(transaction_id__in=list(lines)).values_list(
        "transaction_id", "account_id", "amount_cents"
    ):
        lines[transaction_id].append((account_id, cents))
    for key, transaction in existing.items():
        shape = (transaction.kind, transaction.booked_on, transaction.reverses_id, sorted(lines[transaction.pk]))
        if shape != asked[key].shape():
            raise IdempotencyConflict(f"key {key!r} was used for a different posting (transaction {transaction.pk})")


def _new_transaction(checked: _Checked, now: datetime | None = None) -> LedgerTransaction:
    posting = checked.posting
    return LedgerTransaction(
        idempotency_key=posting.key,
        kind=posting.kind,
        booked_on=posting.booked_on,
        description=posting.description[:255],
        reverses=posting.reverses,
        source_ref=posting.source_ref[:200],
        created_at=now or timezone.now(),
    )


_TRANSACTION_COLUMNS = (
    "idempotency_key",
    "kind",
    "booked_on",
    "description",
    "reverses_id",
    "source_ref",
    "created_at",
)


def _inserted(checked: Sequence[_Checked]) -> list[LedgerTransaction]:
    """Insert new transactions in one statement (``COPY`` on PostgreSQL) and return them as saved rows, in order.

    Raises Django's ``IntegrityError`` when a key or an original is taken (a writer racing for the same key)."""
    now = timezone.now()
    made = [_new_transaction(item, now) for item in checked]
    rows = [
        (t.idempotency_key, str(t.kind), t.booked_on, t.description, t.reverses_id, t.source_ref, now) for t in made
    ]
    with connection.wrap_database_errors:  # COPY's errors are the driver's: make a unique violation Django's
        ids = rows_insert(LedgerTransaction, _TRANSACTION_COLUMNS, rows)
    for transaction, pk in zip(made, ids, strict=True):
        transaction.pk = pk
        transaction._state.adding = False
        transaction._state.db = connection.alias
    return made


def _insert_one(checked: _Checked) -> tuple[LedgerTransaction, bool]:
    """The slow path after a race: insert alone; on a unique-index conflict find out which one it was.

    Returns the transaction and whether this call inserted it (else another writer booked the same posting)."""
    key, reverses = checked.posting.key, checked.posting.reverses
    try:
        with atomic():
            return LedgerTransaction.objects.bulk_create([_new_transaction(checked)])[0], True
    except IntegrityError:
        existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise AlreadyReversed(f"transaction {reverses.pk if reverses else '?'} was reversed before") from None
        _same_postings({key: existing}, {key: checked})
        return existing, False


@atomic
def transactions_post(postings: Sequence[Posting]) -> list[LedgerTransaction]:
    """Book many transactions, each once per key, in a fixed number of queries: the statement import's path.

    Returns the transaction of each posting, in order. The rules are :func:`transaction_post`'s; a key given
    twice in one call must describe the same posting both times.
    """
    asked: dict[str, _Checked] = {}
    for posting in postings:
        checked = _checked(posting)
        if posting.key in asked and asked[posting.key].shape() != checked.shape():
            raise IdempotencyConflict(f"key {posting.key!r} is given twice for different postings")
        asked.setdefault(posting.key, checked)
    found = {t.idempotency_key: t for t in LedgerTransaction.objects.filter(AnyOf(F("idempotency_key"), list(asked)))}
    _same_postings(found, asked)
    new = [checked for key, checked in asked.items() if key not in found]
    if new:
        try:
            # A savepoint: a writer racing for the same key or original meets the unique index here, not at commit.
            with atomic():
                made = _inserted(new)
            inserted = [(checked, transaction, True) for checked, transaction in zip(new, made, strict=True)]
        except IntegrityError:
            inserted = [(checked, *_insert_one(checked)) for checked in new]
        rows_insert(
            Entry,
            ("transaction_id", "account_id", "amount_cents"),
            [
                (transaction.pk, account.pk, cents)
                for checked, transaction, ours in inserted
                if ours  # a transaction another writer booked has its entries already
                for account, cents in checked.lines
            ],
            returning=False,
        )
        found.update((checked.posting.key, transaction) for checked, transaction, _ in inserted)
    return [found[posting.key] for posting in postings]


def transaction_post(
    *,
    key: str,
    kind: TransactionKind,
    booked_on: date,
    lines: Lines,
    description: str,
    reverses: LedgerTransaction | None = None,
    source_ref: str = "",
) -> LedgerTransaction:
    """Book one balanced transaction, once per ``key``.

    Lines are (account, amount) with debits positive and credits negative; zero lines are left out. The same key
    again returns the transaction booked the first time; the same key with other lines, kind, date or original is
    an :class:`IdempotencyConflict`. Lines that do not sum to zero are an :class:`UnbalancedTransaction`.
    """
    posting = Posting(key, kind, booked_on, lines, description, reverses, source_ref)
    return transactions_post([posting])[0]


@atomic
def transaction_reverse(*, transaction: LedgerTransaction, key: str, booked_on: date, reason: str) -> LedgerTransaction:
    """Undo a posting by booking its lines negated: the original stays, as the ledger never forgets.

    A transaction is reversed at most once (:class:`AlreadyReversed` for a second key); a reversal is not itself
    reversed: to restore what it undid, post the original again under a new key.
    """
    if transaction.kind == TransactionKind.REVERSAL:
        raise LedgerError("a reversal is not reversed; post the original again under a new key")
    entries = list(transaction.entries.select_related("account").order_by("pk"))
    return transaction_post(
        key=key,
        kind=TransactionKind.REVERSAL,
        booked_on=booked_on,
        lines=[(entry.account, Money(-entry.amount_cents)) for entry in entries],
        description=reason,
        reverses=transaction,
        source_ref=transaction.idempotency_key,
    )
