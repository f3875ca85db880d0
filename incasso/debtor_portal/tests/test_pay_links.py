"""A debtor who opened a payment link and did not pay: asking again gives the same link for the same money, an
expired or failed link is neither given out again nor counted as paid, a link paid without its webhook is booked
before anything else is offered, and nothing is offered while a payment is pending."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incasso.arrangements.models import Arrangement
from incasso.cases.selectors import case_quote
from incasso.ledger.models import PaymentAllocation
from incasso.paylinks.models import PaymentLink, PaymentLinkStatus
from incasso.paylinks.provider import ProviderStatus
from incasso.paylinks.services import payment_link_sync


def _url(name: str, case, *args) -> str:
    return reverse(f"debtor_portal:{name}", args=[case.pk, *args])


@pytest.fixture
def plan(debtor_client, portal_case):
    """A plan of 6 instalments the portal accepted at once, the first due in a week."""
    first = timezone.localdate() + datetime.timedelta(days=7)
    debtor_client.post(_url("plan", portal_case), {"months": 6, "first_due": first.isoformat()})
    return Arrangement.objects.get(case=portal_case, status="active")


@pytest.fixture
def provider(local_provider, settings):
    """The provider double as the portal's provider; its webhooks are not delivered (as when one is late)."""
    settings.INCASSO_PAYMENT_PROVIDER_URL = local_provider.url
    settings.INCASSO_PAYMENT_PROVIDER_KEY = local_provider.api_key
    return local_provider


def _pay(http, case, what: str = "instalment", method: str = "ideal"):
    return http.post(_url("pay", case), {"method": method, "what": what}, HTTP_ACCEPT_LANGUAGE="en")


