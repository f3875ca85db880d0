"""The one writer of ledger transactions, its reversal, and the accounts it posts to.

Every posting goes through :func:`transaction_post`: it refuses lines that do not sum to zero, and it makes a key
book at most once, so a statement imported twice or a webhook delivered twice changes nothing. On PostgreSQL a
deferred trigger checks the sum again at commit; on both databases triggers refuse any change to what was posted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar

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
_Found = TypeVar("_Found")


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
    return _accounts_made(keys, lambda codes: {a.code: a for a in Account.objects.filter(AnyOf(F("code"), codes))})


def account_ids_for(keys: Iterable[AccountKey]) -> dict[AccountKey, int]:
    """:func:`accounts_for` as ids, without model instances: a statement chunk names thousands of case accounts."""
    return _accounts_made(
        keys, lambda codes: dict(Account.objects.filter(AnyOf(F("code"), codes)).values_list("code", "pk"))
    )


def _accounts_made(
    keys: Iterable[AccountKey], read: Callable[[list[str]], dict[str, _Found]]
) -> dict[AccountKey, _Found]:
    """What ``read`` (by code) gives for each key, after creating the accounts it did not find."""
    by_code = {key.code: key for key in keys}
    found = read(list(by_code))
    missing = {code: key for code, key in by_code.items() if code not in found}
    if missing:
        now = timezone.now()
        columns = ("code", "kind", "client_id", "case_id", "created_at")
        rows = [(code, str(key.kind), key.client_id, key.case_id, now) for code, key in missing.items()]
        try:
            # A plain insert (COPY on PostgreSQL) costs less per row than one that skips conflicts, and the first
            # payments to thousands of cases open their accounts. A writer that made one of them since the
            # read meets the unique code here, in a savepoint; then the insert that skips what exists is made.
            with atomic(), connection.wrap_database_errors:
                rows_insert(Account, columns, rows, returning=False)
        except IntegrityError:
            rows_insert(Account, columns, rows, returning=False, ignore_conflicts=True)
        found.update(read(list(missing)))
    return {key: found[code] for code, key in by_code.items()}


def account_for(kind: AccountKind, client_id: int | None = None, case_id: int | None = None) -> Account:
    """The one account of ``kind`` (for the client or case its kind requires), created on first use."""
    key = AccountKey(kind, client_id, case_id)
    return accounts_for([key])[key]


# An account, or its id as ``account_ids_for`` gives it (the bulk bookings build no Account instances).
AccountRef = Account | int
Lines = Sequence[tuple[AccountRef, Money]]


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
    lines: tuple[tuple[int, int], ...]  # the non-zero lines as (account id, cents)

    def shape(self) -> tuple[str, date, int | None, list[tuple[int, int]]]:
        """What must match for a replay of the key to be the same posting."""
        posting = self.posting
        reverses_id = posting.reverses.pk if posting.reverses is not None else None
        return str(posting.kind), posting.booked_on, reverses_id, sorted(self.lines)


def _checked(posting: Posting) -> _Checked:
    """Refuse a posting that is not one balanced transaction in euros on saved accounts; drop its zero lines."""
    kept: list[tuple[int, int]] = []
    for account, amount in posting.lines:
        if amount.currency != CURRENCY:
            raise LedgerError(f"the ledger keeps {CURRENCY}, not {amount.currency}")
        account_id = account if isinstance(account, int) else account.pk
        if account_id is None:
            raise LedgerError("post to saved accounts only (use account_for)")
        if amount.cents:
            kept.append((account_id, amount.cents))
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
    for transaction_id, account_id, cents in Entry.objects.filter(AnyOf(F("transaction_id"), list(lines))).values_list(
        "transaction_id", "account_id", "amount_cents"
    ):
        lines[transaction_id].append((account_id, cents))
    for key, transaction in existing.items():
        shape = (transaction.kind, transaction.booked_on, transaction.reverses_id, sorted(lines[transaction.pk]))
        if shape != asked[key].shape():
            raise IdempotencyConflict(f"key {key!r} was used for a different posting (transaction {transaction.pk})")


def _row(checked: _Checked, now: datetime) -> tuple[object, ...]:
    """A new transaction as the values of ``_TRANSACTION_COLUMNS``."""
    posting = checked.posting
    reverses_id = posting.reverses.pk if posting.reverses is not None else None
    return (
        posting.key,
        str(posting.kind),
        posting.booked_on,
        posting.description[:255],
        reverses_id,
        posting.source_ref[:200],
        now,
    )


def _saved(pk: int, row: tuple[object, ...]) -> LedgerTransaction:
    """The saved transaction ``row`` became, built as a read from the database builds it (positional: fast)."""
    return LedgerTransaction.from_db(connection.alias, _SAVED_FIELDS, (pk, *row))


_TRANSACTION_COLUMNS = (
    "idempotency_key",
    "kind",
    "booked_on",
    "description",
    "reverses_id",
    "source_ref",
    "created_at",
)
_SAVED_FIELDS = ("id", *_TRANSACTION_COLUMNS)


def _inserted(rows: list[tuple[object, ...]]) -> list[int]:
    """Insert new transactions in one statement (``COPY`` on PostgreSQL) and return their keys, in order.

    Raises Django's ``IntegrityError`` when a key or an original is taken (a writer racing for the same key)."""
    with connection.wrap_database_errors:  # COPY's errors are the driver's: make a unique violation Django's
        return rows_insert(LedgerTransaction, _TRANSACTION_COLUMNS, rows)


