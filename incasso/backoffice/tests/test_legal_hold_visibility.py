"""Legal holds follow need-to-know (P-7): listing, placing and releasing one use the same rule
(``privacy.retention.holds.legal_holds_visible``: the cases, and the debtors and clients of the clients, the user may
see). Today every role that may hold sees every case; the rule is checked here with the legal officer narrowed to a
team's clients (as a collector is), so releasing stays bound to visibility the day a holding role is narrowed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incasso.accounts import access
from incasso.accounts.models import SecurityAlert, SecurityAlertKind
from incasso.accounts.roles import Role
from incasso.audit.models import AuditEvent
from incasso.backoffice.tests.conftest import login_as, make_staff
from incasso.privacy.models import LegalHold
from incasso.privacy.retention.holds import (
    HoldOutsideCases,
    legal_hold_place,
    legal_hold_release,
    legal_holds_visible,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def holds(two_teams):
    """A hold on each client's case, on each client's debtor and on each client, placed by an administrator."""
    boss = make_staff("boss@example.com", Role.ADMINISTRATOR)
    made = {}
    for side in ("ours", "theirs"):
        case = two_teams[f"{'our' if side == 'ours' else 'their'}_case"]
        made[side] = [
            legal_hold_place(placed_by=boss, reason="court", case=case),
            legal_hold_place(placed_by=boss, reason="court", debtor=case.debtor),
            legal_hold_place(placed_by=boss, reason="court", client=two_teams[side]),
        ]
    return made


# A legal officer who works in a team (and, with the role narrowed, sees that team's clients' cases only).
TEAM_LEGAL = (Role.LEGAL_OFFICER, Role.COLLECTOR)


@pytest.fixture
def narrowed_legal_role(monkeypatch):
    """The legal officer as a role that does not see every case: only what the user's other roles allow."""
    monkeypatch.setattr(access, "ALL_CASES_ROLES", access.ALL_CASES_ROLES - {Role.LEGAL_OFFICER})


def test_a_collector_sees_the_holds_of_their_teams_client_only(two_teams, holds):
    collector = make_staff("c@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])
    assert set(legal_holds_visible(user=collector)) == set(holds["ours"])
    officer = make_staff("l@example.com", Role.LEGAL_OFFICER)
    assert set(legal_holds_visible(user=officer)) == set(holds["ours"] + holds["theirs"])


@pytest.mark.usefixtures("narrowed_legal_role")
def test_a_hold_outside_the_releasers_cases_is_not_released(two_teams, holds):
    officer = make_staff("l@example.com", *TEAM_LEGAL, clients=[two_teams["ours"]])
    for hold in holds["theirs"]:
        with pytest.raises(HoldOutsideCases):
            legal_hold_release(hold=hold, released_by=officer)
        hold.refresh_from_db()
        assert hold.released_at is None
    for hold in holds["ours"]:
        assert legal_hold_release(hold=hold, released_by=officer).released_at is not None


@pytest.mark.usefixtures("narrowed_legal_role")
def test_a_hold_outside_the_placers_cases_is_not_placed(two_teams):
    officer = make_staff("l@example.com", *TEAM_LEGAL, clients=[two_teams["ours"]])
    theirs = two_teams["their_case"]
    for subject in ({"case": theirs}, {"debtor": theirs.debtor}, {"client": two_teams["theirs"]}):
        with pytest.raises(HoldOutsideCases):
            legal_hold_place(placed_by=officer, reason="court", **subject)
    assert not LegalHold.objects.exists()


@pytest.mark.usefixtures("narrowed_legal_role")
def test_the_release_page_answers_404_and_raises_an_alert_for_a_hold_outside_the_users_cases(client, two_teams, holds):
    login_as(client, "legal@example.com", *TEAM_LEGAL, clients=[two_teams["ours"]])
    audited = AuditEvent.objects.count()
    for hold in holds["theirs"]:
        response = client.post(reverse("backoffice:legal-hold-release", args=[hold.pk]))
        assert response.status_code == 404
        hold.refresh_from_db()
        assert hold.released_at is None
    alerts = SecurityAlert.objects.filter(kind=SecurityAlertKind.OUTSIDE_CASES, user=client.user)
    assert sorted(alert.details["id"] for alert in alerts) == sorted(hold.pk for hold in holds["theirs"])
    assert not AuditEvent.objects.filter(sequence__gt=audited, action="update").exists()
    page = client.get(reverse("backoffice:legal-holds")).content.decode()
    assert all(f'data-hold="{hold.pk}"' not in page for hold in holds["theirs"])

    ours = holds["ours"][0]
    assert client.post(reverse("backoffice:legal-hold-release", args=[ours.pk])).status_code == 302
    ours.refresh_from_db()
    assert ours.released_at is not None
