"""An overpayment and a paid-off plan as the debtor reads them: every euro received is accounted for."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from incasso.arrangements.models import Arrangement
from incasso.cases.selectors import case_quote
from incasso.domain.money import Money
from incasso.ledger.services import overpayment_refund, payment_receive
from incasso.web.templatetags.money import money


def _case_page(http, case, language: str = "en") -> str:
    return http.get(reverse("debtor_portal:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def _pay(case, cents: int, key: str) -> None:
    payment_receive(case_id=case.pk, amount=Money(cents), received_on=timezone.localdate(), key=key, source="bank")


@pytest.fixture
def overpaid(portal_case):
    """The case paid in full, then 125 euros more."""
    owed = case_quote(case=portal_case, as_of=timezone.localdate()).total_outstanding
    _pay(portal_case, owed.cents, "t:full")
    _pay(portal_case, 12_500, "t:extra")
    return owed


def test_an_overpayment_is_shown_as_received_and_owed_back(debtor_client, portal_case, overpaid):
    response = debtor_client.get(reverse("debtor_portal:case", args=[portal_case.pk]), HTTP_ACCEPT_LANGUAGE="en")
    breakdown = response.context["view"].breakdown
    assert breakdown.paid == overpaid + Money(12_500)  # what the list of payments shows, not less
    assert breakdown.overpaid == Money(12_500)
    assert breakdown.total == Money.zero() and breakdown.adds_up
    page = response.content.decode()
    assert "You have paid €125.00 more than you owed. We will pay it back to you." in page
    assert 'data-testid="overpaid-row"' in page


def test_the_overpayment_reads_in_dutch(debtor_client, portal_case, overpaid):
    page = _case_page(debtor_client, portal_case, "nl")
    with translation.override("nl"):
        amount = money(Money(12_500))
    assert f"U hebt {amount} meer betaald dan u verschuldigd was. Wij betalen dit aan u terug." in page
    assert "Te veel betaald" in page


def test_once_refunded_the_page_says_so(debtor_client, portal_case, overpaid):
    overpayment_refund(case_id=portal_case.pk, amount=Money(12_500), key="t:refund", booked_on=timezone.localdate())
    page = _case_page(debtor_client, portal_case)
    assert "more than you owed. We will pay it back" not in page
    assert "We have paid back the €125.00 you paid more than you owed." in page


def test_without_an_overpayment_no_refund_is_mentioned(debtor_client, portal_case):
    page = _case_page(debtor_client, portal_case)
    assert 'data-testid="overpaid' not in page and "paid back" not in page


def test_a_plan_paid_off_at_once_shows_no_instalment_as_still_due(debtor_client, portal_case):
    first = timezone.localdate() + datetime.timedelta(days=7)
    debtor_client.post(reverse("debtor_portal:plan", args=[portal_case.pk]), {"months": 6, "first_due": first})
    plan = Arrangement.objects.get(case=portal_case, status="active")
    before = _case_page(debtor_client, portal_case)
    assert before.count(">To pay</td>") == 6 and 'data-testid="plan-paid-off"' not in before
    owed = case_quote(case=portal_case, as_of=timezone.localdate()).total_outstanding
    _pay(portal_case, owed.cents, "t:all")
    page = _case_page(debtor_client, portal_case)
    assert ">To pay</td>" not in page and page.count(">Paid</td>") == plan.instalments.count()
    assert 'data-testid="plan-paid-off"' in page and 'data-testid="next-instalment"' not in page
    done = debtor_client.get(reverse("debtor_portal:plan", args=[portal_case.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="plan-paid-off"' in done.content.decode()


def test_a_partly_paid_instalment_says_what_is_left(debtor_client, portal_case):
    first = timezone.localdate() + datetime.timedelta(days=7)
    debtor_client.post(reverse("debtor_portal:plan", args=[portal_case.pk]), {"months": 6, "first_due": first})
    instalment = Arrangement.objects.get(case=portal_case, status="active").instalments.get(number=1)
    _pay(portal_case, instalment.amount_cents - 1_000, "t:part")
    page = _case_page(debtor_client, portal_case)
    assert "Partly paid: €10.00 left" in page and page.count(">To pay</td>") == 5
