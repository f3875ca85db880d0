"""The case file: every contact in one log, and the 14-day letter as actually posted."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from incasso.communications.selectors import case_communications, case_letters, fourteen_day_letters_posted
from incasso.communications.services import LetterRequest, communication_log, letters_queue_bulk, print_batch_render
from incasso.communications.tests.conftest import POSTED

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
    assert log[0].letter.kind == "reminder_letter" and "RF" in log[0].summary
    assert log[1].actor == staff_user
    assert [letter.kind for letter in case_letters(case_id=letter_case.pk)] == ["reminder_letter"]


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
