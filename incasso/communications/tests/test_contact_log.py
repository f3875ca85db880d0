"""The case file: every contact in one log, and the 14-day letter as actually posted."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.utils import translation

from incasso.communications.contact_notes import contacts_shown
from incasso.communications.models import Communication
from incasso.communications.selectors import case_communications, case_letters, fourteen_day_letters_posted
from incasso.communications.services import LetterRequest, communication_log, letters_queue_bulk, print_batch_render
from incasso.communications.tests.conftest import POSTED
from incasso.domain import wording
from incasso.domain.money import Money

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_calls_and_letters_share_the_case_log(letter_case, staff_user):
    letters_queue_bulk(requests=[LetterRequest(case_id=letter_case.pk, kind="reminder_letter")], on=POSTED)
    print_batch_render(on=POSTED)
    communication_log(
        case_id=letter_case.pk,
        channel="call",
        direction="in",
        occurred_at=datetime.datetime(2099, 1, 2, 10, 0, tzinfo=AMSTERDAM),
        subject="Debtor called about the letter",
        summary="Asks for a payment plan of 3 months.",
        actor_id=staff_user.pk,
    )
    log = case_communications(case_id=letter_case.pk)
    assert [(c.channel, c.direction) for c in log] == [("letter", "out"), ("call", "in")]
    assert log[0].letter.kind == "reminder_letter" and log[0].summary == ""  # worded when shown (contact_notes)
    assert log[1].actor == staff_user
    assert [letter.kind for letter in case_letters(case_id=letter_case.pk)] == ["reminder_letter"]


def test_a_letters_line_is_worded_in_the_readers_language_from_the_letter(letter_case):
    letters_queue_bulk(requests=[LetterRequest(case_id=letter_case.pk, kind="reminder_letter")], on=POSTED)
    print_batch_render(on=POSTED)
    log = case_communications(case_id=letter_case.pk)
    letter = log[0].letter
    total = Money(int(letter.data["cents"]["total"]))
    pay_by = datetime.date.fromisoformat(letter.data["pay_by_iso"])
    with translation.override("nl"):
        (dutch,) = contacts_shown(log)
        assert dutch.subject == str(letter.get_kind_display())
    assert f"op de post gedaan op {wording.date_text(POSTED, 'nl')} in printbatch {letter.batch_id}" in dutch.note
    assert f"Totaal {wording.money_screen(total, 'nl')}." in dutch.note
    assert f"Te betalen uiterlijk {wording.date_text(pay_by, 'nl')}." in dutch.note
    assert letter.rf_reference in dutch.note
    assert POSTED.isoformat() not in dutch.note and "reminder_letter" not in dutch.note
    with translation.override("en"):
        (english,) = contacts_shown(log)
    assert f"Written in {'Dutch' if letter.language == 'nl' else 'English'}" in english.note
    assert f"posted on {wording.date_text(POSTED, 'en')}" in english.note


def test_a_line_logged_before_as_an_english_sentence_is_worded_from_its_letter(letter_case):
    letters_queue_bulk(requests=[LetterRequest(case_id=letter_case.pk, kind="reminder_letter")], on=POSTED)
    print_batch_render(on=POSTED)
    stored = "reminder_letter (nl, template v1) posted on 2024-08-29 in print batch 1: total € 1,00, pay by x"
    Communication.objects.filter(case=letter_case).update(summary=stored)
    with translation.override("nl"):
        (shown,) = contacts_shown(case_communications(case_id=letter_case.pk))
    assert "2024-08-29" not in shown.note and "op de post gedaan op" in shown.note


def test_a_contact_without_a_letter_shows_what_was_written(letter_case, staff_user):
    communication_log(
        case_id=letter_case.pk,
        channel="call",
        direction="in",
        occurred_at=datetime.datetime(2099, 1, 2, 10, 0, tzinfo=AMSTERDAM),
        subject="Belde over de brief",
        summary="Vraagt om een regeling.",
        actor_id=staff_user.pk,
    )
    (shown,) = contacts_shown(case_communications(case_id=letter_case.pk))
    assert (shown.subject, shown.note) == ("Belde over de brief", "Vraagt om een regeling.")


def test_the_fourteen_day_letter_as_posted(letter_case):
    # Planned on the 28th, printed on the 29th: the term follows the day it was actually posted.
    letters_queue_bulk(
        requests=[LetterRequest(case_id=letter_case.pk, kind="fourteen_day_letter")],
        on=POSTED - datetime.timedelta(days=1),
    )
    assert fourteen_day_letters_posted(case_ids=[letter_case.pk]) == {}
    print_batch_render(on=POSTED)
    assert fourteen_day_letters_posted(case_ids=[letter_case.pk]) == {
        letter_case.pk: (POSTED, datetime.date(2024, 9, 16))
    }