def _shown(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def _created(provider) -> int:
    return sum(1 for method, path in provider.requests if method == "POST" and path.endswith("/payments"))


def test_asking_again_for_the_same_instalment_gives_the_open_link(debtor_client, portal_case, plan, provider):
    first = _pay(debtor_client, portal_case)
    link = PaymentLink.objects.get(case=portal_case)
    # Back on the case page without paying: the open link paid nothing, so the same instalment is offered ...
    page = debtor_client.get(_url("case", portal_case))
    assert page.context["next_instalment"].number == 1
    assert page.context["next_instalment"].amount.cents == link.amount_cents
    # ... and asking for it again (or a double click) sends the debtor to the same payment, not a second one.
    second = _pay(debtor_client, portal_case)
    assert first["Location"] == second["Location"] == _url("checkout", portal_case, link.pk)
    assert PaymentLink.objects.filter(case=portal_case).count() == 1
    assert _created(provider) == 1


def test_asking_to_pay_everything_again_gives_the_open_link(debtor_client, portal_case, provider):
    _pay(debtor_client, portal_case, what="all")
    _pay(debtor_client, portal_case, what="all")
    link = PaymentLink.objects.get(case=portal_case)
    assert link.amount_cents == case_quote(case=portal_case, as_of=timezone.localdate()).total_outstanding.cents


def test_another_method_is_another_link(debtor_client, portal_case, plan, provider):
    _pay(debtor_client, portal_case, method="ideal")
    _pay(debtor_client, portal_case, method="creditcard")
    assert sorted(PaymentLink.objects.values_list("method", flat=True)) == ["creditcard", "ideal"]


@pytest.mark.parametrize("status", [ProviderStatus.EXPIRED, ProviderStatus.FAILED, ProviderStatus.CANCELED])
def test_a_link_that_ended_unpaid_is_not_given_out_again_nor_counted_as_paid(
    debtor_client, portal_case, plan, provider, status
):
    _pay(debtor_client, portal_case)
    old = PaymentLink.objects.get(case=portal_case)
    provider.set_status(old.provider_payment_id, status, notify=False)  # its webhook never came

    response = _pay(debtor_client, portal_case)

    old.refresh_from_db()
    new = PaymentLink.objects.exclude(pk=old.pk).get(case=portal_case)
    assert old.status == status.value and not old.ledger_key
    assert response["Location"] == _url("checkout", portal_case, new.pk)
    assert new.amount_cents == old.amount_cents  # the same instalment: nothing was paid
    assert not PaymentAllocation.objects.filter(case=portal_case).exists()
    assert debtor_client.get(_url("case", portal_case)).context["next_instalment"].number == 1


def test_a_link_paid_without_its_webhook_is_booked_before_anything_else_is_offered(
    debtor_client, portal_case, plan, provider
):
    _pay(debtor_client, portal_case)
    paid = PaymentLink.objects.get(case=portal_case)
    provider.mark_paid(paid.provider_payment_id, notify=False)

    response = debtor_client.post(
        _url("pay", portal_case), {"method": "ideal", "what": "instalment"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.redirect_chain[-1][0] == _url("case", portal_case)
    assert "Your earlier payment of" in _shown(response) and "came in" in _shown(response)
    paid.refresh_from_db()
    assert paid.status == PaymentLinkStatus.PAID and paid.ledger_key
    assert PaymentLink.objects.filter(case=portal_case).count() == 1  # no second link for the paid instalment
    assert response.context["next_instalment"].number == 2


def test_while_a_payment_is_pending_no_second_payment_is_offered(debtor_client, portal_case, provider):
    _pay(debtor_client, portal_case, what="all")
    link = PaymentLink.objects.get(case=portal_case)
    provider.set_status(link.provider_payment_id, ProviderStatus.PENDING, notify=False)

    response = debtor_client.post(
        _url("pay", portal_case), {"method": "ideal", "what": "all"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.redirect_chain[-1][0] == _url("case", portal_case)
    assert PaymentLink.objects.filter(case=portal_case).count() == 1
    page = response.content.decode()
    assert 'data-testid="payment-in-progress"' in page and "is being processed" in page
    assert 'name="what"' not in page  # no pay buttons while the money may be on its way
    dutch = debtor_client.get(_url("case", portal_case), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "wordt verwerkt" in dutch

    # Once the bank says no, the debtor may pay again.
    provider.mark_failed(link.provider_payment_id, notify=False)
    with provider.adapter() as adapter:
        payment_link_sync(provider_payment_id=link.provider_payment_id, provider=adapter)
    assert 'name="what"' in debtor_client.get(_url("case", portal_case)).content.decode()


def test_when_earlier_links_cannot_be_checked_no_new_one_is_made(debtor_client, portal_case, plan, provider, settings):
    settings.INCASSO_PAYMENT_PROVIDER_BACKOFF_SECONDS = 0
    _pay(debtor_client, portal_case)
    provider.fail_next(503, 503, 503, 503)  # the first try and every retry
    response = debtor_client.post(
        _url("pay", portal_case), {"method": "ideal", "what": "instalment"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "cannot check your earlier online payment" in _shown(response)
    provider.fail_next(503, 503, 503, 503)
    dutch = debtor_client.post(
        _url("pay", portal_case), {"method": "ideal", "what": "instalment"}, follow=True, HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert "We kunnen uw eerdere online betaling nu niet controleren" in _shown(dutch)
    assert PaymentLink.objects.filter(case=portal_case).count() == 1


def test_paying_both_an_instalment_and_everything_overpays_into_the_ledgers_refund_path(
    debtor_client, portal_case, plan, provider
):
    """An open link of another amount stays payable at the provider: paying both is an overpayment the ledger
    books as such (and refunds), never money lost or a case owing less than nothing."""
    _pay(debtor_client, portal_case, what="instalment")
    _pay(debtor_client, portal_case, what="all")
    links = list(PaymentLink.objects.filter(case=portal_case))
    assert len(links) == 2
    with provider.adapter() as adapter:
        for link in links:
            provider.mark_paid(link.provider_payment_id, notify=False)
            payment_link_sync(provider_payment_id=link.provider_payment_id, provider=adapter)
    instalment = min(link.amount_cents for link in links)
    overpaid = PaymentAllocation.objects.filter(case=portal_case).values_list("overpayment_cents", flat=True)
    assert sum(overpaid) == instalment
    assert case_quote(case=portal_case, as_of=timezone.localdate()).total_outstanding.cents == 0
