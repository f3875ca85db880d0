"""Generate the demo data set from a seed: same seed, same data set, whenever and wherever it runs."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import random
from collections.abc import Iterator

from faker import Faker

from incasso.demo import identities
from incasso.demo.dataset import (
    CLIENT_PROFILES,
    CLOSED_REASON_WEIGHTS,
    GUARANTEED_OUTCOMES,
    LEGAL_STAGES,
    MIN_DEBTORS,
    REFERENCE_DATE,
    STAGE_AGE_DAYS,
    STAGE_WEIGHTS,
    ClientProfile,
    DemoCase,
    DemoClaim,
    DemoClient,
    DemoDataset,
    DemoDebtor,
)
from incasso.domain.case_stages import ClosedReason, Stage
from incasso.parties.models import DebtorKind

Outcome = tuple[Stage, ClosedReason | None]


def demo_dataset(*, seed: int, debtors: int) -> DemoDataset:
    if debtors < MIN_DEBTORS:
        raise ValueError(f"the demo needs at least {MIN_DEBTORS} debtors to show every stage, not {debtors}")
    rng = random.Random(seed)  # noqa: S311 - demo data must be reproducible, not unpredictable
    fake = Faker("nl_NL")
    fake.seed_instance(seed)

    clients = tuple(
        DemoClient(
            code=profile.code,
            name=profile.name,
            kind=profile.kind,
            kvk_number=identities.kvk_number(rng),
            iban=identities.dutch_iban(rng),
            vat_deductible=profile.vat_deductible,
        )
        for profile in CLIENT_PROFILES
    )
    all_debtors: list[DemoDebtor] = []
    cases: list[DemoCase] = []
    for profile, count in zip(CLIENT_PROFILES, _split(debtors), strict=True):
        outcomes = iter(_outcomes_allowed(profile, GUARANTEED_OUTCOMES))
        invoice_numbers = (f"{profile.invoice_prefix}-{n:07d}" for n in itertools.count(1))
        for number in range(1, count + 1):
            debtor = _debtor(profile, number, fake, rng)
            all_debtors.append(debtor)
            for _ in range(rng.choices((1, 2), weights=(80, 20))[0]):
                stage, reason = next(outcomes, None) or _random_outcome(rng)
                if stage in LEGAL_STAGES and not profile.legal_steps:
                    stage = Stage.AMICABLE  # the agreement stops collection short of court
                cases.append(_case(profile, debtor, len(all_debtors) - 1, stage, reason, rng, invoice_numbers))
    return DemoDataset(clients=clients, debtors=tuple(all_debtors), cases=_numbered(cases))


def _split(debtors: int) -> list[int]:
    counts = [int(debtors * profile.share) for profile in CLIENT_PROFILES[:-1]]
    return [*counts, debtors - sum(counts)]


def _outcomes_allowed(profile: ClientProfile, outcomes: list[Outcome]) -> list[Outcome]:
    return [(stage, reason) for stage, reason in outcomes if profile.legal_steps or stage not in LEGAL_STAGES]


def _random_outcome(rng: random.Random) -> Outcome:
    stage = rng.choices(list(STAGE_WEIGHTS), weights=list(STAGE_WEIGHTS.values()))[0]
    if stage is not Stage.CLOSED:
        return stage, None
    return stage, rng.choices(list(CLOSED_REASON_WEIGHTS), weights=list(CLOSED_REASON_WEIGHTS.values()))[0]


def _debtor(profile: ClientProfile, number: int, fake: Faker, rng: random.Random) -> DemoDebtor:
    kind = rng.choices(list(profile.debtor_kinds), weights=list(profile.debtor_kinds.values()))[0]
    given_names, surname = fake.first_name(), fake.last_name()
    address = identities.dutch_address(fake, rng)
    iban = identities.dutch_iban(rng)
    if kind is DebtorKind.COMPANY:
        organisation_name = f"{identities.company_name(rng, surname=surname)} B.V."
        return DemoDebtor(
            client_code=profile.code,
            reference=f"C{number:06d}",
            kind=kind,
            given_names="",
            surname="",
            organisation_name=organisation_name,
            date_of_birth=None,
            address=address,
            email=identities.company_email(organisation_name=organisation_name),
            phone=identities.landline_number(rng),
            iban=iban,
            kvk_number=identities.kvk_number(rng),
        )
    is_sole_trader = kind is DebtorKind.SOLE_TRADER
    return DemoDebtor(
        client_code=profile.code,
        reference=f"C{number:06d}",
        kind=kind,
        given_names=given_names,
        surname=surname,
        organisation_name=identities.company_name(rng, surname=surname) if is_sole_trader else "",
        date_of_birth=identities.date_of_birth(rng, on=REFERENCE_DATE),
        address=address,
        email=identities.person_email(rng, given_names=given_names, surname=surname),
        phone=identities.mobile_number(rng),
        iban=iban,
        kvk_number=identities.kvk_number(rng) if is_sole_trader else "",
    )


def _case(
    profile: ClientProfile,
    debtor: DemoDebtor,
    debtor_index: int,
    stage: Stage,
    reason: ClosedReason | None,
    rng: random.Random,
    invoice_numbers: Iterator[str],
) -> DemoCase:
    age = rng.randint(*STAGE_AGE_DAYS[stage])
    opened_on = REFERENCE_DATE - datetime.timedelta(days=age)
    closed_on = opened_on + datetime.timedelta(days=rng.randint(14, age)) if stage is Stage.CLOSED else None
    due_date = opened_on - datetime.timedelta(days=rng.randint(10, 60))
    if reason is ClosedReason.TIME_BARRED and closed_on is not None:
        # Consumer claims (purchases, energy) are barred after two years, others after five (C-14).
        years = 2 if debtor.kind is DebtorKind.CONSUMER else 5
        due_date = closed_on - datetime.timedelta(days=years * 366 + rng.randint(1, 120))
    claims = []
    for _ in range(rng.choices((1, 2, 3), weights=(60, 30, 10))[0]):
        low, high = profile.principal_cents
        claims.append(
            DemoClaim(
                invoice_number=next(invoice_numbers),
                invoice_date=due_date - datetime.timedelta(days=rng.choice((14, 30))),
                due_date=due_date,
                # Log-uniform: many small invoices, a few large ones.
                principal_cents=int(low * (high / low) ** rng.random()),
                description=rng.choice(profile.descriptions),
            )
        )
        due_date -= datetime.timedelta(days=rng.randint(20, 45))
    return DemoCase(
        client_code=profile.code,
        debtor_index=debtor_index,
        number="",
        stage=stage,
        closed_reason=reason,
        opened_on=opened_on,
        closed_on=closed_on,
        interest_kind=profile.interest_kind,
        claims=tuple(reversed(claims)),
    )


def _numbered(cases: list[DemoCase]) -> tuple[DemoCase, ...]:
    """Number the cases per year in the order they were opened, as a live system would have."""
    ordered = sorted(enumerate(cases), key=lambda item: (item[1].opened_on, item[0]))
    sequences: dict[int, int] = {}
    numbered = []
    for _position, case in ordered:
        year = case.opened_on.year
        sequences[year] = sequences.get(year, 0) + 1
        numbered.append(dataclasses.replace(case, number=f"{year}-{sequences[year]:06d}"))
    return tuple(numbered)
