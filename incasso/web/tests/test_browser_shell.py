"""The browser-test infrastructure itself, on the log-in page every user sees first."""

import pytest

from incasso.accounts.roles import Role
from incasso.accounts.services import user_create
from incasso.core.browser import SCREENSHOTS, assert_accessible, axe_violations, screenshot

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
