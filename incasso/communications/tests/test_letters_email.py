"""``incasso letters-email``: queued e-mail letters go out in batches over one SMTP connection, inside the Wki
contact hours only, never for a case on hold, and never twice."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends import smtp
from django.core.management import call_command

from config.celery import app
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.cases.models import CaseHold, HoldKindChoices
from incasso.communications.emailing import letters_email_send_due
from incasso.communications.models import Communication, Letter, LetterStatus
from incasso.communications.services import LetterRequest, letters_queue_bulk
from incasso.communications.tasks import letters_email_task
from incasso.communications.tests.conftest import POSTED
from incasso.communications.tests.test_email import AMSTERDAM, MONDAY_10, smtp_server  # noqa: F401 - the fixture
from incasso.parties.factories import DebtorFactory

SUNDAY_NOON = datetime.datetime(2024, 9, 8, 12, 0, tzinfo=AMSTERDAM)


@pytest.fixture
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = True, False


def _queue(case, kind="reminder_letter", channel="email"):
    letters_queue_bulk(requests=[LetterRequest(case_id=case.pk, kind=kind, channel=channel)], on=POSTED)
    return Letter.objects.get(case=case, kind=kind)


def _another_case(letter_case, number, **debtor):
    case = CaseFactory(
        debtor=DebtorFactory(
            client=letter_case.client, **{"email": "piet@example.com", "postcode": "1012 AB", **debtor}
        ),
        number=number,
        opened_on=datetime.date(2024, 8, 1),
    )
    ClaimFactory(
        case=case,
        invoice_date=datetime.date(2024, 6, 1),
        due_date=datetime.date(2024, 7, 1),
        principal_cents=30_000,
    )
    return case


def _run_command(*args):
    out = StringIO()
    call_command("letters-email", *args, stdout=out)
    return json.loads(out.getvalue())


def test_due_email_letters_go_out_once_and_held_cases_and_post_wait(letter_case, locmem):
    emailed = _queue(letter_case)
    posted = _queue(letter_case, kind="demand_letter", channel="post")
    held_case = _another_case(letter_case, "2024-000124")
    held = _queue(held_case)
    CaseHold.objects.create(case=held_case, kind=HoldKindChoices.RESTRICTION, reason="art. 18 AVG")
    with time_machine.travel(MONDAY_10, tick=False):
        first = _run_command()
        second = _run_command()
    assert first == {"sent": 1, "held": 1, "failed": [], "wait_until": None, "error": ""}
    assert second["sent"] == 0  # idempotent: nothing is sent twice
    [message] = mail.outbox
    assert message.to == ["jan@example.com"] and "2024-000123" in message.subject
    emailed.refresh_from_db(), posted.refresh_from_db(), held.refresh_from_db()
    assert (emailed.status, emailed.posted_on) == (LetterStatus.SENT, MONDAY_10.date())
    assert Communication.objects.filter(letter=emailed, channel="email").count() == 1
    assert (posted.status, held.status) == (LetterStatus.QUEUED, LetterStatus.QUEUED)
    assert held.sent_at is None


def test_outside_the_contact_hours_nothing_goes_and_the_run_says_when(letter_case, locmem):
    letter = _queue(letter_case)
    run = letters_email_send_due(now=SUNDAY_NOON)
    assert run.sent == 0 and run.wait_until == datetime.datetime(2024, 9, 9, 7, 0, tzinfo=AMSTERDAM)
    assert mail.outbox == []
    letter.refresh_from_db()
    assert letter.status == LetterStatus.QUEUED


def test_a_letter_without_an_address_fails_with_the_reason_and_the_rest_goes(letter_case, locmem):
    nobody = _queue(_another_case(letter_case, "2024-000125", email=""))
    _queue(letter_case)
    run = letters_email_send_due(now=MONDAY_10)
    assert run.sent == 1
    assert run.failed == [{"letter": nobody.pk, "error": f"the debtor of letter {nobody.pk} has no e-mail address"}]
    nobody.refresh_from_db()
    assert nobody.status == LetterStatus.FAILED and "no e-mail address" in nobody.error
    assert letters_email_send_due(now=MONDAY_10).failed == []  # a failed letter is not tried again


def test_a_batch_goes_over_one_starttls_connection_and_the_limit_leaves_the_rest(
    letter_case,
    smtp_server,  # noqa: F811 - the SMTP double fixture, imported
    monkeypatch,
):
    connections = []
    open_connection = smtp.EmailBackend.open

    def counting_open(backend):
        opened = open_connection(backend)
        if opened:  # True only when a new SMTP session was started
            connections.append(backend)
        return opened

    monkeypatch.setattr(smtp.EmailBackend, "open", counting_open)
    for number in ("2024-000126", "2024-000127"):
        _queue(_another_case(letter_case, number))
    _queue(letter_case)
    first = letters_email_send_due(now=MONDAY_10, batch_size=2)
    assert first.sent == 2 and len(connections) == 1
    assert len(smtp_server.messages) == 2 and all(encrypted for _message, encrypted in smtp_server.messages)
    second = letters_email_send_due(now=MONDAY_10, batch_size=2)
    assert second.sent == 1 and len(connections) == 2
    assert letters_email_send_due(now=MONDAY_10).sent == 0 and len(connections) == 2  # no letters, no connection
    assert Letter.objects.filter(status=LetterStatus.SENT).count() == 3


def test_the_task_runs_the_same_service_and_beat_schedules_it(letter_case, locmem):
    _queue(letter_case)
    with time_machine.travel(MONDAY_10, tick=False):
        assert letters_email_task() == {"sent": 1, "held": 0, "failed": [], "wait_until": None, "error": ""}
    assert len(mail.outbox) == 1
    entry = app.conf.beat_schedule["letters-email"]
    assert entry["task"] == letters_email_task.name


def test_a_batch_below_one_is_refused(db):
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("letters-email", "--batch", "0", stdout=out)
    assert exit_.value.code == 2 and json.loads(out.getvalue())["field"] == "batch"
