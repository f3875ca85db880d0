"""Paying the next instalment of a running plan from the case page, or still everything at once."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from incasso.arrangements.models import Arrangement, InstalmentStatus
from incasso.arrangements.services import instalments_settle
from incasso.cases.selectors import case_quote
from incasso.paylinks.models import PaymentLink
from incasso.paylinks.services import payment_link_sync
from incasso.web.templatetags.money import localdate, money


def _url(name: str, case, *args) -> str:
    return reverse(f"debtor_portal:{name}", args=[case.pk, *args])


@pytest.fixture
def plan(debtor_client, portal_case):
    """A plan of 6 instalments the portal accepted at once, the first due in a week."""
    first = timezone.localdate() + datetime.timedelta(days=7)
    debtor_client.post(_url("plan", portal_case), {"months": 6, "first_due": first.isoformat()})
    return Arrangement.objects.get(case=portal_case, status="active")


@pytest.fixture
def provider_settings(local_provider, settings):
    settings.INCASSO_PAYMENT_PROVIDER_URL = local_provider.url
    settings.INCASSO_PAYMENT_PROVIDER_KEY = local_provider.api_key
    return local_provider


def _pay(local_provider, link: PaymentLink) -> None:
    local_provider.mark_paid(link.provider_payment_id)
    with local_provider.adapter() as provider:
        payment_link_sync(provider_payment_id=link.provider_payment_id, provider=provider)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_with_a_plan_the_next_instalment_is_offered_first_and_everything_second(
    debtor_client, portal_case, plan, language
):
    first = plan.instalments.get(number=1)
    owed = case_quote(case=portal_case, as_of=timezone.localdate()).total_outstanding
    page = debtor_client.get(_url("case", portal_case), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    with translation.override(language):
        amount, day, total = money(first.amount_cents), localdate(first.due_on, "long"), money(owed)
    instalment = {
        "nl": f"Betaal de volgende termijn ({amount}, uiterlijk {day})",
        "en": f"Pay the next instalment ({amount}, due {day})",
    }
    everything = {"nl": f"Betaal alles ({total})", "en": f"Pay everything ({total})"}
    assert instalment[language] in page and everything[language] in page
    assert page.index('value="instalment"') < page.index('value="all"')


def test_without_a_plan_only_the_whole_debt_is_offered(debtor_client, portal_case):
    page = debtor_client.get(_url("case", portal_case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="instalment"' not in page and "Pay now" in page


def test_the_instalment_amount_is_the_servers_never_the_forms(debtor_client, portal_case, plan, provider_settings):
    first = plan.instalments.get(number=1)
    forged = {"method": "ideal", "what": "instalment", "amount": "0.01", "amount_cents": "1"}
    response = debtor_client.post(_url("pay", portal_case), forged)
    link = PaymentLink.objects.get(case=portal_case)
    assert response["Location"] == _url("checkout", portal_case, link.pk)
    assert link.amount_cents == first.amount_cents


def test_paying_everything_still_pays_the_whole_debt(debtor_client, portal_case, plan, provider_settings):
    owed = case_quote(case=portal_case, as_of=timezone.localdate()).total_outstanding
    debtor_client.post(_url("pay", portal_case), {"method": "ideal", "what": "all"})
    assert PaymentLink.objects.get(case=portal_case).amount_cents == owed.cents


def test_the_paid_instalment_link_settles_the_next_instalment(debtor_client, portal_case, plan, provider_settings):
    debtor_client.post(_url("pay", portal_case), {"method": "ideal", "what": "instalment"})
    _pay(provider_settings, PaymentLink.objects.get(case=portal_case))

    # Before the daily settlement runs, the page already offers the second instalment, not the paid one again.
    page = debtor_client.get(_url("case", portal_case))
    assert page.context["next_instalment"].number == 2

    instalments_settle(on=timezone.localdate())
    first, second = plan.instalments.order_by("number")[:2]
    assert first.status == InstalmentStatus.PAID and first.paid_cents == first.amount_cents
    assert second.status == InstalmentStatus.OPEN and second.paid_cents == 0


def test_the_instalment_choice_without_a_running_plan_makes_no_link(debtor_client, portal_case, provider_settings):
    response = debtor_client.post(_url("pay", portal_case), {"method": "ideal", "what": "instalment"}, follow=True)
    assert response.redirect_chain[-1][0] == _url("case", portal_case)
    assert not PaymentLink.objects.exists()
