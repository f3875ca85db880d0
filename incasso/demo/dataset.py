"""The demo data set as plain values: three clients, their debtors, cases and claims.

Generating is kept apart from storing so that "same seed, same data" can be checked without a database. The
reference date is fixed, not today, so a seed gives identical rows whenever it runs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from incasso.cases.models import InterestKind
from incasso.demo import identities
from incasso.domain.case_stages import ClosedReason, Stage
from incasso.parties.models import ClientKind, DebtorKind

REFERENCE_DATE = datetime.date(2026, 11, 1)
MIN_DEBTORS = 100

# How old a case in each stage typically is on the reference date, in days.
STAGE_AGE_DAYS: dict[Stage, tuple[int, int]] = {
    Stage.REMINDER: (3, 40),
    Stage.FORMAL_DEMAND: (20, 70),
    Stage.AMICABLE: (40, 180),
    Stage.ARRANGEMENT: (60, 330),
    Stage.LEGAL: (120, 420),
    Stage.JUDGMENT: (200, 540),
    Stage.ENFORCEMENT: (250, 720),
    Stage.CLOSED: (30, 720),
}
STAGE_WEIGHTS: dict[Stage, int] = {
    Stage.REMINDER: 15,
    Stage.FORMAL_DEMAND: 12,
    Stage.AMICABLE: 20,
    Stage.ARRANGEMENT: 10,
    Stage.LEGAL: 5,
    Stage.JUDGMENT: 3,
    Stage.ENFORCEMENT: 3,
    Stage.CLOSED: 32,
}
CLOSED_REASON_WEIGHTS: dict[ClosedReason, int] = {
    ClosedReason.PAID: 45,
    ClosedReason.SETTLED: 12,
    ClosedReason.UNCOLLECTABLE: 12,
    ClosedReason.WITHDRAWN: 8,
    ClosedReason.DISPUTED: 6,
    ClosedReason.TRANSFERRED: 3,
    ClosedReason.INSOLVENCY: 7,
    ClosedReason.TIME_BARRED: 7,
}
# The stages a case reaches only through legal steps (a summons, a judgment, a bailiff).
LEGAL_STAGES = frozenset({Stage.LEGAL, Stage.JUDGMENT, Stage.ENFORCEMENT})
# Every client's first cases walk through every open stage its agreement allows and every way of closing, so the
# demo shows them all.
GUARANTEED_OUTCOMES: list[tuple[Stage, ClosedReason | None]] = [
    *((stage, None) for stage in Stage if stage.is_open),
    *((Stage.CLOSED, reason) for reason in ClosedReason),
]


@dataclass(frozen=True)
class ClientProfile:
    code: str
    name: str
    kind: ClientKind
    vat_deductible: bool
    share: float  # of all debtors
    debtor_kinds: dict[DebtorKind, int]
    interest_kind: InterestKind
    principal_cents: tuple[int, int]
    invoice_prefix: str
    descriptions: tuple[str, ...]
    # False for a client whose processor agreement allows no legal steps: none of its cases is in court.
    legal_steps: bool = True


CLIENT_PROFILES = (
    ClientProfile(
        code="wholesale",
        name="Van Dijk Groothandel B.V.",
        kind=ClientKind.WHOLESALER,
        vat_deductible=True,
        share=0.2,
        debtor_kinds={DebtorKind.COMPANY: 3, DebtorKind.SOLE_TRADER: 1},
        interest_kind=InterestKind.COMMERCIAL,
        principal_cents=(25_000, 2_500_000),
        invoice_prefix="VF",
        descriptions=("Levering bouwmaterialen", "Levering sanitair", "Levering gereedschap"),
    ),
    ClientProfile(
        code="energy",
        name="Polder Energie B.V.",
        kind=ClientKind.ENERGY,
        vat_deductible=True,
        share=0.45,
        debtor_kinds={DebtorKind.CONSUMER: 1},
        interest_kind=InterestKind.STATUTORY,
        principal_cents=(4_000, 250_000),
        invoice_prefix="EN",
        descriptions=("Jaarafrekening stroom en gas", "Termijnbedrag energie", "Eindafrekening energie"),
    ),
    ClientProfile(
        code="webshop",
        name="Klik & Koop",
        kind=ClientKind.WEBSHOP,
        # A small shop under the small-business VAT scheme: it cannot deduct VAT, so costs carry VAT (C-5).
        vat_deductible=False,
        share=0.35,
        debtor_kinds={DebtorKind.CONSUMER: 1},
        interest_kind=InterestKind.STATUTORY,
        principal_cents=(1_500, 80_000),
        invoice_prefix="WS",
        descriptions=("Bestelling webwinkel", "Achteraf betalen bestelling"),
        legal_steps=False,
    ),
)


@dataclass(frozen=True)
class DemoClient:
    code: str
    name: str
    kind: ClientKind
    kvk_number: str
    iban: str
    vat_deductible: bool


@dataclass(frozen=True)
class DemoDebtor:
    client_code: str
    reference: str
    kind: DebtorKind
    given_names: str
    surname: str
    organisation_name: str
    date_of_birth: datetime.date | None
    address: identities.Address
    email: str
    phone: str
    iban: str
    kvk_number: str


@dataclass(frozen=True)
class DemoClaim:
    invoice_number: str
    invoice_date: datetime.date
    due_date: datetime.date
    principal_cents: int
    description: str


@dataclass(frozen=True)
class DemoCase:
    client_code: str
    debtor_index: int  # into DemoDataset.debtors
    number: str
    stage: Stage
    closed_reason: ClosedReason | None
    opened_on: datetime.date
    closed_on: datetime.date | None
    interest_kind: InterestKind
    claims: tuple[DemoClaim, ...]


@dataclass(frozen=True)
class DemoDataset:
    clients: tuple[DemoClient, ...]
    debtors: tuple[DemoDebtor, ...]
    cases: tuple[DemoCase, ...]
