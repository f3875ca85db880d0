"""Which cases the daily run handles on a day: those whose review date has come, and those whose file changed since
their last run (C-6: the decision follows payment history, promises and the debtor's circumstances)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import IsNull
from django.utils import timezone

from incasso.arrangements.models import PromiseStatus, PromiseToPay
from incasso.circumstances.models import FinancialSituation, VulnerabilityFlag
from incasso.domain.case_stages import Stage
from incasso.ledger.models import LedgerTransaction, PaymentAllocation, TransactionKind


def cases_due(*, on: date) -> Q:
    """Open cases that the run has not handled on ``on`` and whose next measure is due then, or in whose file
    something the strategy reads changed since the case's last run (``changed_since_last_run``)."""
    return (
        ~Q(stage=Stage.CLOSED.value)
        & (Q(last_run_on__isnull=True) | Q(last_run_on__lt=on))
        & (Q(next_measure_on__isnull=True) | Q(next_measure_on__lte=on) | changed_since_last_run(on=on))
    )


# Changes this recent are found through the few rows booked since (one hashed look-up per query); a case not run
# for longer (rare: the strategy reviews within 30 days) is checked row by row.
CHANGES_WINDOW = timedelta(days=62)
_ALL_TRANSACTION_KINDS = tuple(TransactionKind.values)  # lets the (kind, booked_on) index serve a date range
SETTLED = (PromiseStatus.KEPT, PromiseStatus.BROKEN)


def changed_since_last_run(*, on: date) -> Q:
    """A case whose strategy inputs changed since its last run, so that it is looked at again before its review
    date: a payment booked or reversed, a promise kept or broken, a financial situation recorded, a vulnerability
    flag set or lifted, the client's approval of legal steps given.

    Evaluated only for the open cases not due anyway. Each source is first narrowed to the cases or debtors with a
    row of the last ``CHANGES_WINDOW`` (an uncorrelated sub-select PostgreSQL hashes once per query, read through
    a date index), and only those get the exact correlated check against the case's own last run; a case run
    longer ago gets the correlated check alone.

    "Since" is from the day of the last run (``last_run_on``) on, less what that day brought before the run: a
    change stamped before ``last_run_at`` (see :func:`changes_read_from`) was read by that run. Promises are settled
    by the run of a day before it chooses its cases (``arrangements_check``), so one settled on the day of a
    case's last run was read by it. A case last run before the time was kept has only the day: a change on that
    day makes it due once more (a decision, no miss). Each exact check is the day's check narrowed by the time,
    so the date-indexed narrowing still finds every case it can match.
    """
    floor = on - CHANGES_WINDOW
    floor_start = datetime.combine(floor, time.min, tzinfo=timezone.get_current_timezone())
    since = OuterRef("last_run_on")
    exact = (
        Exists(
            PaymentAllocation.objects.filter(case_id=OuterRef("pk")).filter(
                Q(transaction__booked_on__gte=since) & _after_the_run("transaction__created_at")
                | Q(transaction__reversed_by__booked_on__gte=since)
                & _after_the_run("transaction__reversed_by__created_at")
            )
        ),
        Exists(
            PromiseToPay.objects.filter(case_id=OuterRef("pk"), status__in=SETTLED).filter(
                Q(settled_on__gt=since) | Q(settled_on=since) & _run_time_unknown()
            )
        ),
        Exists(
            FinancialSituation.objects.filter(debtor_id=OuterRef("debtor_id"), recorded_at__date__gte=since).filter(
                _after_the_run("recorded_at")
            )
        ),
        Exists(
            VulnerabilityFlag.objects.filter(debtor_id=OuterRef("debtor_id")).filter(
                Q(flagged_at__date__gte=since) & _after_the_run("flagged_at")
                | Q(lifted_at__date__gte=since) & _after_the_run("lifted_at")
            )
        ),
    )
    booked = LedgerTransaction.objects.filter(kind__in=_ALL_TRANSACTION_KINDS, booked_on__gte=floor)
    recent = (
        Q(pk__in=PaymentAllocation.objects.filter(transaction__in=booked.values("pk")).values("case_id"))
        | Q(
            pk__in=PaymentAllocation.objects.filter(
                transaction__in=booked.filter(reverses__isnull=False).values("reverses_id")
            ).values("case_id")
        ),
        Q(pk__in=PromiseToPay.objects.filter(settled_on__gte=floor).values("case_id")),
        Q(debtor_id__in=FinancialSituation.objects.filter(recorded_at__gte=floor_start).values("debtor_id")),
        Q(
            debtor_id__in=VulnerabilityFlag.objects.filter(
                Q(flagged_at__gte=floor_start) | Q(lifted_at__gte=floor_start)
            ).values("debtor_id")
        ),
    )
    narrowed, row_by_row = Q(), Q()
    for candidates, check in zip(recent, exact, strict=True):
        narrowed |= candidates & Q(check)
        row_by_row |= Q(check)
    return (Q(last_run_on__gte=floor) & narrowed) | (Q(last_run_on__lt=floor) & row_by_row) | _legal_steps_approved()


def _legal_steps_approved() -> Q:
    """The client approved legal steps since the case's last run (client portal): the legal step that waited for
    it is taken the next day, not on the review date. A column of the case itself: no sub-select."""
    return Q(legal_steps_approved_at__gte=F("last_run_at")) | Q(
        last_run_at__isnull=True, legal_steps_approved_at__date__gte=F("last_run_on")
    )


# Clocks of the application machines and the database's may differ this much; a change stamped this close before
# a run counts as after it (its case is looked at once more: no miss).
CLOCK_SKEW = timedelta(seconds=2)


def changes_read_from() -> datetime:
    """The time a chunk of the run records as its ``last_run_at``, taken before it reads anything: every change
    stamped before it is in what the chunk reads.

    Now is not enough on PostgreSQL: a transaction that stamped a payment, promise, situation or flag a moment ago
    may commit after the chunk has read, and its change would look read. So it is the start of the oldest
    transaction still open on another connection, if earlier (a row is stamped after its transaction began), less
    the clock skew allowed. A change of such a transaction wakes its case the next day even when the chunk did see
    it: a second look, never a miss. (SQLite, the embedded default, runs one writer at a time in one process.)
    """
    now = timezone.now()
    if connection.vendor != "postgresql":
        return now - CLOCK_SKEW
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # activity is otherwise read once per transaction
        cursor.execute(
            "SELECT min(xact_start) FROM pg_stat_activity"
            " WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid() AND datname = current_database()"
        )
        (oldest,) = cursor.fetchone()
    return (now if oldest is None else min(now, oldest)) - CLOCK_SKEW


def _run_time_unknown() -> Q:
    """The case's last run has no time (it ran before ``last_run_at`` was kept): its day is all there is."""
    return Q(IsNull(OuterRef("last_run_at"), True))


def _after_the_run(stamp: str) -> Q:
    """The row's ``stamp`` is not before the case's last run began (or that time is unknown)."""
    return Q(**{f"{stamp}__gte": OuterRef("last_run_at")}) | _run_time_unknown()
