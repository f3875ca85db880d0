"""The pure rules: which case a reference names, and the stable key of an entry. No database."""

from __future__ import annotations

import datetime

import pytest

from incasso.domain.payment_reference import rf_for_case
from incasso.payments.parsers import ParsedEntry
from incasso.payments.references import (
    EntryKeys,
    case_number_from_rf,
    return_reason_text,
    rf_case_numbers,
    text_case_numbers,
)

ENTRY = ParsedEntry(
    index=1,
    account="NL20INGB0001234567",
    booking_date=datetime.date(2026, 10, 5),
    amount_cents=2_993,
    currency="EUR",
    end_to_end_id="tr_XXXXXXXXX",
    remittance="Order 123",
)


@pytest.mark.parametrize("number", ["2026-000001", "2026-000123", "2031-1234567"])
def test_an_rf_reference_leads_back_to_its_case_number(number):
    assert case_number_from_rf(rf_for_case(number)) == number
    assert case_number_from_rf(" ".join(rf_for_case(number).lower())) == number


@pytest.mark.parametrize("reference", ["RF592026000101", "RF18539007547034X", "RF18ABC", "2026000101", ""])
def test_anything_else_names_no_case(reference):
    assert case_number_from_rf(reference) is None


def test_references_and_case_numbers_are_found_in_texts():
    entry = ENTRY._replace(remittance="dossier 2026-000102, ref RF58 2026 0001 01 en 12026-0001020")
    assert rf_case_numbers(entry) == {"2026-000101"}
    assert text_case_numbers(entry) == {"2026-000102"}


def test_keys_are_stable_and_tell_identical_entries_apart_by_occurrence():
    first, second = EntryKeys(), EntryKeys()
    keys = [first.key(ENTRY), first.key(ENTRY), first.key(ENTRY._replace(amount_cents=4_293))]
    assert len(set(keys)) == 3
    assert [second.key(ENTRY), second.key(ENTRY), second.key(ENTRY._replace(amount_cents=4_293))] == keys


def test_the_bank_reference_keys_an_entry_whatever_its_texts():
    keys = EntryKeys()
    with_ref = ENTRY._replace(bank_reference="B4E07XM00J000023")
    assert keys.key(with_ref) == EntryKeys().key(with_ref._replace(remittance="other text", index=9))
    assert keys.key(with_ref) != EntryKeys().key(with_ref._replace(account="NL91ABNA0417164300"))


def test_return_reasons_are_explained():
    assert return_reason_text("AC06") == "AC06 (account blocked)"
    assert return_reason_text("ZZ99") == "ZZ99"
