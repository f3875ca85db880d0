"""Every page each kind of user can reach, opened in a real browser (Chromium): the demo agency as `make run`
loads it, each printed log-in and the printed debtor-portal log-in, following every link from the landing page.

A page fails on an HTTP error, a script or console error, a Content-Security-Policy violation or a serious axe-core
finding. Pages that differ only by a number (one case, another case) are visited once.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from incasso.accounts.roles import Role
from incasso.core.browser import pages_crawl
from incasso.demo.tests.test_demo_journeys import PORTAL_LINE, _logins, _run

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROLES = list(Role.values)  # every staff role and the client user, each as the demo prints its log-in


@pytest.fixture
def demo_logins(settings):
    settings.INCASSO_DEMO_SKIP_SECOND_FACTOR = True
    _run("demo", "--seed", "3", "--debtors", "100")
    return _run("demo-logins")


def _staff_log_in(page, username: str, password: str, landing: str) -> None:
    page.goto(f"/login/?next={landing}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form[action^='/login/'] [type=submit]").click()
    page.wait_for_load_state()
    if "/confidentiality/" in page.url:
        page.locator("main form [type=submit]").first.click()
        page.wait_for_load_state()
    assert landing in page.url, page.url


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_works_in_the_browser(page, demo_logins, role) -> None:
    login = next(login for login in _logins(demo_logins) if login["role"] == role)
    landing = "/client/" if role == "client_user" else "/office/"
    _staff_log_in(page, login["username"], login["password"], landing)
    visited, problems = pages_crawl(page, start=landing)
    assert len(visited) >= 8, visited  # the crawl really went through the portal's menu
    assert not problems, "\n".join(problems)


def test_every_page_of_the_debtor_portal_works_in_the_browser(page, demo_logins) -> None:
    found = PORTAL_LINE.search(demo_logins)
    assert found is not None, demo_logins
    page.goto("/debtor/")
    page.fill("input[name=case_number]", found["case"])
    page.fill("input[name=code]", found["code"])
    page.fill("input[name=second_factor]", found["postcode"])
    page.locator("main form [type=submit]").first.click()
    page.wait_for_load_state()
    assert re.search(r"/debtor/cases/\d+/", page.url), page.url
    visited, problems = pages_crawl(page, start=urlsplit(page.url).path)
    assert len(visited) >= 5, visited
    assert not problems, "\n".join(problems)
