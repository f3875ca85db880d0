"""The stages a collection case runs through and the reasons it can be closed (C-4).

Only the vocabulary lives here for now; the stage machine with its guards comes later and will build on these
enums. The labels are English message ids: the interfaces translate them (the Dutch catalog is in the cases app).
"""

from __future__ import annotations

from enum import StrEnum


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation without importing Django (``makemessages`` knows this name)."""
    return message


class Stage(StrEnum):
    """Where a case is, in the order a case normally runs through them."""

    REMINDER = "reminder"
    FORMAL_DEMAND = "formal_demand"
    AMICABLE = "amicable"
    ARRANGEMENT = "arrangement"
    LEGAL = "legal"
    JUDGMENT = "judgment"
    ENFORCEMENT = "enforcement"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self is not Stage.CLOSED


class ClosedReason(StrEnum):
    """Why a closed case was closed."""

    PAID = "paid"
    SETTLED = "settled"
    UNCOLLECTABLE = "uncollectable"
    WITHDRAWN = "withdrawn"
    DISPUTED = "disputed"
    TRANSFERRED = "transferred"
    INSOLVENCY = "insolvency"
    TIME_BARRED = "time_barred"

    @property
    def label(self) -> str:
        return _CLOSED_REASON_LABELS[self]


_STAGE_LABELS: dict[Stage, str] = {
    Stage.REMINDER: gettext_noop("Reminder"),
    Stage.FORMAL_DEMAND: gettext_noop("Formal demand"),
    Stage.AMICABLE: gettext_noop("Amicable collection"),
    Stage.ARRANGEMENT: gettext_noop("Payment arrangement"),
    Stage.LEGAL: gettext_noop("Legal proceedings"),
    Stage.JUDGMENT: gettext_noop("Judgment"),
    Stage.ENFORCEMENT: gettext_noop("Enforcement"),
    Stage.CLOSED: gettext_noop("Closed"),
}

_CLOSED_REASON_LABELS: dict[ClosedReason, str] = {
    ClosedReason.PAID: gettext_noop("Paid in full"),
    ClosedReason.SETTLED: gettext_noop("Settled"),
    ClosedReason.UNCOLLECTABLE: gettext_noop("Uncollectable"),
    ClosedReason.WITHDRAWN: gettext_noop("Withdrawn by client"),
    ClosedReason.DISPUTED: gettext_noop("Disputed and dropped"),
    ClosedReason.TRANSFERRED: gettext_noop("Transferred abroad"),
    ClosedReason.INSOLVENCY: gettext_noop("Insolvency"),
    ClosedReason.TIME_BARRED: gettext_noop("Time-barred"),
}
