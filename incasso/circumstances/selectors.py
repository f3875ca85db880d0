"""Reading the debtor's circumstances: for the roles that need them, within the cases they may see, every read
audited; and the set-based read the daily run feeds the strategy from."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F

from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.cases.models import Case
from incasso.circumstances.access import circumstances_read_check
from incasso.circumstances.models import FinancialSituation, VulnerabilityFlag
from incasso.circumstances.services import FLAG_FIELDS, SITUATION_FIELDS
from incasso.core.bulk_insert import AnyOf
from incasso.domain.data_map import ProcessingPurpose
from incasso.domain.money import Money
from incasso.domain.protected_income import Household, protected_income, shipped_protected_income_table
from incasso.parties.models import Debtor

FLAGS_SHOWN = 20


@dataclass(frozen=True)
class Circumstances:
    situation: FinancialSituation | None  # the newest
    flags: list[VulnerabilityFlag]  # active first, then the lifted ones

    @property
    def active_flags(self) -> list[VulnerabilityFlag]:
        return [flag for flag in self.flags if flag.lifted_at is None]


def case_circumstances(*, user: User, case: Case, source: str) -> Circumstances:
    """The newest situation and the flags of the debtor of ``case``; the caller got ``case`` from ``access_case``
    (so the user may see it); ``PermissionDenied`` for a role that does not need them. The read is audited."""
    circumstances_read_check(user=user)
    with transaction.atomic():
        situation = FinancialSituation.objects.filter(debtor_id=case.debtor_id).order_by(*NEWEST_FIRST).first()
        flags = list(
            VulnerabilityFlag.objects.filter(debtor_id=case.debtor_id)
            .select_related("flagged_by", "lifted_by")
            .order_by(F("lifted_at").desc(nulls_first=True), "-flagged_at")[:FLAGS_SHOWN]
        )
        audit_record(
            actor=user,
            action=AuditAction.READ,
            subject=Debtor(pk=case.debtor_id),
            fields=[*SITUATION_FIELDS, *FLAG_FIELDS],
            purpose=ProcessingPurpose.DEBT_COLLECTION,
            source=source,
            details={
                "case": case.number,
                "situation": str(situation.pk) if situation else None,
                "flags": [str(flag.pk) for flag in flags],
            },
        )
    return Circumstances(situation, flags)


NEWEST_FIRST = ("-obtained_on", "-recorded_at", "-pk")


@dataclass(frozen=True, slots=True)
class SituationFacts:
    """What the strategy reads of a debtor's newest situation (C-6's "predetermined variables")."""

    income_known: bool
    income_below_protected: bool
    attachments: bool
    other_debts: int


NO_FACTS = SituationFacts(income_known=False, income_below_protected=False, attachments=False, other_debts=0)


def situation_facts(situation: FinancialSituation, *, on: datetime.date) -> SituationFacts:
    """The strategy's view of one situation: income below the protected income (LEGAL.md §9, the shipped table) when
    both income and household are known; unreadable values (a shredded debtor) count as unknown."""
    income = situation.net_income_cents
    household = str(situation.household)
    known = isinstance(income, int)
    below = False
    if isinstance(income, int) and household in {member.value for member in Household}:
        net = Money(income)
        protected = protected_income(
            on=on,
            household=Household(household),
            net_income=net,
            housing_costs=None,
            health_premium=None,
            table=shipped_protected_income_table(),
        )
        # The protected income never exceeds the income: "below" means the income does not reach the norm.
        below = net <= protected.amount
    attachments = situation.attachments
    other_debts = situation.other_debts
    return SituationFacts(
        income_known=known,
        income_below_protected=below,
        attachments=isinstance(attachments, int) and attachments > 0,
        other_debts=other_debts if isinstance(other_debts, int) else 0,
    )


def debtors_situation_facts(*, debtor_ids: Collection[int], on: datetime.date) -> dict[int, SituationFacts]:
    """The facts of each debtor's newest situation, in one query (plus one for the data keys)."""
    newest: dict[int, FinancialSituation] = {}
    rows = FinancialSituation.objects.filter(AnyOf(F("debtor_id"), list(debtor_ids))).order_by(
        "debtor_id", *NEWEST_FIRST
    )
    for situation in rows:
        newest.setdefault(situation.debtor_id, situation)
    return {debtor_id: situation_facts(situation, on=on) for debtor_id, situation in newest.items()}


def debtors_vulnerable(*, debtor_ids: Collection[int]) -> set[int]:
    """The debtors with an active vulnerability flag, in one query."""
    return set(
        VulnerabilityFlag.objects.filter(AnyOf(F("debtor_id"), list(debtor_ids)), lifted_at__isnull=True)
        .values_list("debtor_id", flat=True)
        .distinct()
    )


def vulnerability_flag_of(*, case: Case, flag_id: uuid.UUID) -> VulnerabilityFlag | None:
    """The flag ``flag_id`` if it is one of the case's debtor's (a flag of another debtor is not found)."""
    return VulnerabilityFlag.objects.filter(pk=flag_id, debtor_id=case.debtor_id).first()
