"""A collector's and finance's work from the back office: a promise to pay, a proposed payment arrangement decided,
an unmatched payment put on its case by hand; a refused form comes back with its errors beside the fields and what
was typed kept."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from incasso.accounts.roles import Role
from incasso.arrangements.models import Arrangement, ArrangementStatus, PromiseToPay, ProposedBy
from incasso.backoffice.tests.conftest import ENGLISH, login_as
from incasso.cases.models import TaskStatus
from incasso.decisions.factories import strategy_inputs
from incasso.decisions.services import decision_contest, decisions_decide_bulk
from incasso.payments.models import EntryStatus, StatementEntry
from incasso.payments.services import statement_import
from incasso.payments.tests.conftest import camt, camt_entry

pytestmark = pytest.mark.django_db

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}


@pytest.fixture
def collector(client, two_teams):
    return login_as(client, "collector@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])


def _case_url(case, name="backoffice:case-promise"):
    return reverse(name, args=[case.pk])


def test_a_collector_records_a_promise_to_pay(collector, two_teams):
    case = two_teams["our_case"]
    due = timezone.localdate() + datetime.timedelta(days=10)
    response = collector.post(_case_url(case), {"amount": "50,25", "due_on": due.isoformat()}, **DUTCH)
    assert response.status_code == 302 and response["Location"].endswith("#arrangement")
    promise = PromiseToPay.objects.get(case=case)
    assert (promise.amount_cents, promise.due_on) == (5_025, due)
    page = collector.get(response["Location"], **DUTCH).content.decode()
    assert "De betalingstoezegging is vastgelegd." in page
    assert "50,25" in page.split('id="arrangement-heading"')[1]


def test_a_refused_promise_keeps_the_input_and_says_why_beside_the_field(collector, two_teams):
    case = two_teams["our_case"]
    past = timezone.localdate() - datetime.timedelta(days=3)
    response = collector.post(_case_url(case), {"amount": "75.10", "due_on": past.isoformat()}, **ENGLISH)
    assert response.status_code == 422
    form = response.context["promise_form"]
    assert list(form.errors) == ["due_on"]
    html = response.content.decode()
    assert 'value="75.10"' in html
    assert f'value="{past.isoformat()}"' in html
    assert "<details open>" in html  # the form is not folded away with its error inside
    assert not PromiseToPay.objects.filter(case=case).exists()


def test_a_refused_financial_situation_keeps_the_input(client, two_teams):
    user = login_as(client, "legal@example.com", Role.LEGAL_OFFICER)
    case = two_teams["our_case"]
    response = user.post(
        reverse("backoffice:case-situation", args=[case.pk]),
        {"net_income": "-5", "source": "debtor", "source_reference": "telefoongesprek", "obtained_on": "x"},
        **ENGLISH,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="telefoongesprek"' in html
    assert set(response.context["situation_form"].errors) >= {"net_income", "obtained_on"}
    assert 'aria-invalid="true"' in html


def test_a_collector_accepts_a_proposed_arrangement(collector, two_teams):
    case = two_teams["our_case"]
    today = timezone.localdate()
    arrangement = Arrangement.objects.create(
        case=case,
        proposed_by=ProposedBy.DEBTOR,
        total_cents=12_000,
        months=4,
        instalment_cents=3_000,
        first_due=today + datetime.timedelta(days=7),
    )
    page = collector.get(reverse("backoffice:case-detail", args=[case.pk]), **ENGLISH).content.decode()
    assert "Accept the arrangement" in page
    url = reverse("backoffice:case-arrangement-decide", args=[case.pk, arrangement.pk])
    response = collector.post(url, {"decision": "accept", "reason": "income checked"}, **ENGLISH)
    assert response.status_code == 302
    arrangement.refresh_from_db()
    assert arrangement.status == ArrangementStatus.ACTIVE


def test_the_auditor_cannot_record_a_promise(client, two_teams):
    auditor = login_as(client, "auditor@example.com", Role.AUDITOR)
    case = two_teams["our_case"]
    page = auditor.get(reverse("backoffice:case-detail", args=[case.pk]), **ENGLISH).content.decode()
    assert "Record a promise to pay" not in page
    due = timezone.localdate() + datetime.timedelta(days=3)
    response = auditor.post(_case_url(case), {"amount": "5", "due_on": due.isoformat()})
    assert response.status_code == 404


@pytest.fixture
def unmatched_entry(two_teams):
    """A payment that names no case: in the unmatched-payments queue."""
    statement = camt(camt_entry("75.50", ref="U-1", ustrd="betaling factuur"))
    statement_import(stream=io.BytesIO(statement), filename="statement.xml")
    return StatementEntry.objects.get(status=EntryStatus.UNMATCHED)


def test_finance_puts_an_unmatched_payment_on_its_case(client, two_teams, unmatched_entry):
    finance = login_as(client, "finance@example.com", Role.FINANCE)
    queue = reverse("backoffice:queue", args=["unmatched"])
    page = finance.get(queue, **ENGLISH).content.decode()
    assert reverse("backoffice:unmatched-match", args=[unmatched_entry.pk]) in page
    url = reverse("backoffice:unmatched-match", args=[unmatched_entry.pk])

    refused = finance.post(url, {"case_number": "2026-999999"}, follow=True, **ENGLISH)
    assert "There is no case 2026-999999." in refused.content.decode()

    done = finance.post(url, {"case_number": " 2026-000101 "}, follow=True, **ENGLISH)
    assert "The payment was put on case 2026-000101." in done.content.decode()
    unmatched_entry.refresh_from_db()
    assert (unmatched_entry.status, unmatched_entry.case) == (EntryStatus.MATCHED, two_teams["our_case"])
    assert "Nothing in this queue." in done.content.decode()


def test_a_collector_cannot_match_payments(collector, unmatched_entry):
    url = reverse("backoffice:unmatched-match", args=[unmatched_entry.pk])
    assert collector.post(url, {"case_number": "2026-000101"}).status_code == 403


def test_a_collector_reviews_a_contested_decision_on_the_case_page(collector, two_teams):
    """Closing the review task alone left the decision unreviewed (listed in the queue for ever, the case without
    new automated decisions); the review is now recorded on the decision, which closes the task too."""
    case = two_teams["our_case"]
    decision = decisions_decide_bulk(inputs=[strategy_inputs(case)], on=timezone.localdate())[case.pk]
    task = decision_contest(decision=decision, reason="Ik heb al betaald.")

    home = collector.get(reverse("backoffice:home"), **ENGLISH).content.decode()
    row = home.split(f'id="task-{task.pk}"')[1].split("</tr>")[0]
    assert "Review the decision on the case page" in row and 'name="outcome"' not in row

    page = collector.get(reverse("backoffice:case-detail", args=[case.pk]), **ENGLISH).content.decode()
    assert "Ik heb al betaald." in page and f'data-review="{decision.pk}"' in page
    url = reverse("backoffice:case-decision-review", args=[case.pk, decision.pk])
    response = collector.post(url, {"outcome": "Betaling gevonden; besluit blijft staan."}, follow=True, **ENGLISH)
    assert "The review was recorded and its task closed." in response.content.decode()
    decision.refresh_from_db()
    task.refresh_from_db()
    assert decision.reviewed_at is not None and task.status == TaskStatus.DONE
    queue = collector.get(reverse("backoffice:queue", args=["reviews"]), **ENGLISH).content.decode()
    assert "Nothing in this queue." in queue
