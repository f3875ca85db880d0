"""A letter on demand from the case page: queued through communications, with the daily run's guards."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from incasso.accounts.roles import Role
from incasso.audit.models import AuditAction, AuditEvent
from incasso.backoffice.tests.conftest import ENGLISH, login_as
from incasso.cases.factories import CaseFactory
from incasso.cases.services import case_hold_place
from incasso.communications.models import Letter, LetterKind
from incasso.domain.case_lifecycle import HoldKind
from incasso.domain.case_stages import ClosedReason, Stage
from incasso.parties.factories import DebtorFactory
from incasso.parties.models import DebtorKind

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TUESDAY_MORNING = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=AMSTERDAM)
SATURDAY_NIGHT = datetime.datetime(2026, 3, 14, 22, 0, tzinfo=AMSTERDAM)


def _send(http, case, kind, language="nl"):
    url = reverse("backoffice:case-letter-send", args=[case.pk])
    return http.post(url, {"kind": kind, "language": language}, follow=True, **ENGLISH)


def _shown(response):
    return " ".join(str(message) for message in response.context["messages"])


@time_machine.travel(TUESDAY_MORNING, tick=False)
def test_the_case_page_offers_the_form_and_a_reminder_is_queued_for_today(collector_client, two_teams):
    case = two_teams["our_case"]
    page = collector_client.get(reverse("backoffice:case-detail", args=[case.pk]), **ENGLISH)
    assert b"data-letter-on-demand" in page.content
    response = _send(collector_client, case, LetterKind.REMINDER.value)
    assert response.status_code == 200
    letter = Letter.objects.get(case=case)
    assert (letter.kind, letter.planned_for) == (LetterKind.REMINDER.value, datetime.date(2026, 3, 10))
    assert "queued for posting" in _shown(response)
    event = AuditEvent.objects.filter(action=AuditAction.CREATE, details__case=case.number).get()
    assert event.details["letter"] == LetterKind.REMINDER.value


@time_machine.travel(TUESDAY_MORNING, tick=False)
def test_a_double_click_queues_one_letter(collector_client, two_teams):
    case = two_teams["our_case"]
    _send(collector_client, case, LetterKind.DEMAND_LETTER.value)
    response = _send(collector_client, case, LetterKind.DEMAND_LETTER.value)
    assert Letter.objects.filter(case=case).count() == 1
    assert "already queued" in _shown(response)


@time_machine.travel(SATURDAY_NIGHT, tick=False)
def test_outside_contact_hours_the_letter_waits_for_the_next_contact_day(collector_client, two_teams):
    """Saturday 22:00: not Saturday (too late), not Sunday (no contact): Monday."""
    _send(collector_client, two_teams["our_case"], LetterKind.REMINDER.value)
    assert Letter.objects.get().planned_for == datetime.date(2026, 3, 16)


@time_machine.travel(TUESDAY_MORNING, tick=False)
def test_no_fourteen_day_letter_for_a_business_debtor(collector_client, two_teams):
    case = CaseFactory(debtor=DebtorFactory(client=two_teams["ours"], company=True), number="2026-000103")
    assert case.debtor.kind == DebtorKind.COMPANY
    response = _send(collector_client, case, LetterKind.FOURTEEN_DAY_LETTER.value)
    assert "consumers only" in _shown(response)
    assert not Letter.objects.exists()


@time_machine.travel(TUESDAY_MORNING, tick=False)
def test_a_consumer_gets_the_fourteen_day_letter(collector_client, two_teams):
    _send(collector_client, two_teams["our_case"], LetterKind.FOURTEEN_DAY_LETTER.value)
    assert Letter.objects.get().kind == LetterKind.FOURTEEN_DAY_LETTER.value


@time_machine.travel(TUESDAY_MORNING, tick=False)
def test_no_letter_while_the_case_is_on_hold(collector_client, two_teams):
    case = two_teams["our_case"]
    case_hold_place(case=case, kind=HoldKind.DISPUTE, reason="contested")
    response = _send(collector_client, case, LetterKind.REMINDER.value)
    assert "on hold (dispute)" in _shown(response)
    assert not Letter.objects.exists()


@time_machine.travel(TUESDAY_MORNING, tick=False)
def test_no_letter_on_a_closed_case(collector_client, two_teams):
    case = two_teams["our_case"]
    case.stage, case.closed_reason, case.closed_on = Stage.CLOSED.value, ClosedReason.PAID.value, case.opened_on
    case.save()
    assert "closed" in _shown(_send(collector_client, case, LetterKind.DEMAND_LETTER.value))
    assert not Letter.objects.exists()


@time_machine.travel(TUESDAY_MORNING, tick=False)
def test_no_notice_of_legal_steps_before_the_case_may_go_to_legal(collector_client, two_teams):
    response = _send(collector_client, two_teams["our_case"], LetterKind.LEGAL_NOTICE.value)
    assert "Legal steps are not possible yet" in _shown(response)
    assert not Letter.objects.exists()


@time_machine.travel(TUESDAY_MORNING, tick=False)
def test_no_arrangement_confirmation_without_an_arrangement(collector_client, two_teams):
    response = _send(collector_client, two_teams["our_case"], LetterKind.ARRANGEMENT_CONFIRMATION.value)
    assert "no payment arrangement" in _shown(response)
    assert not Letter.objects.exists()


@pytest.mark.parametrize("kind", ["nope", "", "reminder_letter\x00"])
def test_a_kind_that_does_not_exist_is_refused(collector_client, two_teams, kind):
    response = _send(collector_client, two_teams["our_case"], kind)
    assert "Choose a letter" in _shown(response)
    assert not Letter.objects.exists()


def test_another_teams_case_answers_404(collector_client, two_teams):
    response = _send(collector_client, two_teams["their_case"], LetterKind.REMINDER.value)
    assert response.status_code == 404
    assert not Letter.objects.exists()


@pytest.mark.parametrize("role", [Role.FINANCE, Role.AUDITOR])
def test_roles_that_do_not_write_to_debtors_get_no_form_and_no_letter(client, two_teams, role):
    http = login_as(client, "someone@example.com", role)
    case = two_teams["our_case"]
    page = http.get(reverse("backoffice:case-detail", args=[case.pk]), **ENGLISH)
    assert page.status_code == 200
    assert b"data-letter-on-demand" not in page.content
    assert _send(http, case, LetterKind.REMINDER.value).status_code == 403
    assert not Letter.objects.exists()


@time_machine.travel(TUESDAY_MORNING, tick=False)
def test_the_form_and_the_refusal_speak_dutch(collector_client, two_teams):
    case = two_teams["our_case"]
    page = collector_client.get(reverse("backoffice:case-detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="nl")
    assert "Nu een brief sturen" in page.content.decode()
    url = reverse("backoffice:case-letter-send", args=[case.pk])
    response = collector_client.post(
        url,
        {"kind": LetterKind.ARRANGEMENT_CONFIRMATION.value, "language": "nl"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert "geen lopende betalingsregeling" in _shown(response)
