"""Which cases the daily run handles on a day: those whose review date has come, and those whose file changed since
their last run (C-6: the decision follows payment history, promises and the debtor's circumstances)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q
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


def changed_since_last_run(*, on: date) -> Q:
    """A case whose strategy inputs changed since its last run, so that it is looked at again before its review
    date: a payment booked or reversed, a promise kept or broken, a financial situation recorded, a vulnerability
    flag set or lifted.

    Evaluated only for the open cases not due anyway. Each source is first narrowed to the cases or debtors with a
    row of the last ``CHANGES_WINDOW`` (an uncorrelated sub-select PostgreSQL hashes once per query, read through
    a date index), and only those get the exact correlated check against the case's own last run; a case run
    longer ago gets the correlated check alone.

    Only the day of the last run is stored, so "since" means from that day on: something booked on the day of a
    run but before it makes the case due once more the next day, which costs a decision and misses nothing. A
    promise is settled by the run of a day after its due day (``arrangements_check``, before the cases are
    chosen), so one settled since the last run has its due day on or after it.
    """
    floor = on - CHANGES_WINDOW
    floor_start = datetime.combine(floor, time.min, tzinfo=timezone.get_current_timezone())
    since = OuterRef("last_run_on")
    exact = (
        Exists(
            PaymentAllocation.objects.filter(case_id=OuterRef("pk")).filter(
                Q(transaction__booked_on__gte=since) | Q(transaction__reversed_by__booked_on__gte=since)
            )
        ),
        Exists(
            PromiseToPay.objects.filter(
                case_id=OuterRef("pk"), status__in=(PromiseStatus.KEPT, PromiseStatus.BROKEN), due_on__gte=since
            )
        ),
        Exists(FinancialSituation.objects.filter(debtor_id=OuterRef("debtor_id"), recorded_at__date__gte=since)),
        Exists(
            VulnerabilityFlag.objects.filter(debtor_id=OuterRef("debtor_id")).filter(
                Q(flagged_at__date__gte=since) | Q(lifted_at__date__gte=since)
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
        Q(
            pk__in=PromiseToPay.objects.filter(
                status__in=(PromiseStatus.KEPT, PromiseStatus.BROKEN), due_on__gte=floor
            ).values("case_id")
        ),
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
    return (Q(last_run_on__gte=floor) & narrowed) | (Q(last_run_on__lt=floor) & row_by_row)
