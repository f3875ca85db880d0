"""The client's instructions to the agency, as the processor agreement in force states them (C-1).

The agency processes a client's debtors' data only as the client instructs (GDPR art. 28(3)(a)): the measures it
may take, whether legal steps wait for the client's approval, how far it may settle, and the payment plans it may
accept on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from incasso.domain.money import Money

LEGAL_STEPS = "legal"


@dataclass(frozen=True, slots=True)
class ClientInstructions:
    agreement_version: int | None  # None: no agreement on file (the agency's own claims, or a client not yet signed)
    allowed_measures: frozenset[str] | None  # None: every measure
    legal_steps_need_approval: bool
    settlement_authority_bp: int  # basis points of the principal a collector may waive without asking
    plan_max_months: int
    plan_min_instalment: Money

    @classmethod
    def agency_default(cls) -> ClientInstructions:
        """For claims without a processor agreement: every measure, but legal steps still need a decision."""
        return cls(None, None, True, 0, 12, Money(2_500))

    def allows(self, measure: str) -> bool:
        return self.allowed_measures is None or measure in self.allowed_measures
