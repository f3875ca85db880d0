"""A letter asked for by hand: the daily run's guards (``letter_refusal``, no database) and the one audited queue
(``letter_on_demand_queue``). The case page's form and messages are tested in the back office."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from incasso.audit.models import AuditAction, AuditEvent
from incasso.communications.models import Letter, LetterKind
from incasso.communications.on_demand import LetterRefused, letter_on_demand_queue, letter_refusal
from incasso.domain.case_lifecycle import CaseFacts, HoldKind
from incasso.domain.case_stages import Stage

TUESDAY_MORNING = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
TODAY = TUESDAY_MORNING.date()


@pytest.fixture(autouse=True)
def _english():
    """The reasons are read in English here; the Dutch ones are checked through the case page."""
    with translation.override("en"):
        yield


def _facts(**changes):
    values = {"stage": Stage.REMINDER, "consumer": True, "today": TODAY, **changes}
    return CaseFacts(**values)


def _refusal(kind, *, has_arrangement=False, **changes):
    reason = letter_refusal(_facts(**changes), kind, has_arrangement=has_arrangement)
    return None if reason is None else str(reason)


def test_an_open_consumer_case_may_get_a_reminder():
    assert _refusal(LetterKind.REMINDER) is None


@pytest.mark.parametrize(
    ("kind", "changes", "expected"),
    [
        (LetterKind.REMINDER, {"stage": Stage.CLOSED}, "closed"),
        (LetterKind.REMINDER, {"holds": frozenset({HoldKind.DISPUTE})}, "on hold (dispute)"),
        (LetterKind.DEMAND_LETTER, {"allowed_measures": frozenset({LetterKind.REMINDER.value})}, "does not allow"),
        (LetterKind.FOURTEEN_DAY_LETTER, {"consumer": False}, "consumers only"),
        (LetterKind.LEGAL_NOTICE, {}, "Legal steps are not possible yet"),
        (LetterKind.ARRANGEMENT_CONFIRMATION, {}, "no payment arrangement"),
    ],
)
def test_each_guard_refuses_with_its_reason(kind, changes, expected):
    assert expected in _refusal(kind, **changes)


def test_a_closed_case_is_refused_before_anything_else():
    assert "closed" in _refusal(LetterKind.FOURTEEN_DAY_LETTER, stage=Stage.CLOSED, consumer=False)


def test_a_legal_notice_needs_no_move_once_legal_steps_are_under_way():
    assert _refusal(LetterKind.LEGAL_NOTICE, stage=Stage.LEGAL) is None


def test_an_arrangement_in_force_may_be_confirmed():
    assert _refusal(LetterKind.ARRANGEMENT_CONFIRMATION, has_arrangement=True) is None


@pytest.fixture
def collector(db):
    return User.objects.create_user("collector@example.com")


def _queue(case, kind, actor):
    return letter_on_demand_queue(case=case, kind=kind, language="nl", actor=actor, now=TUESDAY_MORNING, source="test")


def test_the_letter_is_queued_once_and_each_request_audited(letter_case, collector):
    first = _queue(letter_case, LetterKind.REMINDER.value, collector)
    again = _queue(letter_case, LetterKind.REMINDER.value, collector)
    assert (first.planned_for, first.new, again.new) == (TODAY, True, False)
    assert Letter.objects.get(case=letter_case).kind == LetterKind.REMINDER.value
    events = AuditEvent.objects.filter(action=AuditAction.CREATE, details__case=letter_case.number)
    assert [event.details["new"] for event in events.order_by("pk")] == [True, False]
    assert {event.details["letter"] for event in events} == {LetterKind.REMINDER.value}


def test_a_refused_letter_is_neither_queued_nor_audited(letter_case, collector):
    with pytest.raises(LetterRefused, match="Legal steps are not possible yet") as refused:
        _queue(letter_case, LetterKind.LEGAL_NOTICE.value, collector)
    assert "Legal steps" in str(refused.value.reason)
    assert not Letter.objects.exists()
    assert not AuditEvent.objects.filter(details__case=letter_case.number).exists()
