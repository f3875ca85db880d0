"""The finance queue of unmatched entries, and matching an entry by hand."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from incasso.payments.matching import ledger_key
from incasso.payments.models import EntryStatus, MatchRule, StatementEntry
from incasso.payments.selectors import unmatched_entries
from incasso.payments.services import entry_match_by_hand
from incasso.payments.tests.conftest import camt, camt_entry, fixture_bytes, run_import


def test_the_queue_lists_unmatched_entries_oldest_first(cases, ledger):
    run_import(
        camt(camt_entry("5.00", ref="LATE", booked="2026-10-07"), camt_entry("6.00", ref="EARLY", booked="2026-10-02"))
    )
    run_import(fixture_bytes("camt053_v02.xml"))
    assert [entry.bank_reference for entry in unmatched_entries()] == ["EARLY", "", "REF-0006", "LATE"]


def test_finance_matches_a_credit_by_hand(cases, ledger, staff_user):
    run_import(fixture_bytes("camt053_v02.xml"))
    entry = unmatched_entries().get(bank_reference="")
    case = cases["2026-000104"]

    matched = entry_match_by_hand(entry=entry, case=case, actor=staff_user)

    assert (matched.status, matched.match_rule, matched.case, matched.matched_by) == (
        EntryStatus.MATCHED,
        MatchRule.HAND,
        case,
        staff_user,
    )
    assert matched.matched_at is not None
    assert ledger.calls[-1] == (
        "unmatched_assign",
        {"unmatched_key": ledger_key(entry.entry_key), "case_id": case.pk, "key": f"stmt-assign:{entry.entry_key}"},
    )
    assert matched.ledger_key == f"stmt-assign:{entry.entry_key}"
    assert entry not in unmatched_entries()
    with pytest.raises(ValidationError, match="Only an unmatched entry"):
        entry_match_by_hand(entry=entry, case=case, actor=staff_user)


def test_a_return_matched_by_hand_reverses_a_payment_of_its_amount_on_the_case(cases, ledger, staff_user):
    run_import(camt(camt_entry("33.00", ref="P", strd="RF472026000105")))
    run_import(fixture_bytes("camt053_return_ac06.xml"))
    unknown = StatementEntry.objects.get(bank_reference="RT-0002")
    payment = StatementEntry.objects.get(bank_reference="P")

    with pytest.raises(ValidationError, match=r"has no payment of 33\.00"):
        entry_match_by_hand(entry=unknown, case=cases["2026-000101"], actor=staff_user)
    returned = entry_match_by_hand(entry=unknown, case=cases["2026-000105"], actor=staff_user)

    assert (returned.status, returned.original_entry) == (EntryStatus.RETURNED, payment)
    assert ledger.calls[-1][1]["payment_key"] == payment.ledger_key


def test_an_entry_the_ledger_never_booked_cannot_be_matched_by_hand(cases, ledger, staff_user):
    content = camt(camt_entry("10.00", ref="CHF")).replace(b'Ccy="EUR"', b'Ccy="CHF"')
    summary = run_import(content)
    assert [item.index for item in summary.refused] == [1]
    entry = StatementEntry.objects.get()
    assert (entry.status, entry.ledger_key) == (EntryStatus.UNMATCHED, "")
    with pytest.raises(ValidationError, match="never booked in the ledger"):
        entry_match_by_hand(entry=entry, case=cases["2026-000101"], actor=staff_user)
