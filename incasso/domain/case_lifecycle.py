"""The case stage machine: which stage may follow which, and the guards that stop a move (C-4).

A case normally runs reminder → formal demand → amicable collection → (payment arrangement) → legal → judgment →
enforcement → closed, but not strictly in line: a broken arrangement returns to amicable collection, a debtor can
agree a plan at any stage, and a case can be closed from anywhere. What the law and the client forbid is checked
here, as plain values, so the daily run, the back office and the API all refuse the same moves for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from incasso.domain.case_stages import ClosedReason, Stage, gettext_noop


class HoldKind(StrEnum):
    """What can pause or stop a case while it lasts."""

    DISPUTE = "dispute"  # the debtor contests the claim: no measures until it is resolved
    INSOLVENCY = "insolvency"  # bankruptcy or suspension of payments (CIR): collection stops
    DEBT_RESTRUCTURING = "debt_restructuring"  # WSNP or an amicable debt scheme: collection stops
    RESTRICTION = "restriction"  # GDPR art. 18 restriction of processing: storage only
    LEGAL_HOLD = "legal_hold"  # kept as evidence for a legal claim: nothing may change it

    @property
    def label(self) -> str:
        return _HOLD_LABELS[self]


_HOLD_LABELS: dict[HoldKind, str] = {
    HoldKind.DISPUTE: gettext_noop("Dispute"),
    HoldKind.INSOLVENCY: gettext_noop("Insolvency"),
    HoldKind.DEBT_RESTRUCTURING: gettext_noop("Debt restructuring"),
    HoldKind.RESTRICTION: gettext_noop("Restriction of processing"),
    HoldKind.LEGAL_HOLD: gettext_noop("Legal hold"),
}

# Which stages may follow a stage. Closing is allowed from every open stage and is not listed.
NEXT_STAGES: dict[Stage, frozenset[Stage]] = {
    Stage.REMINDER: frozenset({Stage.FORMAL_DEMAND, Stage.AMICABLE, Stage.ARRANGEMENT}),
    Stage.FORMAL_DEMAND: frozenset({Stage.AMICABLE, Stage.ARRANGEMENT, Stage.LEGAL}),
    Stage.AMICABLE: frozenset({Stage.ARRANGEMENT, Stage.LEGAL}),
    Stage.ARRANGEMENT: frozenset({Stage.AMICABLE, Stage.LEGAL, Stage.ENFORCEMENT}),
    Stage.LEGAL: frozenset({Stage.JUDGMENT, Stage.ARRANGEMENT}),
    Stage.JUDGMENT: frozenset({Stage.ENFORCEMENT, Stage.ARRANGEMENT}),
    Stage.ENFORCEMENT: frozenset({Stage.ARRANGEMENT}),
    Stage.CLOSED: frozenset(),
}

# While one of these holds lasts, a case may only be closed (with a fitting reason) — no other move.
# Restriction and legal hold freeze even closing: nothing but storage (GDPR art. 18) / nothing that alters evidence.
FREEZING_HOLDS = frozenset({HoldKind.RESTRICTION, HoldKind.LEGAL_HOLD})
# The reasons a case under a pausing hold may still be closed with.
CLOSING_REASONS_UNDER_HOLD: dict[HoldKind, frozenset[ClosedReason]] = {
    HoldKind.DISPUTE: frozenset(
        {ClosedReason.DISPUTED, ClosedReason.WITHDRAWN, ClosedReason.PAID, ClosedReason.SETTLED}
    ),
    HoldKind.INSOLVENCY: frozenset({ClosedReason.INSOLVENCY, ClosedReason.WITHDRAWN, ClosedReason.PAID}),
    HoldKind.DEBT_RESTRUCTURING: frozenset(
        {ClosedReason.INSOLVENCY, ClosedReason.SETTLED, ClosedReason.WITHDRAWN, ClosedReason.PAID}
    ),
    HoldKind.RESTRICTION: frozenset(),
    HoldKind.LEGAL_HOLD: frozenset(),
}


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the guards need to know about a case, as plain values."""

    stage: Stage
    consumer: bool
    today: date
    holds: frozenset[HoldKind] = frozenset()
    # The first day collection costs may be charged to a consumer: the day after the 14-day term (LEGAL.md §2).
    # None while no valid 14-day letter has been sent.
    fourteen_day_term_passed_on: date | None = None
    legal_steps_need_approval: bool = True
    legal_steps_approved: bool = False
    allowed_measures: frozenset[str] | None = field(default=None)  # None: the client allows every measure


class TransitionRefused(Exception):
    """A move the rules do not allow; ``code`` is stable for programs, ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def fourteen_day_term_has_passed(facts: CaseFacts) -> bool:
    """A consumer owes collection costs, and may be moved past the demand, only after the 14-day term."""
    if not facts.consumer:
        return True
    return facts.fourteen_day_term_passed_on is not None and facts.today >= facts.fourteen_day_term_passed_on


def check_transition(facts: CaseFacts, to: Stage, closed_reason: ClosedReason | None = None) -> None:
    """Raise TransitionRefused unless the case may move from ``facts.stage`` to ``to``."""
    if facts.stage is Stage.CLOSED:
        raise TransitionRefused("case_closed", "a closed case does not move")
    if to is Stage.CLOSED:
        _check_closing(facts, closed_reason)
        return
    if closed_reason is not None:
        raise TransitionRefused("reason_without_closing", "only closing takes a closed reason")
    if to not in NEXT_STAGES[facts.stage]:
        raise TransitionRefused("not_a_next_stage", f"{facts.stage.value} cannot move to {to.value}")
    if facts.holds:
        kinds = ", ".join(sorted(hold.value for hold in facts.holds))
        raise TransitionRefused("on_hold", f"the case is on hold ({kinds})")
    if facts.consumer and facts.stage is Stage.REMINDER and to is Stage.AMICABLE:
        raise TransitionRefused("fourteen_day_letter_first", "a consumer gets the 14-day letter before collection")
    leaving_demand = facts.stage in (Stage.REMINDER, Stage.FORMAL_DEMAND) and to in (Stage.AMICABLE, Stage.LEGAL)
    if leaving_demand and not fourteen_day_term_has_passed(facts):
        raise TransitionRefused("fourteen_day_term_running", "the 14-day term of the demand has not passed")
    if to is Stage.LEGAL:
        if facts.allowed_measures is not None and "legal" not in facts.allowed_measures:
            raise TransitionRefused("measure_not_allowed", "the client does not allow legal steps")
        if facts.legal_steps_need_approval and not facts.legal_steps_approved:
            raise TransitionRefused("approval_required", "the client must approve legal steps first")


def _check_closing(facts: CaseFacts, reason: ClosedReason | None) -> None:
    if reason is None:
        raise TransitionRefused("reason_required", "closing a case needs a reason")
    for hold in sorted(facts.holds):
        if reason not in CLOSING_REASONS_UNDER_HOLD[hold]:
            raise TransitionRefused("on_hold", f"a case under {hold.value} cannot be closed as {reason.value}")


def allowed_transitions(facts: CaseFacts) -> list[Stage]:
    """The stages the case may move to now (closing excluded: it depends on the reason)."""
    allowed: list[Stage] = []
    for stage in Stage:
        if stage is Stage.CLOSED:
            continue
        try:
            check_transition(facts, stage)
        except TransitionRefused:
            continue
        allowed.append(stage)
    return allowed
