"""The portal code is printed once, stored as a keyed hash, and opens only its own case."""

from __future__ import annotations

import re

import pytest

from incasso.communications import portal_codes
from incasso.communications.models import Letter, PortalAccessCode
from incasso.communications.services import (
    LetterRequest,
    letters_queue_bulk,
    portal_code_verify,
    print_batch_render,
)
from incasso.communications.tests.conftest import POSTED, pdf_text


@pytest.fixture
def printed_code(letter_case, settings):
    letters_queue_bulk(requests=[LetterRequest(case_id=letter_case.pk, kind="reminder_letter")], on=POSTED)
    batch = print_batch_render(on=POSTED)
    text = pdf_text((settings.INCASSO_MEDIA_DIR / batch.pdf_path).read_bytes())
    return re.search(r"Uw inlogcode ([A-Z0-9]{4}-[A-Z0-9]{4})", text).group(1)


def test_the_printed_code_opens_its_case(letter_case, printed_code):
    assert portal_code_verify(case_number="2024-000123", code=printed_code) == letter_case
    # As people type it: lower case, without the dash, with spaces around.
    assert (
        portal_code_verify(case_number=" 2024-000123 ", code=f" {printed_code.replace('-', '').lower()} ")
        == letter_case
    )


def test_a_wrong_code_or_case_opens_nothing(letter_case, printed_code):
    wrong = ("A" if printed_code[0] != "A" else "B") + printed_code[1:]
    assert portal_code_verify(case_number="2024-000123", code=wrong) is None
    assert portal_code_verify(case_number="2024-000124", code=printed_code) is None
    assert portal_code_verify(case_number="2024-000123", code="") is None


def test_only_a_hash_is_stored(letter_case, printed_code):
    stored = PortalAccessCode.objects.get(letter=Letter.objects.get(case=letter_case)).code_hash
    assert printed_code.replace("-", "") not in stored
    assert stored.startswith("hmac-sha256$")


def test_a_revoked_code_opens_nothing(letter_case, printed_code):
    PortalAccessCode.objects.update(revoked_at=letter_case.created_at)
    assert portal_code_verify(case_number="2024-000123", code=printed_code) is None


def test_codes_survive_a_key_rotation(settings):
    code = portal_codes.portal_code_generate()
    stored = portal_codes.portal_code_hash(code)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" + "x" * 40
    assert portal_codes.portal_code_matches(code, stored)
    settings.SECRET_KEY_FALLBACKS = []
    assert not portal_codes.portal_code_matches(code, stored)


def test_codes_use_the_unambiguous_alphabet():
    codes = {portal_codes.portal_code_generate() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 8 and set(c) <= set(portal_codes.ALPHABET) for c in codes)
    assert not set(portal_codes.ALPHABET) & set("01ILO")
