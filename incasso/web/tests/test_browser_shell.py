"""The browser-test infrastructure itself, on the log-in page every user sees first."""

import pytest

from incasso.accounts.roles import Role
from incasso.accounts.services import user_create
from incasso.core.browser import SCREENSHOTS, assert_accessible, axe_violations, pages_crawl, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-Horse-battery-9"


def test_a_staff_user_logs_in_in_a_real_browser_and_is_asked_for_the_second_factor(page):
    user_create(email="collector@example.com", password=PASSWORD, roles=[Role.COLLECTOR])
    page.goto("/login/")
    assert_accessible(page)
    phone, desktop = screenshot(page, "login")
    assert phone.parent == SCREENSHOTS and phone.stat().st_size > 0 and desktop.stat().st_size > 0

    page.fill("input[name=username]", "collector@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action='/login/'] [type=submit]").click()
    page.wait_for_url("**/second-factor/setup/**")


def test_axe_finds_a_planted_violation(page):
    """The accessibility check can fail: an image without alternative text is reported."""
    page.goto("/login/")
    page.evaluate("document.body.appendChild(Object.assign(document.createElement('img'), {src: '/x.png'}))")
    assert any(v["id"] == "image-alt" for v in axe_violations(page))


def test_the_crawl_reports_a_broken_link_and_a_script_error(page):
    """The crawl can fail: a start page (served here by the browser's router) linking to a page that does not exist
    and throwing in a script is reported twice; the log-out link is not followed."""
    page.goto("/login/")
    page.route(
        "**/start/",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            body='<html lang="en"><title>t</title><main><a href="/no-such-page/">x</a><a href="/logout/">out</a>'
            "<script>throw new Error('planted')</script></main></html>",
        ),
    )
    visited, problems = pages_crawl(page, start="/start/")
    assert visited == ["/start/", "/no-such-page/"]
    assert any("/no-such-page/: HTTP 404" in problem for problem in problems), problems
    assert any("planted" in problem for problem in problems), problems
