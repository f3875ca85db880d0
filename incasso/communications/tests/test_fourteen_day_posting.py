"""The 14-day term runs from the day the letter is really posted, never from the day it was queued (LEGAL.md §2)."""

from __future__ import annotations

import datetime

from incasso.cases.models import Case
from incasso.collection.daily_run import daily_run
from incasso.communications.models import Letter, LetterKind
from incasso.communications.selectors import fourteen_day_letters_posted
from incasso.communications.services import LetterRequest, letters_queue_bulk, print_batch_render
from incasso.domain.fourteen_day_letter import fourteen_day_term

QUEUED = datetime.date(2024, 8, 26)  # Monday D
PRINTED = QUEUED + datetime.timedelta(days=3)  # Thursday D+3 (the POSTED date of LEGAL.md §2's worked example)


def test_queued_on_d_printed_on_d_plus_3_the_term_and_costs_follow_d_plus_3(letter_case):
    letters_queue_bulk(requests=[LetterRequest(case_id=letter_case.pk, kind="fourteen_day_letter")], on=QUEUED)
    letter_case.refresh_from_db()
    assert (letter_case.fourteen_day_letter_posted_on, letter_case.costs_due_from) == (None, None)

    assert print_batch_render(on=PRINTED) is not None
    letter = Letter.objects.get(case=letter_case, kind=LetterKind.FOURTEEN_DAY_LETTER)
    assert letter.posted_on == PRINTED
    # Posted Thursday 29 August 2024: received Saturday 31 August, last day Monday 16 September (LEGAL.md §2).
    assert letter.data["fourteen_day"]["last_day_iso"] == "2024-09-16"
    assert fourteen_day_term(PRINTED).term_last_day == datetime.date(2024, 9, 16)
    assert fourteen_day_term(QUEUED).term_last_day < datetime.date(2024, 9, 16)  # D would have been too early
    letter_case.refresh_from_db()
    assert letter_case.fourteen_day_letter_posted_on == PRINTED
    assert letter_case.costs_due_from == datetime.date(2024, 9, 17)
    assert fourteen_day_letters_posted(case_ids=[letter_case.pk]) == {
        letter_case.pk: (PRINTED, datetime.date(2024, 9, 16))
    }


def test_the_daily_run_queues_the_letter_without_starting_the_term(letter_case):
    Case.objects.filter(pk=letter_case.pk).update(next_measure_on=None)
    daily_run(on=QUEUED)
    letter_case.refresh_from_db()
    letter = Letter.objects.get(case=letter_case)
    assert (letter.kind, letter.posted_on) == (LetterKind.FOURTEEN_DAY_LETTER, None)
    # Queued, not posted: no term yet, so the guard cannot let the case leave the formal demand on it.
    assert (letter_case.stage, letter_case.costs_due_from) == ("formal_demand", None)
    print_batch_render(on=PRINTED)
    letter_case.refresh_from_db()
    assert (letter_case.fourteen_day_letter_posted_on, letter_case.costs_due_from) == (
        PRINTED,
        datetime.date(2024, 9, 17),
    )
