"""How the lines of an ``:86:`` are joined back, per layout (the rule is in ``mt940_details``'s docstring).

The fixture ``mt940_wrapped_lines.sta`` (our own, CR LF line ends) breaks each layout's text the ways real files
do: at a fixed width mid-word, at a word whose space ends the line or starts the next, between items, and
inside numbered sub-fields (German ``?``, Polish ``~``).
"""

from __future__ import annotations

import io

import pytest

from incasso.payments.parsers import ParsedEntry, statement_reader
from incasso.payments.parsers.mt940_details import details_read
from incasso.payments.tests.conftest import fixture_bytes


@pytest.fixture(scope="module")
def entries() -> list[ParsedEntry]:
    read = list(statement_reader(io.BytesIO(fixture_bytes("mt940_wrapped_lines.sta"))))
    assert all(isinstance(entry, ParsedEntry) for entry in read), read
    return [entry for entry in read if isinstance(entry, ParsedEntry)]


def test_every_entry_is_read_and_the_balances_add_up(entries):
    assert len(entries) == 7
    # :60F: 1000,00 + the entries = :62F: 1400,00
    assert 100_000 + sum(entry.amount_cents for entry in entries) == 140_000


def test_a_space_at_the_end_of_a_cut_line_is_kept_between_the_words(entries):
    # ING cut its first line (61 characters after the tag) right after "EN": the space ended the line.
    assert entries[0].counterparty_name == "JANSEN EN ZONEN BV"
    assert entries[0].remittance == "Dossier 2026-000101 termijn 1"


def test_structured_text_cut_mid_word_at_the_width_is_joined_directly(entries):
    assert entries[1].counterparty_name == "Stichting Vrienden van het Oude Dorpshuis"
    assert entries[1].end_to_end_id == "E2E-WRAP-2"


def test_a_space_at_the_start_of_the_next_line_is_kept(entries):
    assert entries[2].counterparty_name == "P. Pieters"
    assert entries[2].remittance == "Betaling dossier 2026-000103 voor de maand oktober"


def test_free_text_items_are_separate_words_and_a_full_first_line_goes_on(entries):
    assert entries[3].remittance == "GIRO 428428 J JANSEN BETALINGSKENM. 2026000104 DOSSIER 2026-000104"
    # 61 characters after ":86:" fill ING's first line: "A" / "UGUSTUS" is one word.
    assert entries[4].remittance.startswith("BETALING VAN DE ACHTERSTALLIGE HUUR VOOR DE MAANDEN JULI EN AUGUSTUS ")


def test_german_sub_fields_full_ones_go_on_and_a_line_ending_in_a_space_ends_a_word(entries):
    assert entries[5].remittance == "Dossier 2026-000106 Rate Oktober"
    assert entries[5].counterparty_name == "Erika Mustermann und Max Mustermann"
    assert entries[5].counterparty_iban == "DE89370400440532013000"


def test_polish_tilde_sub_fields(entries):
    assert entries[6].counterparty_name == "JAN KOWALSKI"
    assert entries[6].counterparty_iban == "PL61109010140000071219812874"
    assert entries[6].remittance.startswith("Zaplata za dossier 2026-000107")


@pytest.mark.parametrize(
    ("lines", "field", "expected"),
    [
        # A first line of 62-64 characters is not full (ABN AMRO's columns): the next line is another item.
        (["GIRO   428428 KPN - DIGITENNE    BETALINGSKENM.  000000042188659", "5314606715"], "remittance", None),
        # PKO BP writes "^" between sub-fields.
        (["020^00PRZELEW^20Dossier 2026-000101^32ANNA NOWAK"], "counterparty_name", "ANNA NOWAK"),
        # Structured text: a break without white space is inside a word (ING's short cuts included), one that
        # ended in a space (kept by the reader) is between words.
        (["/REMI/Dossier 2026-000101/NAME/JANSEN", "BV"], "counterparty_name", "JANSENBV"),
        (["/REMI/Dossier 2026-000101/NAME/JANSEN ", "BV"], "counterparty_name", "JANSEN BV"),
        # Free text whose first line is padded with spaces: the padding ended an item.
        (["Dossier 2026-000101" + " " * 42, "J JANSEN"], "remittance", "Dossier 2026-000101 J JANSEN"),
    ],
)
def test_details_joins(lines, field, expected):
    details = details_read(lines)
    if expected is None:
        assert details[field].endswith("000000042188659 5314606715")
    else:
        assert details[field] == expected
