"""The generated demo data set, checked without a database."""

from collections import Counter

import pytest
from schwifty import IBAN
from stdnum.nl import postcode

from incasso.demo.dataset import CLIENT_PROFILES, LEGAL_STAGES, MIN_DEBTORS, REFERENCE_DATE
from incasso.demo.generate import demo_dataset
from incasso.domain.case_stages import ClosedReason, Stage
from incasso.parties.models import DebtorKind


@pytest.fixture(scope="module")
def dataset():
    return demo_dataset(seed=1, debtors=1_200)


def test_the_same_seed_gives_the_same_data(dataset):
    again = demo_dataset(seed=1, debtors=1_200)
    assert again == dataset
    assert [(d.surname, d.iban) for d in again.debtors] == [(d.surname, d.iban) for d in dataset.debtors]


def test_another_seed_gives_other_data(dataset):
    other = demo_dataset(seed=2, debtors=1_200)
    assert [d.surname for d in other.debtors] != [d.surname for d in dataset.debtors]
    assert {d.iban for d in other.debtors}.isdisjoint({d.iban for d in dataset.debtors})


def test_there_are_three_clients_and_at_least_a_thousand_debtors(dataset):
    assert [client.code for client in dataset.clients] == ["wholesale", "energy", "webshop"]
    assert len(dataset.debtors) == 1_200


def test_every_iban_is_valid_and_at_a_real_dutch_bank(dataset):
    ibans = [debtor.iban for debtor in dataset.debtors] + [client.iban for client in dataset.clients]
    for value in ibans:
        iban = IBAN(value)
        assert iban.country_code == "NL"
        assert iban.bank is not None, value
    assert len(set(ibans)) == len(ibans)


def test_every_postcode_is_a_valid_dutch_postcode(dataset):
    invalid = [d.address.postcode for d in dataset.debtors if not postcode.is_valid(d.address.postcode)]
    assert invalid == []


def test_every_stage_the_agreement_allows_and_every_closed_reason_occurs_for_every_client(dataset):
    for profile in CLIENT_PROFILES:
        cases = [case for case in dataset.cases if case.client_code == profile.code]
        allowed = set(Stage) if profile.legal_steps else set(Stage) - LEGAL_STAGES
        assert {case.stage for case in cases} == allowed, profile.code
        assert {case.closed_reason for case in cases if case.closed_reason} == set(ClosedReason)
    assert not any(profile.legal_steps for profile in CLIENT_PROFILES if profile.code == "webshop")


def test_debtor_kinds_and_interest_follow_the_client(dataset):
    kinds = {
        code: Counter(d.kind for d in dataset.debtors if d.client_code == code)
        for code in ("wholesale", "energy", "webshop")
    }
    assert set(kinds["wholesale"]) == {DebtorKind.COMPANY, DebtorKind.SOLE_TRADER}
    assert set(kinds["energy"]) == set(kinds["webshop"]) == {DebtorKind.CONSUMER}
    interest = {(case.client_code, case.interest_kind) for case in dataset.cases}
    assert interest == {("wholesale", "commercial"), ("energy", "statutory"), ("webshop", "statutory")}
    assert all(d.date_of_birth is None for d in dataset.debtors if d.kind == DebtorKind.COMPANY)


def test_cases_and_claims_are_consistent(dataset):
    numbers = [case.number for case in dataset.cases]
    assert len(set(numbers)) == len(numbers)
    invoices = Counter((case.client_code, claim.invoice_number) for case in dataset.cases for claim in case.claims)
    assert max(invoices.values()) == 1
    for case in dataset.cases:
        assert dataset.debtors[case.debtor_index].client_code == case.client_code
        assert case.number.startswith(f"{case.opened_on.year}-")
        assert 1 <= len(case.claims) <= 3
        assert case.opened_on <= REFERENCE_DATE
        assert (case.stage is Stage.CLOSED) == (case.closed_reason is not None) == (case.closed_on is not None)
        for claim in case.claims:
            assert claim.principal_cents > 0
            assert claim.invoice_date <= claim.due_date < case.opened_on


def test_too_few_debtors_is_refused():
    with pytest.raises(ValueError, match="at least"):
        demo_dataset(seed=1, debtors=MIN_DEBTORS - 1)
