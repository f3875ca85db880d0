import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incasso.accounts.roles import Role
from incasso.backoffice.tests.conftest import ENGLISH, login_as
from incasso.disclosures.models import Breach
from incasso.privacy.models import LegalHold
from incasso.privacy.retention.holds import legal_hold_place

pytestmark = pytest.mark.django_db


def test_the_legal_officer_places_and_releases_a_legal_hold(client, two_teams):
    login_as(client, "legal@example.com", Role.LEGAL_OFFICER)
    case = two_teams["our_case"]
    url = reverse("backoffice:legal-holds")
    assert client.post(url, {"case_number": "9999-000000", "reason": "Rechtszaak"}).status_code == 400
    assert client.post(url, {"case_number": case.number, "reason": "Rechtszaak loopt"}).status_code == 302
    hold = LegalHold.objects.get()
    assert (hold.case, hold.reason, hold.placed_by) == (case, "Rechtszaak loopt", client.user)
    assert f'data-hold="{hold.pk}"' in client.get(url).content.decode()
    client.post(reverse("backoffice:legal-hold-release", args=[hold.pk]))
    hold.refresh_from_db()
    assert hold.released_at is not None


def test_the_legal_officer_places_a_legal_hold_on_a_client(client, two_teams):
    login_as(client, "legal@example.com", Role.LEGAL_OFFICER)
    url = reverse("backoffice:legal-holds")
    ours = two_teams["ours"]
    refused = client.post(url, {"client_code": "nobody", "reason": "Geschil"}).content.decode()  # Dutch by default
    assert "Deze opdrachtgever bestaat niet." in refused and "dossier of een opdrachtgever leggen" in refused
    both = client.post(url, {"case_number": two_teams["our_case"].number, "client_code": ours.code, "reason": "x"})
    neither = client.post(url, {"reason": "x"})
    assert both.status_code == neither.status_code == 400 and not LegalHold.objects.exists()

    assert client.post(url, {"client_code": ours.code, "reason": "Geschil over facturen"}).status_code == 302
    hold = LegalHold.objects.get()
    assert (hold.client, hold.case, hold.debtor, hold.reason) == (ours, None, None, "Geschil over facturen")
    page = client.get(url, **ENGLISH).content.decode()
    assert f'data-hold="{hold.pk}"' in page and "Onze Klant B.V." in page
    # The form to place a hold is on the page once, and not inside the page's <title>.
    assert page.count('id="place-hold-heading"') == 1 and "<" not in page.split("<title>")[1].split("</title>")[0]
    client.post(reverse("backoffice:legal-hold-release", args=[hold.pk]))
    hold.refresh_from_db()
    assert hold.released_at is not None


def test_a_legal_hold_that_would_end_before_today_is_refused(client, two_teams):
    login_as(client, "legal@example.com", Role.LEGAL_OFFICER)
    url = reverse("backoffice:legal-holds")
    case = two_teams["our_case"]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    refused = client.post(url, {"case_number": case.number, "reason": "Rechtszaak", "until": yesterday.isoformat()})
    assert refused.status_code == 400 and "Een bewaarplicht kan niet eindigen voor vandaag." in refused.content.decode()
    assert not LegalHold.objects.exists()
    with pytest.raises(ValueError, match="before today"):
        legal_hold_place(placed_by=client.user, reason="Rechtszaak", case=case, until=yesterday)
    today = {"case_number": case.number, "reason": "Rechtszaak", "until": timezone.localdate().isoformat()}
    assert client.post(url, today).status_code == 302
    assert LegalHold.objects.get().until == timezone.localdate()


def test_the_auditor_sees_legal_holds_but_does_not_change_them(client, two_teams):
    login_as(client, "auditor@example.com", Role.AUDITOR)
    url = reverse("backoffice:legal-holds")
    assert client.get(url).status_code == 200
    assert client.post(url, {"case_number": two_teams["our_case"].number, "reason": "x"}).status_code == 403
    assert not LegalHold.objects.exists()


def test_the_breach_register_shows_the_72_hour_clock(client):
    aware = timezone.now() - datetime.timedelta(hours=80)
    Breach.objects.create(
        reference="BR-2026-001",
        detected_at=aware,
        became_aware_at=aware,
        description="Verkeerd geadresseerde brief",
        nature="confidentiality",
        risk="risk",
    )
    login_as(client, "privacy@example.com", Role.PRIVACY_OFFICER)
    html = client.get(reverse("backoffice:breaches"), **ENGLISH).content.decode()
    assert 'data-breach="BR-2026-001"' in html and "overdue" in html


def test_collectors_do_not_see_the_privacy_pages(client):
    login_as(client, "c@example.com", Role.COLLECTOR)
    for name in ("backoffice:breaches", "backoffice:legal-holds", "backoffice:security-alerts"):
        assert client.get(reverse(name)).status_code == 403
    nav = client.get(reverse("backoffice:home"), **ENGLISH).content.decode()
    assert "Breach register" not in nav and "Complaints" in nav
