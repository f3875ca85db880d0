"""In a real Chromium: a debtor logs in, sees the right amount, proposes a plan and pays through a payment link."""

from __future__ import annotations

import httpx
import pytest
from django.utils import timezone, translation

from incasso.arrangements.models import Arrangement, ArrangementStatus
from incasso.cases.selectors import case_quote
from incasso.core.browser import assert_accessible, screenshot
from incasso.debtor_portal.tests.conftest import CODE, POSTCODE
from incasso.paylinks.models import PaymentLink, PaymentLinkStatus
from incasso.paylinks.testing import LocalPaymentProvider
from incasso.web.templatetags.money import money

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider_double(settings, live_server):
    """The payment provider double, calling back the live server's webhook as a real provider would."""
    with LocalPaymentProvider() as double:
        settings.INCASSO_PAYMENT_PROVIDER_URL = double.url
        settings.INCASSO_PAYMENT_PROVIDER_KEY = double.api_key
        settings.INCASSO_PAYMENT_WEBHOOK_URL = f"{live_server.url}/api/v1/payment-links/webhook"
        yield double


def _total_text(page) -> str:
    return page.locator("[data-testid=total]").inner_text().replace("\xa0", " ")


def test_a_debtor_logs_in_sees_the_amount_proposes_a_plan_and_pays(page, live_server, portal_case, provider_double):
    owed = case_quote(case=portal_case, as_of=timezone.localdate()).total_outstanding
    with translation.override("nl"):
        expected = money(owed).replace("\xa0", " ")

    page.goto("/debtor/")
    assert_accessible(page)
    page.fill("input[name=case_number]", portal_case.number)
    page.fill("input[name=code]", f"{CODE[:4]}-{CODE[4:]}")
    page.fill("input[name=second_factor]", POSTCODE)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"**/debtor/cases/{portal_case.pk}/")
    assert _total_text(page) == expected
    screenshot(page, "debtor-portal")
    assert_accessible(page)

    # A plan of three months: the schedule first, then the proposal, accepted at once within the client's terms.
    page.click(f"a[href='/debtor/cases/{portal_case.pk}/plan/']")
    page.fill("input[name=months]", "3")
    page.locator("form[method=get] button[type=submit]").click()
    page.wait_for_selector("#plan-preview table")
    assert page.locator("#plan-preview tbody tr").count() == 3
    assert_accessible(page)
    page.click("#plan-preview button[type=submit]")
    page.wait_for_selector(".notice.success")
    assert Arrangement.objects.get(case=portal_case).status == ArrangementStatus.ACTIVE

    # With the plan running the next instalment is offered first; the debtor chooses the second choice, everything:
    # off to the provider's checkout, the provider reports back, the case owes nothing.
    page.goto(f"/debtor/cases/{portal_case.pk}/")
    assert_accessible(page)
    page.click("form[action$='/pay/'] [data-testid=pay-all]")
    page.wait_for_selector("[data-testid=pay-amount]")
    assert page.locator("[data-testid=pay-amount]").inner_text().replace("\xa0", " ") == expected
    link = PaymentLink.objects.get(case=portal_case)
    assert link.amount_cents == owed.cents
    page.click(f"a[href='{link.checkout_url}']")
    page.wait_for_url(f"{provider_double.url}/checkout/**")
    # The provider's webhook, delivered with room for a busy machine (the double's own sender waits 5 seconds).
    provider_double.mark_paid(link.provider_payment_id, notify=False)
    webhook = httpx.post(
        f"{live_server.url}/api/v1/payment-links/webhook", data={"id": link.provider_payment_id}, timeout=60
    )
    assert webhook.status_code == 200
    link.refresh_from_db()
    assert link.status == PaymentLinkStatus.PAID
    page.goto(f"/debtor/cases/{portal_case.pk}/?paid=1")
    with translation.override("nl"):
        assert _total_text(page) == money(0).replace("\xa0", " ")
