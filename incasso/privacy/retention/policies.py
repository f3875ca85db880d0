"""Retention policies as rows (``privacy.RetentionPolicy``), read as ``domain.retention`` values."""

from __future__ import annotations

from datetime import date, timedelta
from types import MappingProxyType

from incasso.domain.data_map import ProcessingPurpose
from incasso.domain.retention import DEFAULT_PERIODS, TRIGGER_EVENTS, Purpose, RetentionPeriod, retention_end
from incasso.privacy.models import RetentionAction, RetentionPolicy, TriggerEvent

# The register's purpose for each retention purpose of ``domain.retention`` (they differ in one name only).
REGISTER_PURPOSE = MappingProxyType(
    {
        Purpose.COLLECTION_CASE: ProcessingPurpose.DEBT_COLLECTION,
        Purpose.CLIENT_RELATIONSHIP: ProcessingPurpose.CLIENT_RELATIONSHIP,
        Purpose.CREDIT_ASSESSMENT: ProcessingPurpose.CREDIT_ASSESSMENT,
        Purpose.AML: ProcessingPurpose.AML,
        Purpose.MARKETING: ProcessingPurpose.MARKETING,
        Purpose.NEWSLETTER: ProcessingPurpose.NEWSLETTER,
        Purpose.BOOKKEEPING: ProcessingPurpose.BOOKKEEPING,
    }
)

DEFAULT_TRIGGERS = MappingProxyType(
    {
        Purpose.COLLECTION_CASE: TriggerEvent.CASE_CLOSED,
        Purpose.CLIENT_RELATIONSHIP: TriggerEvent.RELATIONSHIP_ENDED,
        Purpose.CREDIT_ASSESSMENT: TriggerEvent.RELATIONSHIP_ENDED,
        Purpose.AML: TriggerEvent.TRANSACTION,
        Purpose.MARKETING: TriggerEvent.LAST_CONTACT,
        Purpose.NEWSLETTER: TriggerEvent.UNSUBSCRIBE,
        Purpose.BOOKKEEPING: TriggerEvent.FISCAL_YEAR_END,
    }
)

# Cases are referenced by the ledger (PROTECT) and bookkeeping keeps amounts 7 years: they are anonymised.
DEFAULT_ACTIONS = MappingProxyType(
    {Purpose.COLLECTION_CASE: RetentionAction.ANONYMISE, Purpose.BOOKKEEPING: RetentionAction.ANONYMISE}
)


def retention_policies_ensure() -> None:
    """Create the default policy of every purpose that has none (an existing one, perhaps changed, is kept).

    The data migration seeds the same values; this serves a database emptied since (a transactional test).
    """
    for purpose, period in DEFAULT_PERIODS.items():
        RetentionPolicy.objects.get_or_create(
            purpose=REGISTER_PURPOSE[purpose].value,
            defaults={
                "trigger": DEFAULT_TRIGGERS[purpose].value,
                "months": period.months,
                "years": period.years,
                "end_of_calendar_year": period.end_of_calendar_year,
                "action": DEFAULT_ACTIONS.get(purpose, RetentionAction.DELETE).value,
                "source": f"SPEC P-2, LEGAL.md §7: from {TRIGGER_EVENTS[purpose]}",
            },
        )


def policy_period(policy: RetentionPolicy) -> RetentionPeriod:
    return RetentionPeriod(months=policy.months, years=policy.years, end_of_calendar_year=policy.end_of_calendar_year)


def latest_expired_trigger(period: RetentionPeriod, as_of: date) -> date:
    """The last trigger day whose data may be removed on ``as_of``: data is expired iff its trigger ≤ this day.

    ``retention_end`` never decreases as the trigger moves later, so the set of expired triggers is a prefix of
    the calendar; this finds its last day, starting from a day safely inside it.
    """
    day = as_of - timedelta(days=period.total_months * 31 + 400)
    while retention_end(day + timedelta(days=1), period) <= as_of:
        day += timedelta(days=1)
    return day