def _insert_one(checked: _Checked, row: tuple[object, ...]) -> tuple[LedgerTransaction, bool]:
    """The slow path after a race: insert alone; on a unique-index conflict find out which one it was.

    Returns the transaction and whether this call inserted it (else another writer booked the same posting)."""
    key, reverses = checked.posting.key, checked.posting.reverses
    try:
        with atomic():
            (pk,) = _inserted([row])
            return _saved(pk, row), True
    except IntegrityError:
        existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise AlreadyReversed(f"transaction {reverses.pk if reverses else '?'} was reversed before") from None
        _same_postings({key: existing}, {key: checked})
        return existing, False


def transactions_write(postings: Sequence[Posting], *, keys_new: bool = False) -> list[int]:
    """:func:`transactions_post` for the bulk bookings: the same rules and queries, the ids of the transactions
    instead of model instances (a statement chunk books thousands).

    ``keys_new``: the caller looked the keys up in this database transaction and found none of them (the payments'
    replays are answered before), so they are not looked up again; a writer that books one of them meanwhile
    meets the unique index, and that key is then found and compared as a replay, as always.
    """
    return [transaction.pk for transaction in _post(postings, build=False, keys_new=keys_new)]


def transactions_post(postings: Sequence[Posting]) -> list[LedgerTransaction]:
    """Book many transactions, each once per key, in a fixed number of queries (``transactions_write`` is the
    same without model instances: the statement import's path).

    Returns the transaction of each posting, in order. The rules are :func:`transaction_post`'s; a key given
    twice in one call must describe the same posting both times.
    """
    return _post(postings, build=True)


class _Id(NamedTuple):
    """A transaction known by its key only (``build=False``): what the bulk bookings need of it."""

    pk: int


@atomic
def _post(postings: Sequence[Posting], *, build: bool, keys_new: bool = False) -> list[Any]:
    """The one writer behind both: saved transactions when ``build``, else objects with only their ``pk``."""
    asked: dict[str, _Checked] = {}
    for posting in postings:
        checked = _checked(posting)
        if posting.key in asked and asked[posting.key].shape() != checked.shape():
            raise IdempotencyConflict(f"key {posting.key!r} is given twice for different postings")
        asked.setdefault(posting.key, checked)
    found: dict[str, Any] = {}
    if not keys_new:
        found = {
            t.idempotency_key: t for t in LedgerTransaction.objects.filter(AnyOf(F("idempotency_key"), list(asked)))
        }
        _same_postings(found, asked)
    new = [checked for key, checked in asked.items() if key not in found]
    if new:
        now = timezone.now()
        rows = [_row(checked, now) for checked in new]
        try:
            # A savepoint: a writer racing for the same key or original meets the unique index here, not at commit.
            with atomic():
                ids = _inserted(rows)
            made = [_saved(pk, row) if build else _Id(pk) for pk, row in zip(ids, rows, strict=True)]
            inserted = [(checked, transaction, True) for checked, transaction in zip(new, made, strict=True)]
        except IntegrityError:
            inserted = [(checked, *_insert_one(checked, row)) for checked, row in zip(new, rows, strict=True)]
        rows_insert(
            Entry,
            ("transaction_id", "account_id", "amount_cents"),
            [
                (transaction.pk, account_id, cents)
                for checked, transaction, ours in inserted
                if ours  # a transaction another writer booked has its entries already
                for account_id, cents in checked.lines
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
