"""Prove the ledger from its entries: the trial balance, every transaction, every account, every stored amount.

The ledger keeps no cached balances, so each balance is computed two independent ways and compared: a grouped SQL
aggregate, and a Python sum over the entries streamed in chunks. Both read one snapshot (REPEATABLE READ on
PostgreSQL), so postings made while the check runs cannot show up as differences. Everything is set-based: a few
scans of the entries, never a query per account or per transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.db.transaction import atomic

from incasso.ledger.models import Account, AccountKind, Entry, LedgerTransaction

CHUNK_SIZE = 20_000
# Differences are listed up to this many per kind; the counts are always complete.
LISTED = 100


@dataclass
class LedgerReport:
    entries: int = 0
    transactions: int = 0
    accounts: int = 0
    trial_balance_cents: int = 0
    streamed_total_cents: int = 0
    unbalanced_transactions: list[dict[str, Any]] = field(default_factory=list)
    account_differences: list[dict[str, Any]] = field(default_factory=list)
    reversal_differences: list[dict[str, Any]] = field(default_factory=list)
    allocation_differences: list[dict[str, Any]] = field(default_factory=list)
    payout_differences: list[dict[str, Any]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        lists = (
            self.unbalanced_transactions,
            self.account_differences,
            self.reversal_differences,
            self.allocation_differences,
            self.payout_differences,
        )
        return self.trial_balance_cents == 0 and self.streamed_total_cents == 0 and not any(lists)

    def as_dict(self) -> dict[str, Any]:
        return {"clean": self.clean, **asdict(self)}


def _sql_account_sums() -> Iterator[tuple[int, int]]:
    rows = Entry.objects.values("account_id").annotate(total=Sum("amount_cents")).order_by("account_id")
    return rows.values_list("account_id", "total").iterator(chunk_size=CHUNK_SIZE)


def _streamed_account_sums() -> Iterator[tuple[int, int]]:
    """Per-account sums added up in Python over the entries in account order: memory stays one account's worth."""
    current, total = None, 0
    rows = Entry.objects.order_by("account_id", "pk").values_list("account_id", "amount_cents")
    for account_id, cents in rows.iterator(chunk_size=CHUNK_SIZE):
        if account_id != current:
            if current is not None:
                yield current, total
            current, total = account_id, 0
        total += cents
    if current is not None:
        yield current, total


def _account_differences() -> dict[int, tuple[int | None, int | None]]:
    """Merge the two ordered streams; an account missing from one side counts as a difference too."""
    differences: dict[int, tuple[int | None, int | None]] = {}
    sql, streamed = _sql_account_sums(), _streamed_account_sums()
    left, right = next(sql, None), next(streamed, None)
    while left is not None or right is not None:
        if right is None or (left is not None and left[0] < right[0]):
            assert left is not None  # noqa: S101 - narrows the type; the condition guarantees it
            differences[left[0]] = (left[1], None)
            left = next(sql, None)
        elif left is None or right[0] < left[0]:
            differences[right[0]] = (None, right[1])
            right = next(streamed, None)
        else:
            if left[1] != right[1]:
                differences[left[0]] = (left[1], right[1])
            left, right = next(sql, None), next(streamed, None)
    return differences


def _unbalanced(report: LedgerReport) -> dict[int, tuple[int | None, int | None]]:
    """Transactions whose entries do not sum to zero, by SQL (HAVING) and by a stream in transaction order."""
    sql = dict(
        Entry.objects.values("transaction_id")
        .annotate(total=Sum("amount_cents"))
        .filter(~Q(total=0))
        .order_by()
        .values_list("transaction_id", "total")
    )
    streamed: dict[int, int] = {}
    current, running, grand = None, 0, 0
    rows = Entry.objects.order_by("transaction_id", "pk").values_list("transaction_id", "amount_cents")
    for transaction_id, cents in rows.iterator(chunk_size=CHUNK_SIZE):
        if transaction_id != current:
            if current is not None and running:
                streamed[current] = running
            current, running = transaction_id, 0
        running += cents
        grand += cents
    if current is not None and running:
        streamed[current] = running
    report.streamed_total_cents = grand
    return {tx: (sql.get(tx), streamed.get(tx)) for tx in sorted(sql.keys() | streamed.keys())}


def _reversal_differences() -> list[dict[str, Any]]:
    """A reversal must negate its original on every account: per (original, account) the pair sums to zero."""
    rows = (
        Entry.objects.filter(Q(transaction__reverses__isnull=False) | Q(transaction__reversed_by__isnull=False))
        .annotate(original=Coalesce("transaction__reverses_id", "transaction_id"))
        .values("original", "account_id")
        .annotate(total=Sum("amount_cents"))
        .filter(~Q(total=0))
        .order_by("original", "account_id")
    )
    return [
        {"transaction": row["original"], "account": row["account_id"], "left_cents": row["total"]}
        for row in rows[:LISTED]
    ]


def _stored_amount_differences(report: LedgerReport) -> None:
    """Amounts kept beside the entries must equal them: a payment's amount its bank (or suspense) debit, a
    payout's net its bank credit."""
    money_in = Entry.objects.filter(
        transaction__allocation__isnull=False,
        account__kind__in=[AccountKind.BANK_CLIENT_MONEY, AccountKind.UNMATCHED],
        amount_cents__gt=0,
    ).exclude(amount_cents=F("transaction__allocation__amount_cents"))
    report.allocation_differences = [
        {"transaction": tx, "entry_cents": cents, "allocation_cents": stored}
        for tx, cents, stored in money_in.values_list(
            "transaction_id", "amount_cents", "transaction__allocation__amount_cents"
        )[:LISTED]
    ]
    money_out = Entry.objects.filter(
        transaction__payout__isnull=False, account__kind=AccountKind.BANK_CLIENT_MONEY
    ).exclude(amount_cents=-F("transaction__payout__net_cents"))
    report.payout_differences = [
        {"transaction": tx, "entry_cents": cents, "payout_net_cents": stored}
        for tx, cents, stored in money_out.values_list(
            "transaction_id", "amount_cents", "transaction__payout__net_cents"
        )[:LISTED]
    ]


def ledger_verify() -> LedgerReport:
    """Check the whole ledger; ``report.clean`` is True when every check agrees."""
    outermost = not connection.in_atomic_block
    with atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        report = LedgerReport()
        totals = Entry.objects.aggregate(total=Sum("amount_cents"), count=Count("pk"))
        report.entries, report.trial_balance_cents = totals["count"], totals["total"] or 0
        report.transactions = LedgerTransaction.objects.count()
        report.accounts = Account.objects.count()
        unbalanced = _unbalanced(report)
        keys = dict(
            LedgerTransaction.objects.filter(pk__in=list(unbalanced)[:LISTED]).values_list("pk", "idempotency_key")
        )
        report.unbalanced_transactions = [
            {"transaction": tx, "key": keys.get(tx), "sql_cents": sql, "streamed_cents": streamed}
            for tx, (sql, streamed) in list(unbalanced.items())[:LISTED]
        ]
        differences = _account_differences()
        codes = dict(Account.objects.filter(pk__in=list(differences)[:LISTED]).values_list("pk", "code"))
        report.account_differences = [
            {"account": codes.get(account_id, account_id), "sql_cents": sql, "streamed_cents": streamed}
            for account_id, (sql, streamed) in list(differences.items())[:LISTED]
        ]
        report.reversal_differences = _reversal_differences()
        _stored_amount_differences(report)
    return report
