"""Payment arrangements as plain values: the instalment schedule and whether a proposal is accepted (C-10).

A proposal is accepted without a person when it stays within the client's bounds (the processor agreement's
``plan_max_months`` and ``plan_min_instalment``) and, when the debtor's income is known, leaves at least the
protected income (LEGAL.md §9). Anything else goes to a collector with the reasons, in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from incasso.domain.deadlines import add_months
from incasso.domain.instructions import ClientInstructions
from incasso.domain.money import Money, MoneyError
from incasso.domain.protected_income import ProtectedIncome, ReviewNote, max_affordable_instalment

# Why a proposal needs a person, as codes (``ProposalVerdict.notes``); the services word them per language.
NOTE_NO_INSTALMENTS = "no_instalments"
NOTE_NOTHING_TO_PAY = "nothing_to_pay"
NOTE_TOO_LONG = "too_long"
NOTE_BELOW_MINIMUM = "below_minimum"
NOTE_BELOW_PROTECTED_INCOME = "below_protected_income"
NOTE_PROTECTED_INCOME_UNKNOWN = "protected_income_unknown"


@dataclass(frozen=True, slots=True)
class Instalment:
    number: int  # 1-based
    due_on: date
    amount: Money


@dataclass(frozen=True, slots=True)
class ProposalVerdict:
    accepted: bool
    reasons: list[str] = field(default_factory=list)  # in English
    notes: list[ReviewNote] = field(default_factory=list)  # the same reasons as codes, in the same order


def instalment_amount(total: Money, months: int) -> Money:
    """The regular instalment: the total divided equally, whole cents rounded down (the last takes the rest)."""
    if months < 1:
        raise MoneyError("an arrangement needs at least one instalment")
    if total.cents <= 0:
        raise MoneyError("an arrangement needs a positive total")
    return Money(total.cents // months, total.currency)


def instalment_schedule(total: Money, months: int, first_due: date) -> list[Instalment]:
    """``months`` monthly instalments from ``first_due``: equal in cents, the remainder on the last.

    Dates count calendar months from ``first_due`` (not from the previous date), so a plan starting on 31 January
    falls due on 28/29 February and then on 31 March again.
    """
    regular = instalment_amount(total, months)
    last = total - Money(regular.cents * (months - 1), total.currency)
    return [
        Instalment(number, add_months(first_due, number - 1), last if number == months else regular)
        for number in range(1, months + 1)
    ]


def evaluate_proposal(
    *,
    total: Money,
    months: int,
    instalment: Money,
    bounds: ClientInstructions,
    protected: ProtectedIncome | None,
    net_income: Money | None,
) -> ProposalVerdict:
    """Whether a plan of ``months`` instalments of about ``instalment`` for ``total`` may be accepted automatically.

    The last instalment may be larger by the remainder; the bounds are checked against the regular one, which is
    what the debtor pays every month. Without a known income the protected-income test cannot apply.
    """
    reasons: list[str] = []
    notes: list[ReviewNote] = []
    if months < 1:
        reasons.append("a plan needs at least one instalment")
        notes.append(ReviewNote(NOTE_NO_INSTALMENTS, {}))
    if total.cents <= 0:
        reasons.append("there is nothing left to pay")
        notes.append(ReviewNote(NOTE_NOTHING_TO_PAY, {}))
    if months > bounds.plan_max_months:
        reasons.append(f"{months} months is longer than the client allows ({bounds.plan_max_months} months)")
        notes.append(ReviewNote(NOTE_TOO_LONG, {"months": months, "max_months": bounds.plan_max_months}))
    if instalment < bounds.plan_min_instalment and instalment < total:
        reasons.append(f"an instalment of {instalment} is below the client's minimum of {bounds.plan_min_instalment}")
        notes.append(ReviewNote(NOTE_BELOW_MINIMUM, {"instalment": instalment, "minimum": bounds.plan_min_instalment}))
    if net_income is not None and protected is not None:
        affordable = max_affordable_instalment(net_income, protected)
        if instalment > affordable:
            reasons.append(
                f"an instalment of {instalment} would leave less than the protected income of {protected.amount} "
                f"(at most {affordable} a month is affordable)"
            )
            notes.append(
                ReviewNote(
                    NOTE_BELOW_PROTECTED_INCOME,
                    {"instalment": instalment, "protected": protected.amount, "affordable": affordable},
                )
            )
    elif net_income is not None:
        reasons.append("the income is known but the protected income could not be determined")
        notes.append(ReviewNote(NOTE_PROTECTED_INCOME_UNKNOWN, {}))
    return ProposalVerdict(accepted=not reasons, reasons=reasons, notes=notes)
