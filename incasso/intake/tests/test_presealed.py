"""Debtors sealed ahead by the validating process: used by the writer exactly when they fit, resealed otherwise."""

from __future__ import annotations

import datetime
import pickle

import pytest

from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.core.bulk_insert import rows_insert
from incasso.crypto import keyring
from incasso.intake import pipeline
from incasso.intake.models import ImportSource
from incasso.intake.rows import SPREADSHEET, DebtorRecord
from incasso.intake.services import claims_import
from incasso.intake.tests.test_import import HEADER, csv_rows
from incasso.intake.writer import DEBTOR_COLUMNS, PresealedDebtors, _debtor_rows
from incasso.parties.factories import DebtorFactory
from incasso.parties.models import Debtor
from incasso.parties.sealing import debtors_sealer

pytestmark = pytest.mark.django_db

ROWS = (
    HEADER + "F-1,2026-01-01,2026-01-31,100,K-1,consumer,Jansen,,\n"
    "F-2,2026-01-02,2026-02-01,50,K-1,consumer,Janssen,,\n"
    "F-3,2026-01-02,2026-02-01,75,B-1,company,,Bakkerij B.V.,\n"
    "F-4,2026-01-03,2026-02-02,80,K-2,particulier,de Vries,,\n"
)


def _validated_and_sealed() -> pipeline.ValidatedChunk:
    [chunk] = pipeline._chunks(csv_rows(ROWS), 100)
    validated = pipeline.chunk_validate(chunk, SPREADSHEET)
    pipeline.chunk_debtors_seal(validated, debtors_sealer(DebtorRecord._fields), set())
    return validated


def test_a_chunk_seals_each_new_reference_once_from_its_first_row():
    chunk = _validated_and_sealed()
    assert {reference: row for reference, (row, _) in chunk.presealed.by_reference.items()} == {
        "K-1": 2,
        "B-1": 4,
        "K-2": 5,
    }
    [next_chunk] = pipeline._chunks(csv_rows(ROWS), 100)
    again = pipeline.chunk_validate(next_chunk, SPREADSHEET)
    pipeline.chunk_debtors_seal(again, debtors_sealer(DebtorRecord._fields), {"K-1", "B-1"})
    assert set(again.presealed.by_reference) == {"K-2"}


def test_sealed_debtors_cross_the_pipe_unchanged_but_for_empty_values():
    chunk = _validated_and_sealed()
    decoded = pipeline._decode(pickle.loads(pickle.dumps(pipeline._encode(chunk))))  # noqa: S301 - our own bytes
    assert decoded.claims == chunk.claims
    assert decoded.presealed.master_version == chunk.presealed.master_version
    for reference, (row, subject) in chunk.presealed.by_reference.items():
        got_row, got = decoded.presealed.by_reference[reference]
        assert (got_row, got.key_id, got.wrapped_key, got.indexes) == (
            row,
            subject.key_id,
            subject.wrapped_key,
            subject.indexes,
        )
        assert got.sealed == tuple(value or "" for value in subject.sealed)


def test_the_writer_stores_presealed_debtors_that_match_and_seals_the_others(creditor):
    chunk = _validated_and_sealed()
    presealed = chunk.presealed
    firsts = {claim.debtor.reference: claim for claim in reversed(chunk.claims)}  # the first claim of each
    k1_second = chunk.claims[1]  # K-1 again, from another row with another surname
    debtors = [k1_second.debtor, firsts["B-1"].debtor, firsts["K-2"].debtor]
    rows = _debtor_rows(creditor.pk, debtors, datetime.datetime.now(tz=datetime.UTC), presealed, [k1_second.row, 4, 5])
    key_of = {row[1]: str(row[-1]).replace("-", "") for row in rows}
    ahead = {reference: subject.key_id.replace("-", "") for reference, (_, subject) in presealed.by_reference.items()}
    assert key_of["B-1"] == ahead["B-1"] and key_of["K-2"] == ahead["K-2"]
    assert key_of["K-1"] != ahead["K-1"]  # sealed ahead from row 2, but this debtor comes from row 3

    rows_insert(Debtor, DEBTOR_COLUMNS, rows)
    keyring.keys_cache_clear()
    stored = {debtor.reference: debtor for debtor in Debtor.objects.filter(client=creditor)}
    assert stored["K-1"].surname == "Janssen"
    assert stored["K-2"].surname == "de Vries" and stored["K-2"].date_of_birth is None
    assert stored["B-1"].organisation_name == "Bakkerij B.V." and stored["B-1"].surname == ""


def test_debtors_sealed_under_another_master_key_are_sealed_again(creditor):
    chunk = _validated_and_sealed()
    ahead = chunk.presealed.by_reference
    [k1] = [claim for claim in chunk.claims if claim.row == 2]
    elsewhere = PresealedDebtors("v0", ahead)
    [row] = _debtor_rows(creditor.pk, [k1.debtor], datetime.datetime.now(tz=datetime.UTC), elsewhere, [2])
    assert str(row[-1]).replace("-", "") != ahead["K-1"][1].key_id.replace("-", "")


@pytest.mark.parametrize("parallel", [False, True])
def test_a_debtor_whose_first_row_was_a_duplicate_is_made_from_the_row_written(creditor, parallel):
    ClaimFactory(case=CaseFactory(debtor=DebtorFactory(client=creditor), client=creditor), invoice_number="F-1")
    summary = claims_import(
        client=creditor, rows=csv_rows(ROWS), source=ImportSource.CSV, dialect=SPREADSHEET, parallel=parallel
    )
    # Row 2 (F-1, debtor K-1) is not written: F-1 was imported for another debtor, so it is refused.
    assert (summary.created, summary.duplicates, summary.rejected_count) == (3, 0, 1)
    assert {error.row for error in summary.rejected} == {2}
    keyring.keys_cache_clear()
    debtors = {debtor.reference: debtor for debtor in Debtor.objects.filter(client=creditor)}
    assert debtors["K-1"].surname == "Janssen"
    assert debtors["K-2"].surname == "de Vries"
    assert debtors["B-1"].organisation_name == "Bakkerij B.V."
