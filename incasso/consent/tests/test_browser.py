"""The cookie banner in a real browser: accessible, and answered with htmx without leaving the page."""

from __future__ import annotations

import pytest

from incasso.consent.models import ConsentRecord, DocumentKind
from incasso.consent.selectors import COOKIE_PURPOSES, document_current
from incasso.consent.services import document_version_create, document_version_publish
from incasso.core.browser import assert_accessible, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _texts_published() -> None:
    """A transactional test may start from a flushed database, without the seeded texts."""
    for purpose in COOKIE_PURPOSES:
        if document_current(kind=DocumentKind.CONSENT_TEXT, purpose=purpose) is None:
            draft = document_version_create(
                kind=DocumentKind.CONSENT_TEXT,
                purpose=purpose,
                title_nl=f"{purpose} NL",
                title_en=f"{purpose} EN",
                body_nl="Tekst.",
                body_en="Text.",
            )
            document_version_publish(version=draft)


def test_rejecting_all_in_the_banner_removes_it_in_place_and_is_remembered(page):
    _texts_published()
    page.goto("/newsletter/")
    banner = page.locator("#cookie-banner")
    assert banner.is_visible()
    assert page.locator("#cookie-banner input[type=checkbox]:checked").count() == 1  # only "strictly necessary"
    assert_accessible(page)
    screenshot(page, "cookie-banner")
    page.click("#cookie-banner button[value=reject_all]")
    banner.wait_for(state="detached")
    assert page.url.endswith("/newsletter/")
    assert sorted(ConsentRecord.objects.values_list("purpose", "given")) == [
        ("analytics_cookies", False),
        ("marketing_cookies", False),
    ]
    page.reload()
    assert page.locator("#cookie-banner").count() == 0
    assert page.locator("a[href='/cookies/']").count() == 1
