"""A refused form in the back office comes back with what was typed and why (status 400), not a redirect that
loses both (found walking the pages in a browser): matching an unmatched payment, recording a decision review."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from incasso.accounts.roles import Role
from incasso.backoffice.tests.conftest import ENGLISH, login_as
from incasso.decisions.factories import strategy_inputs
from incasso.decisions.services import decision_contest, decisions_decide_bulk
from incasso.payments.models import EntryStatus, StatementEntry
from incasso.payments.services import statement_import
from incasso.payments.tests.conftest import camt, camt_entry

pytestmark = pytest.mark.django_db

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}


@pytest.fixture
def unmatched_entry(two_teams):
    statement = camt(camt_entry("75.50", ref="U-1", ustrd="betaling factuur"))
    statement_import(stream=io.BytesIO(statement), filename="statement.xml")
    return StatementEntry.objects.get(status=EntryStatus.UNMATCHED)


@pytest.fixture
def finance(client, two_teams):
    return login_as(client, "finance@example.com", Role.FINANCE)


def test_an_unknown_case_number_keeps_the_number_beside_the_payment(finance, unmatched_entry):
    url = reverse("backoffice:unmatched-match", args=[unmatched_entry.pk])
    response = finance.post(url, {"case_number": "2026-999999"}, **ENGLISH)
    assert response.status_code == 400
    page = response.content.decode()
    row = page.split(f'id="match-{unmatched_entry.pk}"')[0].rsplit("<form", 1)[1]
    assert "There is no case 2026-999999." in row
    assert 'value="2026-999999"' in page.split(f'id="match-{unmatched_entry.pk}"')[1].split(">")[0]
    unmatched_entry.refresh_from_db()
    assert unmatched_entry.status == EntryStatus.UNMATCHED


def test_an_empty_case_number_says_what_to_enter_in_dutch(finance, unmatched_entry):
    url = reverse("backoffice:unmatched-match", args=[unmatched_entry.pk])
    response = finance.post(url, {"case_number": ""}, **DUTCH)
    assert response.status_code == 400
    assert response.context["match_form"].errors["case_number"]
    assert "Enter the number" not in response.content.decode()


@pytest.fixture
def contested(client, two_teams):
    collector = login_as(client, "collector@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])
    case = two_teams["our_case"]
    decision = decisions_decide_bulk(inputs=[strategy_inputs(case)], on=timezone.localdate())[case.pk]
    decision_contest(decision=decision, reason="Ik heb al betaald.")
    url = reverse("backoffice:case-decision-review", args=[case.pk, decision.pk])
    return collector, decision, url


def test_a_too_long_review_says_it_is_too_long_and_keeps_the_text(contested):
    collector, decision, url = contested
    text = "Betaling gevonden. " * 120  # 2,280 characters
    response = collector.post(url, {"outcome": text}, **ENGLISH)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Keep the review to at most 2000 characters" in page
    assert "Say what the review concluded" not in page
    assert text.strip() in page
    decision.refresh_from_db()
    assert decision.reviewed_at is None


def test_an_empty_review_asks_for_the_conclusion_in_dutch(contested):
    collector, decision, url = contested
    response = collector.post(url, {"outcome": ""}, **DUTCH)
    assert response.status_code == 400
    assert response.context["review_decision"] == decision.pk
    assert "Say what the review concluded" not in response.content.decode()
    decision.refresh_from_db()
    assert decision.reviewed_at is None
