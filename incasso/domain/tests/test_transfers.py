from __future__ import annotations

import pytest

from incasso.domain.transfers import (
    ADEQUACY_DECISIONS,
    EEA_COUNTRIES,
    Safeguard,
    TransferBasis,
    transfer_allowed,
)


def test_the_eea_is_the_27_member_states_and_iceland_liechtenstein_norway():
    assert len(EEA_COUNTRIES) == 30
    assert {"NL", "DE", "GR", "IS", "LI", "NO"} <= EEA_COUNTRIES
    assert not {"CH", "GB", "EL"} & EEA_COUNTRIES


@pytest.mark.parametrize("country", ["NL", "de", " be "])
def test_an_eea_country_is_no_transfer(country):
    verdict = transfer_allowed(country, [])
    assert verdict.allowed
    assert verdict.basis == TransferBasis.EEA


@pytest.mark.parametrize("country", ["CH", "GB", "JP", "KR", "NZ", "UY"])
def test_an_adequacy_country_is_allowed_without_safeguards(country):
    verdict = transfer_allowed(country, [])
    assert verdict.allowed
    assert verdict.basis == TransferBasis.ADEQUACY
    assert ADEQUACY_DECISIONS[country].decision in verdict.reason


def test_the_united_states_without_safeguards_is_refused_with_a_clear_reason():
    verdict = transfer_allowed("US", [])
    assert not verdict.allowed
    assert verdict.basis == TransferBasis.NONE
    assert "standard contractual clauses" in verdict.reason


def test_the_united_states_with_standard_contractual_clauses_is_allowed():
    verdict = transfer_allowed("US", [Safeguard.SCC])
    assert verdict.allowed
    assert verdict.basis == TransferBasis.SAFEGUARDS


def test_the_partial_us_decision_covers_a_certified_recipient_only():
    assert transfer_allowed("US", ["dpf_certified"]).basis == TransferBasis.ADEQUACY
    assert not transfer_allowed("CA", []).allowed
    assert transfer_allowed("CA", [Safeguard.PIPEDA_SUBJECT]).allowed


def test_a_certification_for_another_country_is_no_safeguard():
    assert not transfer_allowed("CO", [Safeguard.DPF_CERTIFIED]).allowed
    assert transfer_allowed("CO", [Safeguard.BCR]).allowed


@pytest.mark.parametrize("country", ["", "NLD", "N1", "ÑL"])
def test_a_malformed_country_code_is_an_error(country):
    with pytest.raises(ValueError, match="alpha-2"):
        transfer_allowed(country, [])


def test_every_adequacy_decision_names_its_source_and_is_outside_the_eea():
    for code, decision in ADEQUACY_DECISIONS.items():
        assert code == decision.country
        assert code not in EEA_COUNTRIES
        assert "Decision" in decision.decision


def test_a_colombian_recipient_without_safeguards_is_refused():
    verdict = transfer_allowed("CO", [])
    assert not verdict.allowed
    assert verdict.reason.startswith("CO is outside the EEA without an adequacy decision")
