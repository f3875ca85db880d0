"""Staff end a debtor-portal lock from the case page, once they know the debtor (audited, team-scoped)."""

import pytest
from django.test import Client
from django.urls import reverse

from incasso.accounts.roles import Role
from incasso.audit.models import AuditAction, AuditEvent
from incasso.backoffice.tests.conftest import ENGLISH, login_as
from incasso.debtor_portal import login as login_rules
from incasso.debtor_portal.models import LoginLock
from incasso.debtor_portal.session import SESSION_KEY
from incasso.debtor_portal.tests.conftest import issue_code, portal_login_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked_case(two_teams):
    """The case of team "ours", its portal locked by a guesser with the wrong code."""
    case = two_teams["our_case"]
    issue_code(case)
    guesser = Client()
    for _ in range(login_rules.LOCK_AFTER_FAILURES):
        assert portal_login_post(guesser, case.number, code="WRONG999", ip="10.0.0.7").status_code == 400
    assert LoginLock.objects.filter(case_number=case.number).exists()
    return case


def _debtor_logs_in(case) -> bool:
    debtor = Client()
    response = portal_login_post(
        debtor, case.number, second_factor=case.debtor.date_of_birth.isoformat(), ip="10.0.0.8"
    )
    return SESSION_KEY in debtor.session and response.status_code == 302


def test_a_collector_unlocks_the_portal_from_the_case_page(client, locked_case, two_teams):
    collector = login_as(client, "collector@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])
    url = reverse("backoffice:case-detail", args=[locked_case.pk])
    page = collector.get(url, **ENGLISH).content.decode()
    assert "portal log-in is locked" in page
    unlock = reverse("backoffice:case-portal-unlock", args=[locked_case.pk])
    assert f'action="{unlock}"' in page
    assert not _debtor_logs_in(locked_case)

    response = collector.post(unlock, follow=True, **ENGLISH)

    assert response.status_code == 200
    assert "The debtor can log in to the portal again." in response.content.decode()
    assert "portal log-in is locked" not in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, details__unlocked=1)
    assert (event.actor, event.subject_id) == (collector.user, str(locked_case.debtor_id))
    assert event.fields == ["debtor_portal.LoginLock.locked_until"]
    assert _debtor_logs_in(locked_case)


def test_the_page_shows_the_button_in_dutch(client, locked_case, two_teams):
    collector = login_as(client, "collector@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])
    page = collector.get(reverse("backoffice:case-detail", args=[locked_case.pk]), HTTP_ACCEPT_LANGUAGE="nl")
    assert "Inloggen op het portaal deblokkeren" in page.content.decode()


def test_an_administrator_may_unlock_too(client, locked_case):
    admin = login_as(client, "admin@example.com", Role.ADMINISTRATOR)
    response = admin.post(reverse("backoffice:case-portal-unlock", args=[locked_case.pk]))
    assert response.status_code == 302
    assert _debtor_logs_in(locked_case)


def test_a_collector_of_another_team_cannot_unlock(client, locked_case, two_teams):
    other = login_as(client, "other@example.com", Role.COLLECTOR, clients=[two_teams["theirs"]])
    response = other.post(reverse("backoffice:case-portal-unlock", args=[locked_case.pk]))
    assert response.status_code == 404
    assert not _debtor_logs_in(locked_case)


def test_a_role_without_the_right_is_refused(client, locked_case):
    auditor = login_as(client, "auditor@example.com", Role.AUDITOR)
    response = auditor.post(reverse("backoffice:case-portal-unlock", args=[locked_case.pk]))
    assert response.status_code == 403
    assert not _debtor_logs_in(locked_case)
