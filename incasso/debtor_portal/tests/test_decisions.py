"""Automated decisions on the debtor's case page (GDPR art. 22, C-6): what was decided, why in plain language, and a
person's review on request, for the debtor's own case only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from incasso.accounts.factories import UserFactory
from incasso.audit.models import AuditAction, AuditEvent
from incasso.cases.models import StaffTask, TaskKind
from incasso.debtor_portal.tests.conftest import issue_code, owing_case
from incasso.decisions.factories import strategy_inputs
from incasso.decisions.models import Decision
from incasso.decisions.services import decision_review_record, decisions_decide_bulk
from incasso.domain.wording import explanation_text


def _decide(case) -> Decision:
    return decisions_decide_bulk(inputs=[strategy_inputs(case)], on=timezone.localdate())[case.pk]


def _case_page(http, case, language: str) -> str:
    return http.get(reverse("debtor_portal:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def _review_url(case, decision) -> str:
    return reverse("debtor_portal:decision-review", args=[case.pk, decision.pk])


@pytest.fixture
def other_case(energy):
    case = owing_case(energy, number="2026-000999", surname="Anderman")
    issue_code(case, "WXYZ6789")
    return case


def test_the_case_page_lists_the_decisions_with_their_explanation_in_the_readers_language(debtor_client, portal_case):
    decision = _decide(portal_case)
    english = _case_page(debtor_client, portal_case, "en")
    dutch = _case_page(debtor_client, portal_case, "nl")
    shown_en, shown_nl = explanation_text(decision.explanation_en), explanation_text(decision.explanation_nl)
    assert shown_en in english and shown_nl not in english
    assert shown_nl in dutch and shown_en not in dutch
    assert "Ask a person to review this decision" in english
    assert "Vraag een mens om dit besluit te bekijken" in dutch
    assert _review_url(portal_case, decision) in english


def test_asking_for_a_review_contests_the_decision_once_and_the_page_says_it_is_under_review(
    debtor_client, portal_case
):
    decision = _decide(portal_case)
    response = debtor_client.post(
        _review_url(portal_case, decision), {"reason": "Ik heb al betaald."}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.contested_at is not None and decision.contest_reason == "Ik heb al betaald."
    task = StaffTask.objects.get(kind=TaskKind.HUMAN_REVIEW, case=portal_case)
    assert decision.review_task == task and "Ik heb al betaald." in task.details
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, actor_label=f"debtor-portal:{portal_case.debtor_id}", details__decision=decision.pk
    ).exists()
    confirmed = debtor_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "A person will review this decision" in confirmed
    assert "The review is under way" in confirmed
    assert _review_url(portal_case, decision) not in confirmed
    debtor_client.post(_review_url(portal_case, decision), {"reason": "Nogmaals."})
    assert StaffTask.objects.filter(kind=TaskKind.HUMAN_REVIEW, case=portal_case).count() == 1


def test_the_outcome_of_the_review_is_shown(debtor_client, portal_case):
    decision = _decide(portal_case)
    debtor_client.post(_review_url(portal_case, decision), {"reason": ""})
    decision_review_record(decision=decision, outcome="Betaling gevonden; brief geannuleerd.", actor=UserFactory())
    page = _case_page(debtor_client, portal_case, "en")
    assert "A person reviewed this decision" in page
    assert "Betaling gevonden; brief geannuleerd." in page
    assert "The review is under way" not in page


def test_another_debtors_decision_cannot_be_contested(debtor_client, portal_case, other_case):
    theirs = _decide(other_case)
    # Neither under their case nor under the debtor's own.
    assert debtor_client.post(_review_url(other_case, theirs), {"reason": "x"}).status_code == 404
    url = reverse("debtor_portal:decision-review", args=[portal_case.pk, theirs.pk])
    assert debtor_client.post(url, {"reason": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.contested_at is None
    assert not StaffTask.objects.filter(kind=TaskKind.HUMAN_REVIEW).exists()
    assert explanation_text(theirs.explanation_en) not in _case_page(debtor_client, portal_case, "en")
