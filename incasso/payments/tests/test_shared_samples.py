"""The real bank files in shared/samples: every one reads with the right entries and amounts, and imports.

The MT940 samples come with the mt-940 library's own expected parse (``*.expected.yml``); the amounts of its
transactions are compared with ours, in order. The camt samples' figures are taken from the files themselves.
These tests skip only when the shared directory is not there (it sits beside the repository, or is named by
INCASSO_SHARED_DIR).
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest

from incasso.payments.models import StatementEntry
from incasso.payments.parsers import ParsedEntry, SkippedEntry, statement_reader
from incasso.payments.services import statement_import
from incasso.payments.tests.conftest import shared_samples

SAMPLES = shared_samples()
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"the shared samples are not at {SAMPLES}")

# The transaction amounts the library's expected parse lists (its yml tags Python objects, so it is read by text).
_EXPECTED_AMOUNT = re.compile(
    r"^- !!python/object:mt940\.models\.Transaction\n  data:\n    amount: !!python/object:mt940\.models\.Amount\n"
    r"      amount: !!python/object/apply:decimal\.Decimal\n      - '(?P<amount>-?[0-9.]+)'",
    re.MULTILINE,
)

MT940_WITH_EXPECTATIONS = [
    "jejik_abnamro",
    "jejik_ing",
    "jejik_knab",
    "jejik_rabobank",
    "jejik_rabobank-iban",
    "jejik_sns",
]
# Files without an expected parse: their amounts, in order, read off the :61: lines.
OTHER_SAMPLES = {
    "mt940/oca_test-ing.940": ["1.56", "-1.57", "1.57", "-1.14", "1.45", "-12.75", "32.00", "-119.00"],
    "mt940/oca_test-rabo.swi": ["400.00", "-34.61"],
    "camt/oca_test-camt053_v001.02_NL_ABNA_with_DD_returns.xml": ["-754.25", "-564.05", "-100.00", "1405.31"],
    "camt/oca_test-camt054_v001.04_NL.xml": ["5.00"],
    "camt/genkgo_camt053.v4.xml": ["8.85"],
    # Not schema-valid (country "CH1"/"CH2"): read all the same, one entry per transaction of the batch.
    "camt/oca_test-camt053-txdtls_v001.04_CH.xml": ["2187.00", "1296.00"],
}


def parsed(path) -> list[ParsedEntry | SkippedEntry]:
    with path.open("rb") as stream:
        return list(statement_reader(stream))


def cents(text: str) -> int:
    return int(Decimal(text) * 100)


@pytest.mark.parametrize("name", MT940_WITH_EXPECTATIONS)
def test_mt940_samples_match_the_librarys_expected_transactions(name):
    expected = [
        cents(m.group("amount"))
        for m in _EXPECTED_AMOUNT.finditer((SAMPLES / f"mt940/{name}.expected.yml").read_text())
    ]
    entries = parsed(SAMPLES / f"mt940/{name}.sta")
    assert expected, "the expected parse lists transactions"
    assert all(isinstance(entry, ParsedEntry) for entry in entries)
    assert [entry.amount_cents for entry in entries] == expected


@pytest.mark.parametrize(("name", "amounts"), OTHER_SAMPLES.items())
def test_other_samples_read_every_entry(name, amounts):
    entries = parsed(SAMPLES / name)
    assert all(isinstance(entry, ParsedEntry) for entry in entries)
    assert [entry.amount_cents for entry in entries] == [cents(amount) for amount in amounts]


def test_the_split_line_ing_file_reads_its_returns_and_mandates():
    entries = parsed(SAMPLES / "mt940/oca_test-ing.940")
    assert [(e.return_reason, e.mandate_id) for e in entries if e.return_reason] == [
        ("MS03", ""),
        ("MS03", "MND-120123"),
    ]
    assert entries[3].mandate_id == "MND-EV01"


def test_the_abn_amro_direct_debit_returns_carry_ac06():
    entries = parsed(SAMPLES / "camt/oca_test-camt053_v001.02_NL_ABNA_with_DD_returns.xml")
    assert [entry.return_reason for entry in entries] == ["", "AC06", "AC06", ""]


def test_mollie_adds_up_to_its_closing_balance():
    entries = parsed(SAMPLES / "mt940/oca_mollie_voorbeeld.mt940")
    assert len(entries) == 21
    # Opening balance 0,00, closing balance D1350,26.
    assert sum(entry.amount_cents for entry in entries if isinstance(entry, ParsedEntry)) == -135_026


SAMPLE_FILES = (
    [f"mt940/{name}.sta" for name in MT940_WITH_EXPECTATIONS]
    + list(OTHER_SAMPLES)
    + ["mt940/oca_mollie_voorbeeld.mt940"]
)


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_every_sample_imports_on_the_real_ledger_and_again_as_duplicates(db, name):
    path = SAMPLES / name
    count = len(parsed(path))
    with path.open("rb") as stream:
        first = statement_import(stream=stream, filename=path.name)
    assert first.entries == count
    assert first.skipped == []
    assert StatementEntry.objects.count() == count
    with path.open("rb") as stream:
        again = statement_import(stream=io.BytesIO(stream.read()), filename=path.name)
    assert (again.entries, again.duplicates, again.matched + again.unmatched) == (count, count, 0)
    assert StatementEntry.objects.count() == count


def test_the_swiss_file_is_imported_but_not_booked_in_francs(db):
    path = SAMPLES / "camt/oca_test-camt053-txdtls_v001.04_CH.xml"
    with path.open("rb") as stream:
        summary = statement_import(stream=stream, filename=path.name)
    assert (summary.entries, summary.unmatched) == (2, 2)
    assert [item.index for item in summary.refused] == [1, 2]
    assert "EUR" in summary.refused[0].reason
    assert set(StatementEntry.objects.values_list("ledger_key", flat=True)) == {""}
