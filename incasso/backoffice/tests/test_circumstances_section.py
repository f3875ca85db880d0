"""The debtor's circumstances on the case page: shown to and recorded by the roles that need them only (C-7)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incasso.accounts.roles import Role
from incasso.audit.models import AuditEvent
from incasso.backoffice.tests.conftest import ENGLISH, login_as
from incasso.circumstances.models import FinancialSituation, VulnerabilityFlag
from incasso.circumstances.services import vulnerability_flag_set

pytestmark = pytest.mark.django_db


def situation_post(**extra):
    return {
        "net_income": "1450.00",
        "household": "single",
        "living_situation": "tenant",
        "other_debts": "2",
        "attachments": "1",
        "source": "debtor_statement",
        "source_reference": "call",
        "obtained_on": timezone.localdate().isoformat(),
        "purpose": "debt_collection",
        "legal_basis": "6(1)(f)",
        **extra,
    }


def test_a_collector_of_the_case_records_and_sees_the_situation_and_flags(client, two_teams):
    collector = login_as(client, "collector@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])
    case = two_teams["our_case"]
    response = collector.post(reverse("backoffice:case-situation", args=[case.pk]), situation_post())
    assert response.status_code == 302 and response["Location"].endswith("#circumstances")
    stored = FinancialSituation.objects.get(debtor=case.debtor)
    assert (stored.net_income_cents, stored.recorded_by) == (145_000, collector.user)
    collector.post(
        reverse("backoffice:case-flag", args=[case.pk]), {"reason": "other", "note": "Mantelzorger voor moeder"}
    )
    flag = VulnerabilityFlag.objects.get(debtor=case.debtor)
    page = collector.get(reverse("backoffice:case-detail", args=[case.pk]), **ENGLISH)
    html = page.content.decode()
    assert "The debtor's circumstances" in html and "€1,450.00" in html and "Rents a home" in html
    assert f'data-flag="{flag.pk}"' in html and "Mantelzorger voor moeder" in html
    assert AuditEvent.objects.filter(action="read", details__situation=str(stored.pk)).exists()
    collector.post(reverse("backoffice:case-flag-lift", args=[case.pk, flag.pk]))
    flag.refresh_from_db()
    assert flag.lifted_at is not None and flag.lifted_by == collector.user


def test_the_section_is_in_dutch_too(client, two_teams):
    collector = login_as(client, "collector@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])
    html = collector.get(
        reverse("backoffice:case-detail", args=[two_teams["our_case"].pk]), HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()
    assert "Omstandigheden van de schuldenaar" in html and "Financiële situatie vastleggen" in html


def test_an_invalid_situation_is_refused_and_nothing_stored(client, two_teams):
    collector = login_as(client, "collector@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])
    case = two_teams["our_case"]
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for bad in ({"other_debts": "-1"}, {"source": "gossip"}, {"obtained_on": tomorrow}):
        response = collector.post(reverse("backoffice:case-situation", args=[case.pk]), situation_post(**bad))
        assert response.status_code == 422  # the case page again, the form open with its errors and input
        assert response.context["situation_form"].errors
    assert not FinancialSituation.objects.exists()


def test_a_collector_of_another_team_gets_404(client, two_teams):
    other = login_as(client, "other@example.com", Role.COLLECTOR, clients=[two_teams["theirs"]])
    case = two_teams["our_case"]
    assert other.post(reverse("backoffice:case-situation", args=[case.pk]), situation_post()).status_code == 404
    assert other.post(reverse("backoffice:case-flag", args=[case.pk]), {"reason": "language"}).status_code == 404
    assert not FinancialSituation.objects.exists() and not VulnerabilityFlag.objects.exists()


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ADMINISTRATOR])
def test_staff_who_do_not_need_them_neither_see_nor_record_them(client, two_teams, role):
    case = two_teams["our_case"]
    login_as(client, "finance@example.com", role)
    html = client.get(reverse("backoffice:case-detail", args=[case.pk]), **ENGLISH).content.decode()
    assert "The debtor's circumstances" not in html
    assert client.post(reverse("backoffice:case-situation", args=[case.pk]), situation_post()).status_code == 403
    assert client.post(reverse("backoffice:case-flag", args=[case.pk]), {"reason": "language"}).status_code == 403
    assert not FinancialSituation.objects.exists()


def test_the_auditor_reads_nothing_of_them_and_records_nothing(client, two_teams):
    case = two_teams["our_case"]
    login_as(client, "auditor@example.com", Role.AUDITOR)
    assert "circumstances-heading" not in client.get(reverse("backoffice:case-detail", args=[case.pk])).content.decode()
    assert client.post(reverse("backoffice:case-flag", args=[case.pk]), {"reason": "language"}).status_code == 403


def test_a_legal_officer_records_a_privacy_officer_only_reads(client, two_teams):
    case = two_teams["our_case"]
    login_as(client, "legal@example.com", Role.LEGAL_OFFICER)
    assert client.post(reverse("backoffice:case-flag", args=[case.pk]), {"reason": "language"}).status_code == 302
    flag = VulnerabilityFlag.objects.get()
    client.logout()
    login_as(client, "privacy@example.com", Role.PRIVACY_OFFICER)
    html = client.get(reverse("backoffice:case-detail", args=[case.pk]), **ENGLISH).content.decode()
    assert f'data-flag="{flag.pk}"' in html and "Flag as vulnerable" not in html
    assert client.post(reverse("backoffice:case-flag-lift", args=[case.pk, flag.pk])).status_code == 403


def test_client_users_and_anonymous_visitors_are_refused(client, two_teams, collector_user_flag):
    case = two_teams["our_case"]
    url = reverse("backoffice:case-situation", args=[case.pk])
    assert client.post(url, situation_post()).status_code == 302  # to the log-in page
    login_as(client, "klant@example.com", Role.CLIENT_USER)
    assert client.post(url, situation_post()).status_code == 403
    lift = reverse("backoffice:case-flag-lift", args=[case.pk, collector_user_flag.pk])
    assert client.post(lift).status_code == 403
    assert not FinancialSituation.objects.exists() and VulnerabilityFlag.objects.get().lifted_at is None


@pytest.fixture
def collector_user_flag(two_teams):
    from incasso.backoffice.tests.conftest import make_staff

    user = make_staff("flagger@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])
    return vulnerability_flag_set(actor=user, debtor=two_teams["our_case"].debtor, reason="language")
