"""MT940/MT942 files damaged at random (the mutations of ``intake.tests.test_fuzz_mutations``): the reader either
refuses the file with its own ``StatementFileError`` or yields entries and skipped entries, never anything else,
and every entry it yields is one the database can store (lengths, no NUL, a date, a non-zero amount in cents).
"""

from __future__ import annotations

import datetime
import io

import pytest
from hypothesis import HealthCheck, example, given, settings

from incasso.intake.tests.test_fuzz_mutations import DERANDOMIZE, HUGE, SCALE, mutated
from incasso.payments.models import ImportStatus, StatementEntry, StatementImport
from incasso.payments.parsers import ParsedEntry, SkippedEntry, StatementFileError, statement_reader
from incasso.payments.parsers.mt940 import MAX_TAG_LINES, _Tag
from incasso.payments.parsers.records import IBAN_LENGTH, NAME_LENGTH, REFERENCE_LENGTH, REMITTANCE_LENGTH
from incasso.payments.services import statement_import
from incasso.payments.tests.conftest import fixture_bytes

BASES = [
    fixture_bytes(name)
    for name in (
        "ing_structured.940",
        "rabobank_accw.sta",
        "german_subfields.sta",
        "volksbank_asn.sta",
        "triodos_subfields.sta",
        "mt940_wrapped_lines.sta",
    )
]
# An MT942 interim report: no opening balance, the currency in its floor limit.
MT942 = (
    b":20:MT942-1\r\n:25:PL61109010140000071219812874\r\n:28C:1/1\r\n:34F:PLN0,\r\n:13D:2610051200+0100\r\n"
    b":61:2610051005C100,00NTRFNONREF\r\n:86:020~00VE02~20Dossier 2026-000101~32ANNA NOWAK\r\n"
    b":90C:1PLN100,00\r\n-\r\n"
)
BASES.append(MT942)


def read(content: bytes) -> list[ParsedEntry | SkippedEntry] | StatementFileError:
    try:
        return list(statement_reader(io.BytesIO(content)))
    except StatementFileError as error:
        return error


def assert_storable(entry: ParsedEntry) -> None:
    assert isinstance(entry.amount_cents, int)
    assert entry.amount_cents
    assert isinstance(entry.booking_date, datetime.date)
    assert len(entry.currency) == 3
    for text, limit in (
        (entry.counterparty_name, NAME_LENGTH),
        (entry.counterparty_iban, IBAN_LENGTH),
        (entry.remittance, REMITTANCE_LENGTH),
        (entry.end_to_end_id, REFERENCE_LENGTH),
        (entry.bank_reference, REFERENCE_LENGTH),
        (entry.structured_reference, REFERENCE_LENGTH),
        (entry.mandate_id, REFERENCE_LENGTH),
        (entry.account, IBAN_LENGTH),
    ):
        assert len(text) <= limit
        assert "\x00" not in text


@pytest.mark.parametrize("base", BASES, ids=range(len(BASES)))
def test_the_undamaged_files_read_without_a_skipped_entry(base):
    entries = read(base)
    assert isinstance(entries, list)
    assert entries
    assert all(isinstance(entry, ParsedEntry) for entry in entries), entries


@settings(
    max_examples=200 * SCALE,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated(BASES))
@example(b"")
@example(b"\x00" * 64)
@example(b":20:X\n:25:NL20INGB0001234567\n:60F:C261004EUR1,00\n:61:" + b"9" * HUGE + b"\n")
@example(b":20:X\n:60F:C261004EUR1,00\n:61:2610051005C1,00NTRFNONREF\n:86:/NAME/" + b"\x00A" * 50 + b"\n")
@example(b":20:X\n:60F:C261004EUR1,00\n:61:2610051005C" + b"9" * 40 + b",00NTRFNONREF\n")
@example(b":20:X\n:60F:C261004EUR1,00\n:61:2613451005C1,00NTRFNONREF\n")
@example(":20:X\n:60F:C261004EUR1,00\n:61:2610051005C1,00NTRF\n:86:Café Zoë\n".encode("utf-16"))
def test_a_damaged_statement_is_refused_or_read_never_a_crash(content):
    entries = read(content)
    if isinstance(entries, StatementFileError):
        assert entries.message, "a refusal says why"
        return
    for entry in entries:
        assert isinstance(entry, ParsedEntry | SkippedEntry)
        if isinstance(entry, ParsedEntry):
            assert_storable(entry)
        else:
            assert entry.reason


