"""The cookie banner: granular, nothing pre-ticked, reject as easy as accept, recorded, gone once answered."""

from __future__ import annotations

import pytest

from incasso.consent.cookies import VISITOR_COOKIE
from incasso.consent.models import ConsentRecord, DocumentKind, DocumentVersion
from incasso.consent.services import document_version_create, document_version_publish

pytestmark = pytest.mark.django_db

BANNER = 'id="cookie-banner"'


def _page(client) -> str:
    return client.get("/privacy-statement/?lang=en", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_new_visitor_sees_the_banner_with_nothing_ticked(client):
    html = _page(client)
    assert BANNER in html
    banner = html[html.index(BANNER) :]
    assert 'name="analytics_cookies">' in banner and 'name="marketing_cookies">' in banner  # no "checked"
    assert 'value="reject_all"' in banner and 'value="accept_all"' in banner and 'value="choose"' in banner
    assert 'href="/cookies/"' in html  # re-openable from the footer


def test_reject_all_records_both_refusals_and_hides_the_banner(client):
    response = client.post("/cookies/", {"action": "reject_all", "next": "/privacy-statement/"})
    assert response.status_code == 302 and response["Location"] == "/privacy-statement/"
    visitor = response.cookies[VISITOR_COOKIE].value
    assert response.cookies[VISITOR_COOKIE]["httponly"]
    records = ConsentRecord.objects.filter(subject_kind="visitor", subject_ref=visitor)
    assert sorted((r.purpose, r.given, r.method) for r in records) == [
        ("analytics_cookies", False, "button"),
        ("marketing_cookies", False, "button"),
    ]
    assert BANNER not in _page(client)


def test_choosing_records_each_purpose_granularly(client):
    client.post("/cookies/", {"action": "choose", "analytics_cookies": "on", "next": "/"})
    answers = {r.purpose: (r.given, r.method) for r in ConsentRecord.objects.all()}
    assert answers == {"analytics_cookies": (True, "checkbox"), "marketing_cookies": (False, "checkbox")}
    settings_page = client.get("/cookies/").content.decode()
    assert 'name="analytics_cookies" checked' in settings_page
    assert 'name="marketing_cookies">' in settings_page
    # withdrawing from the same place: one POST
    client.post("/cookies/", {"action": "reject_all", "next": "/"})
    latest = ConsentRecord.objects.filter(purpose="analytics_cookies").order_by("-pk").first()
    assert latest is not None and latest.given is False


def test_htmx_answer_replaces_the_banner_with_nothing(client):
    response = client.post("/cookies/", {"action": "accept_all", "next": "/"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    assert ConsentRecord.objects.filter(given=True).count() == 2


def test_a_changed_consent_text_asks_again(client):
    client.post("/cookies/", {"action": "accept_all", "next": "/"})
    assert BANNER not in _page(client)
    newer = document_version_create(
        kind=DocumentKind.CONSENT_TEXT,
        purpose="analytics_cookies",
        title_nl="Analytische cookies",
        title_en="Analytics cookies",
        body_nl="Nieuwe tekst.",
        body_en="New text.",
    )
    document_version_publish(version=newer)
    assert BANNER in _page(client)


def test_the_record_names_the_text_the_banner_showed(client):
    first = DocumentVersion.objects.get(kind="consent_text", purpose="marketing_cookies", number=1)
    newer = document_version_create(
        kind=DocumentKind.CONSENT_TEXT,
        purpose="marketing_cookies",
        title_nl="M",
        title_en="M",
        body_nl="Nieuw.",
        body_en="New.",
    )
    document_version_publish(version=newer)
    client.post("/cookies/", {"action": "accept_all", "marketing_cookies_version": str(first.pk)})
    assert ConsentRecord.objects.get(purpose="marketing_cookies").version == first
    assert ConsentRecord.objects.get(purpose="analytics_cookies").version.number == 1
    bogus = client.post("/cookies/", {"action": "accept_all", "marketing_cookies_version": "999999"})
    assert bogus.status_code == 400
    assert ConsentRecord.objects.count() == 2


def test_an_unknown_action_records_nothing(client):
    assert client.post("/cookies/", {"action": "maybe"}).status_code == 400
    assert not ConsentRecord.objects.exists()


def test_an_outside_next_is_not_followed(client):
    response = client.post("/cookies/", {"action": "reject_all", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_banner_speaks_dutch_by_default(client):
    html = client.get("/privacy-statement/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    banner = html[html.index(BANNER) :]
    assert "Alles weigeren" in banner and "Alles accepteren" in banner
    assert "Analytische cookies" in banner and "Marketingcookies" in banner
    assert "Cookie-instellingen" in html


@pytest.mark.parametrize("shown", ["\u00b2", "\u0661", "1\u00b2"])
def test_a_version_that_is_no_ascii_number_is_ignored_not_a_500(client, shown):
    response = client.post(
        "/cookies/", {"action": "choose", "analytics_cookies": "on", "analytics_cookies_version": shown}
    )
    assert response.status_code == 302
    assert ConsentRecord.objects.get(purpose="analytics_cookies").given
