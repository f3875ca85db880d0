"""Actions that cannot be taken back ask first, in a real browser (found by walking the back office as the
privacy officer: one click on "Release" released a legal hold). The question needs no script: a <details>."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client as HttpClient
from django.urls import reverse

from incasso.accounts.factories import UserFactory
from incasso.accounts.roles import Role
from incasso.accounts.testing import staff_login
from incasso.cases.factories import CaseFactory
from incasso.core.browser import assert_accessible, screenshot
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.privacy.models import LegalHold
from incasso.privacy.retention.holds import legal_hold_place

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _logged_in(page, live_server, role: Role):
    """The session of a staff user with the second factor verified, handed to the browser as its cookie."""
    user = UserFactory()
    user.groups.add(Group.objects.get(name=role))
    http = HttpClient()
    staff_login(http, user)
    cookie = http.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return user


def test_releasing_a_legal_hold_takes_a_second_click_on_a_button_that_says_so(page, live_server):
    case = CaseFactory(debtor=DebtorFactory(client=ClientFactory(code="ours")), number="2026-000888")
    officer = _logged_in(page, live_server, Role.PRIVACY_OFFICER)
    hold = legal_hold_place(case=case, reason="Rechtszaak", placed_by=officer)
    page.goto(reverse("backoffice:legal-holds"))

    row = page.locator(f'[data-hold="{hold.pk}"]')
    really = row.locator("button[type=submit]")
    assert not really.is_visible()  # the first click only asks
    row.locator("summary").click()
    assert really.is_visible() and really.inner_text() == "Ja, bewaarplicht opheffen"
    screenshot(page, "legal-hold-release-question")
    assert_accessible(page)
    really.click()
    page.wait_for_load_state()
    assert LegalHold.objects.get(pk=hold.pk).released_at is not None