def test_an_entry_with_endless_details_keeps_a_bounded_text():
    lines = b"".join(b":86:Dossier 2026-000101 regel %d\n" % number for number in range(5_000))
    content = b":20:X\n:25:NL20INGB0001234567\n:60F:C261004EUR1,00\n:61:2610051005C1,00NTRFNONREF\n" + lines
    (entry,) = read(content)
    assert isinstance(entry, ParsedEntry)
    assert entry.remittance.startswith("Dossier 2026-000101 regel 0 Dossier 2026-000101 regel 1 ")
    assert len(entry.remittance) <= REMITTANCE_LENGTH


@pytest.mark.parametrize("amount", [b"9" * 20 + b",00", b"125.50"])
def test_an_amount_swift_does_not_allow_is_skipped_not_misread(amount):
    content = b":20:X\n:60F:C261004EUR1,00\n:61:2610051005C" + amount + b"NTRFNONREF\n:62F:C261005EUR1,00\n"
    (entry,) = read(content)
    assert isinstance(entry, SkippedEntry)
    assert "not a SWIFT amount" in entry.reason


def test_dashes_between_lines_do_not_grow_an_entry_without_bound():
    lines = b"".join(b"-\nregel %d\n" % number for number in range(5_000))
    content = b":20:X\n:60F:C261004EUR1,00\n:61:2610051005C1,00NTRFNONREF\n:86:Dossier 2026-000101\n" + lines
    (entry,) = read(content)
    assert isinstance(entry, ParsedEntry)
    assert entry.remittance.startswith("Dossier 2026-000101 - regel 0 - regel 1")


def test_a_tag_keeps_at_most_max_tag_lines():
    tag = _Tag("86")
    for number in range(MAX_TAG_LINES * 3):
        tag.add("-", ended_blank=False)
        tag.add(f"regel {number}", ended_blank=True)
    assert len(tag.lines) == MAX_TAG_LINES
    assert tag.lines[:2] == ["-", "regel 0 "]


@pytest.mark.parametrize(
    ("line", "value_date", "booking_date"),
    [
        (b"2612310102C1,00NTRF", datetime.date(2026, 12, 31), datetime.date(2027, 1, 2)),
        (b"2701021231C1,00NTRF", datetime.date(2027, 1, 2), datetime.date(2026, 12, 31)),
        # Two-digit years: 99 is 1999, not 2099 (a window of 50 years ahead of now).
        (b"9912310104C1,00NTRF", datetime.date(1999, 12, 31), datetime.date(2000, 1, 4)),
        (b"000103C1,00NTRF", datetime.date(2000, 1, 3), datetime.date(2000, 1, 3)),
    ],
)
def test_dates_across_the_new_year_and_the_century(line, value_date, booking_date):
    (entry,) = read(b":20:X\n:60F:C261004EUR1,00\n:61:" + line + b"NONREF\n")
    assert isinstance(entry, ParsedEntry)
    assert (entry.value_date, entry.booking_date) == (value_date, booking_date)


@pytest.mark.django_db
@settings(
    max_examples=30 * SCALE,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated(BASES))
@example(b":20:X\n:60F:C261004EUR1,00\n:61:2610051005C1,00NTRFNONREF\n:86:/NAME/J\x00ANSEN/REMI/2026-000101\n")
def test_a_damaged_statement_imports_or_is_refused_whole(cases, ledger, content):
    before = StatementEntry.objects.count()
    try:
        summary = statement_import(stream=io.BytesIO(content), filename="fuzz.sta")
    except StatementFileError:
        assert StatementEntry.objects.count() == before, "a refused file stored nothing"
        assert StatementImport.objects.latest("pk").status == ImportStatus.REFUSED
        return
    record = StatementImport.objects.get(pk=summary.import_id)
    assert record.status == ImportStatus.DONE


@pytest.mark.parametrize("encode", [lambda text: b"\xef\xbb\xbf" + text.encode(), lambda text: text.encode("utf-16")])
def test_a_byte_order_mark_does_not_hide_the_first_tag(encode):
    reader = statement_reader(io.BytesIO(encode(":20:STMT-BOM\n:25:NL20INGB0001234567\n:60F:C261004EUR1,00\n")))
    assert list(reader) == []
    assert reader.info.statement_id == "STMT-BOM"
