"""ISO 11649 RF references: check digits, validation, and the reference of a case."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso11649

from incasso.domain.payment_reference import is_valid_rf, rf_for_case, rf_grouped, rf_reference

ALPHANUMERIC = string.ascii_uppercase + string.digits
bases = st.text(alphabet=ALPHANUMERIC, min_size=1, max_size=21)


def test_the_standards_example():
    # ISO 11649's own example, as quoted by python-stdnum and the EPC.
    assert rf_reference("539007547034") == "RF18539007547034"
    assert rf_grouped("RF18539007547034") == "RF18 5390 0754 7034"
    assert is_valid_rf("RF18 5390 0754 7034")
    assert is_valid_rf("rf18539007547034")


def test_case_reference_uses_the_digits_of_the_case_number():
    reference = rf_for_case("2026-000123")
    assert reference.endswith("2026000123")
    assert reference == rf_reference("2026000123")
    assert iso11649.is_valid(reference)


@pytest.mark.parametrize("base", ["", "   ", "ABC-123", "A" * 22, "é1"])
def test_bad_bases_are_refused(base):
    with pytest.raises(ValueError, match="letters or digits"):
        rf_reference(base)


def test_case_number_without_digits_is_refused():
    with pytest.raises(ValueError, match="no digits"):
        rf_for_case("ABC")


@pytest.mark.parametrize("text", ["", "RF", "RF18", "XX18539007547034", "RF1853900754703", "RF18" + "1" * 22])
def test_malformed_references_are_invalid(text):
    assert not is_valid_rf(text)


@given(bases)
def test_every_generated_reference_validates(base):
    reference = rf_reference(base)
    assert is_valid_rf(reference)
    assert iso11649.is_valid(reference)  # the independent implementation agrees
    assert len(reference) <= 25


@given(bases, st.data())
def test_a_changed_character_fails(base, data):
    """MOD 97-10 catches every single substitution that keeps a digit a digit and a letter a letter.

    (A letter counts as two digits, so swapping a letter for a digit shifts the number and is caught only in
    about 99.7% of cases. Case references are all digits, where detection is complete.)
    """
    reference = rf_reference(base)
    position = data.draw(st.integers(min_value=0, max_value=len(reference) - 1))
    original = reference[position]
    pool = string.digits if original.isdigit() else string.ascii_uppercase
    replacement = data.draw(st.sampled_from([c for c in pool if c != original]))
    changed = reference[:position] + replacement + reference[position + 1 :]
    assert not is_valid_rf(changed)
    assert not iso11649.is_valid(changed)


@given(st.text(alphabet=string.digits + "-", min_size=1, max_size=21).filter(lambda s: any(c.isdigit() for c in s)))
def test_case_references_validate(case_number):
    assert iso11649.is_valid(rf_for_case(case_number))
