from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from incasso.arrangements.models import ArrangementStatus
from incasso.arrangements.reminders import instalment_reminders_send
from incasso.arrangements.services import instalments_settle, reminder_key
from incasso.arrangements.tests.conftest import owing_case, pay, propose
from incasso.audit.models import AuditEvent
from incasso.cases.models import Measure, MeasureStatus
from incasso.cases.services import case_hold_place
from incasso.communications.models import Communication
from incasso.domain.case_lifecycle import HoldKind
from incasso.domain.contact import AMSTERDAM

pytestmark = pytest.mark.django_db

# Three days before the first instalment (15 October 2026), a Monday morning: within the Wki contact hours.
REMINDER_DAY = datetime.datetime(2026, 10, 12, 10, 0, tzinfo=AMSTERDAM)


def _reminder(plan, number: int = 1) -> Measure:
    return Measure.objects.get(idempotency_key=reminder_key(plan.instalments.get(number=number).pk))


def test_the_reminder_goes_out_three_days_before_the_instalment_once(creditor):
    case = owing_case(creditor, principal_cents=60_000)
    plan = propose(case, months=6)

    summary = instalment_reminders_send(now=REMINDER_DAY)

    assert (summary.sent, summary.cancelled) == (1, 0)
    (message,) = mail.outbox
    assert message.to == [case.debtor.email]
    assert case.number in message.body and "100,00" in message.body and "15 oktober 2026" in message.body
    assert "RF" in message.body
    assert _reminder(plan).status == MeasureStatus.DONE
    assert _reminder(plan, 2).status == MeasureStatus.PLANNED  # not yet due
    assert Communication.objects.filter(case=case, subject="instalment reminder").count() == 1
    assert AuditEvent.objects.filter(subject_id=str(case.debtor_id), details__instalment_reminder__isnull=False)

    again = instalment_reminders_send(now=REMINDER_DAY + datetime.timedelta(hours=1))
    assert again.sent == 0 and len(mail.outbox) == 1


def test_no_reminder_at_night_nor_for_a_paid_instalment_nor_a_case_on_hold(creditor):
    paid_case, held_case = owing_case(creditor), owing_case(creditor)
    paid_plan, held_plan = propose(paid_case, months=6), propose(held_case, months=6)
    pay(paid_case, 10_000, datetime.date(2026, 10, 10), "early")
    instalments_settle(on=datetime.date(2026, 10, 10))
    case_hold_place(case=held_case, kind=HoldKind.RESTRICTION, reason="art. 18 GDPR")

    night = instalment_reminders_send(now=REMINDER_DAY.replace(hour=21))
    assert night.sent == 0 and night.wait_until is not None and night.wait_until.hour == 7
    assert _reminder(paid_plan).status == MeasureStatus.PLANNED

    summary = instalment_reminders_send(now=REMINDER_DAY)
    assert (summary.sent, summary.cancelled) == (0, 2)
    assert not mail.outbox
    assert _reminder(paid_plan).status == _reminder(held_plan).status == MeasureStatus.CANCELLED


def test_a_broken_plan_sends_no_more_reminders(creditor):
    case = owing_case(creditor)
    plan = propose(case, months=3)
    plan.status = ArrangementStatus.BROKEN
    plan.save(update_fields=["status"])
    assert instalment_reminders_send(now=REMINDER_DAY).cancelled == 1
    assert not mail.outbox


def test_a_failing_mail_server_leaves_the_reminder_planned(creditor, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens there
    plan = propose(owing_case(creditor), months=6)
    with pytest.raises(ConnectionRefusedError):
        instalment_reminders_send(now=REMINDER_DAY)
    assert _reminder(plan).status == MeasureStatus.PLANNED and _reminder(plan).done_at is None


def test_sending_takes_a_fixed_number_of_queries_per_reminder(creditor, django_assert_max_num_queries):
    for _ in range(5):
        propose(owing_case(creditor), months=3)
    # 5 reads + one claim per reminder + the record (communications, audit chain).
    with django_assert_max_num_queries(5 + 5 + 8):
        assert instalment_reminders_send(now=REMINDER_DAY).sent == 5


def test_the_command_prints_what_it_did(creditor, capsys):
    propose(owing_case(creditor), months=3)
    with time_machine.travel(REMINDER_DAY, tick=False):
        call_command("instalment-reminders")
    assert json.loads(capsys.readouterr().out) == {"sent": 1, "cancelled": 0, "wait_until": None}
    with pytest.raises(SystemExit) as exit_info:
        call_command("instalment-reminders", "--batch", "0")
    assert exit_info.value.code == 2


def test_the_scheduled_task_sends_the_same_way(creditor):
    from incasso.arrangements.tasks import instalment_reminders_task

    propose(owing_case(creditor), months=3)
    with time_machine.travel(REMINDER_DAY, tick=False):
        assert instalment_reminders_task() == {"sent": 1, "cancelled": 0, "wait_until": None}
