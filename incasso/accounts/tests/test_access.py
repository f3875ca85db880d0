"""Access control through the HTTP client (P-7): tenants apart, need-to-know, statement, second factor, alerts."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from incasso.accounts.access import access_case, access_cases, access_clients
from incasso.accounts.factories import ClientMembershipFactory, UserFactory
from incasso.accounts.models import ConfidentialityAcceptance, SecurityAlert, SecurityAlertKind, Team
from incasso.accounts.roles import Role
from incasso.accounts.services import user_create
from incasso.accounts.testing import staff_login
from incasso.audit.models import AuditAction, AuditEvent
from incasso.audit.selectors import audit_events_for_subject
from incasso.cases.factories import CaseFactory
from incasso.parties.factories import ClientFactory, DebtorFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-Horse-battery-9"


def with_role(user, role):
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def tenants():
    """Two clients, A with two cases and B with one."""
    a, b = ClientFactory(code="client-a", name="A B.V."), ClientFactory(code="client-b", name="B B.V.")
    a_cases = [CaseFactory(debtor=DebtorFactory(client=a)) for _ in range(2)]
    b_case = CaseFactory(debtor=DebtorFactory(client=b))
    return a, b, a_cases, b_case


def listed(http):
    response = http.get(reverse("backoffice:case-list"))
    assert response.status_code == 200
    return {case.number for case in response.context["cases"]}


def test_a_client_user_sees_only_their_clients_cases(client, tenants):
    a, _b, a_cases, b_case = tenants
    user = with_role(UserFactory(username="user@client-a.example"), Role.CLIENT_USER)
    ClientMembershipFactory(user=user, client=a)
    client.force_login(user)  # client users: the second factor is optional for now

    assert {case.number for case in access_cases(user=user)} == {case.number for case in a_cases}
    assert access_case(user=user, case_id=a_cases[0].pk) == a_cases[0]
    with pytest.raises(Http404):
        access_case(user=user, case_id=b_case.pk)
    assert set(access_clients(user=user)) == {a}
    # The back office is for agency staff: a client user works in the client portal.
    assert client.get(reverse("backoffice:case-list")).status_code == 403
    assert client.get(reverse("backoffice:case-detail", args=[a_cases[0].pk])).status_code == 403


def test_a_case_outside_the_users_cases_is_a_404_and_an_alert(client, tenants):
    a, _b, _a_cases, b_case = tenants
    user = with_role(UserFactory(username="user@client-a.example"), Role.CLIENT_USER)
    ClientMembershipFactory(user=user, client=a)

    with pytest.raises(Http404) as outside:
        access_case(user=user, case_id=b_case.pk)
    with pytest.raises(Http404) as missing:
        access_case(user=user, case_id=b_case.pk + 1000)
    assert str(outside.value) == str(missing.value)  # the answer does not reveal that the case exists
    alert = SecurityAlert.objects.get()
    assert (alert.kind, alert.user, alert.details["case_id"]) == (SecurityAlertKind.OUTSIDE_CASES, user, b_case.pk)
    assert not audit_events_for_subject(subject=b_case.debtor).filter(action=AuditAction.READ).exists()


def test_a_collector_sees_the_cases_of_their_teams_clients(client, tenants):
    a, _b, a_cases, b_case = tenants
    collector = with_role(UserFactory(username="collector@example.com"), Role.COLLECTOR)
    team = Team.objects.create(name="Team A")
    team.clients.add(a)
    team.members.add(collector)
    staff_login(client, collector)

    assert listed(client) == {case.number for case in a_cases}
    assert client.get(reverse("backoffice:case-detail", args=[b_case.pk])).status_code == 404


def test_a_collector_without_a_team_sees_nothing(client, tenants):
    collector = with_role(UserFactory(username="collector@example.com"), Role.COLLECTOR)
    staff_login(client, collector)
    assert listed(client) == set()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.PRIVACY_OFFICER, Role.LEGAL_OFFICER, Role.FINANCE])
def test_roles_with_the_whole_picture_see_every_case(client, tenants, role):
    _a, _b, a_cases, b_case = tenants
    staff_login(client, with_role(UserFactory(username=f"{role}@example.com"), role))
    assert listed(client) == {case.number for case in [*a_cases, b_case]}
    assert client.get(reverse("backoffice:case-detail", args=[b_case.pk])).status_code == 200


def test_anonymous_users_see_nothing(client, tenants):
    _a, _b, _a_cases, b_case = tenants
    assert client.get(reverse("backoffice:case-list")).status_code == 302
    assert client.get(reverse("backoffice:case-detail", args=[b_case.pk])).status_code == 302
    assert not access_cases(user=AnonymousUser()).exists()
    assert not access_clients(user=AnonymousUser()).exists()
    # Logged in without any role: nothing either.
    client.force_login(UserFactory(username="nobody@example.com"))
    assert client.get(reverse("backoffice:case-list")).status_code == 403


def test_a_read_is_audited_with_the_debtor_as_subject(client, tenants):
    _a, _b, _a_cases, b_case = tenants
    auditor = with_role(UserFactory(username="auditor@example.com"), Role.AUDITOR)
    staff_login(client, auditor)
    client.get(reverse("backoffice:case-detail", args=[b_case.pk]), REMOTE_ADDR="192.0.2.7")
    event = audit_events_for_subject(subject=b_case.debtor).get(action=AuditAction.READ)
    assert event.actor == auditor
    assert event.source == "ip:192.0.2.7"
    assert event.purpose == "debt_collection"
    assert event.details["case"] == b_case.number


def test_many_distinct_reads_raise_one_mass_read_alert(client, tenants, settings):
    settings.INCASSO_MASS_READ_THRESHOLD = 2
    _a, _b, a_cases, b_case = tenants
    officer = with_role(UserFactory(username="legal@example.com"), Role.LEGAL_OFFICER)
    staff_login(client, officer)
    for case in [*a_cases, b_case, a_cases[0]]:
        assert client.get(reverse("backoffice:case-detail", args=[case.pk])).status_code == 200
    alert = SecurityAlert.objects.get(kind=SecurityAlertKind.MASS_READ)
    assert alert.user == officer and alert.details["distinct_cases"] == 3


def test_reading_the_same_case_again_and_again_is_no_mass_read(client, tenants, settings):
    settings.INCASSO_MASS_READ_THRESHOLD = 2
    _a, _b, a_cases, _b_case = tenants
    officer = with_role(UserFactory(username="legal@example.com"), Role.LEGAL_OFFICER)
    staff_login(client, officer)
    for _ in range(4):
        assert client.get(reverse("backoffice:case-detail", args=[a_cases[0].pk])).status_code == 200
    assert not SecurityAlert.objects.filter(kind=SecurityAlertKind.MASS_READ).exists()


def test_staff_accept_the_confidentiality_statement_before_their_first_access(client, tenants):
    collector = with_role(UserFactory(username="collector@example.com"), Role.COLLECTOR)
    staff_login(client, collector, accept_statement=False)

    response = client.get(reverse("backoffice:case-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("confidentiality"))
    assert client.get(reverse("home")).status_code == 302

    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en")
    assert "bound to secrecy" in page.content.decode()
    version = page.context["statement"].version
    assert client.post(reverse("confidentiality"), {"accept": "no"}).status_code == 400
    accepted = client.post(reverse("confidentiality"), {"accept": version, "next": reverse("backoffice:case-list")})
    assert accepted.status_code == 302 and accepted.url == reverse("backoffice:case-list")
    assert ConfidentialityAcceptance.objects.filter(user=collector, statement__version=version).exists()
    assert client.get(reverse("backoffice:case-list")).status_code == 200


def test_the_confidentiality_form_needs_csrf(tenants):
    from django.test import Client

    http = Client(enforce_csrf_checks=True)
    collector = with_role(UserFactory(username="collector@example.com"), Role.COLLECTOR)
    staff_login(http, collector, accept_statement=False)
    assert http.post(reverse("confidentiality"), {"accept": "2026-1"}).status_code == 403


def token(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def test_staff_set_up_a_second_factor_before_any_page(client):
    collector = user_create(email="collector@example.com", password=PASSWORD, roles=[Role.COLLECTOR])
    client.post(reverse("login"), {"username": collector.username, "password": PASSWORD})

    response = client.get(reverse("backoffice:case-list"))
    assert response.status_code == 302 and response.url.startswith(reverse("second-factor-setup"))
    page = client.get(reverse("second-factor-setup"))
    assert page.context["otpauth_uri"].startswith("otpauth://totp/Incasso")
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=collector, confirmed=False)

    assert client.post(reverse("second-factor-setup"), {"token": "000000"}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the next try wait (django-otp throttling)
    confirmed = client.post(reverse("second-factor-setup"), {"token": token(device), "next": "/cases/"})
    assert confirmed.status_code == 302 and confirmed.url == "/cases/"
    device.refresh_from_db()
    assert device.confirmed
    # Verified: on to the confidentiality statement.
    assert client.get(reverse("backoffice:case-list")).url.startswith(reverse("confidentiality"))


def test_staff_with_a_device_verify_a_code_after_the_password(client):
    collector = user_create(email="collector@example.com", password=PASSWORD, roles=[Role.COLLECTOR])
    device = TOTPDevice.objects.create(user=collector, name="phone", confirmed=True)
    client.post(reverse("login"), {"username": collector.username, "password": PASSWORD})

    assert client.get(reverse("home")).url.startswith(reverse("second-factor-verify"))
    wrong = client.post(reverse("second-factor-verify"), {"token": "000000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the next try wait (django-otp throttling)
    right = client.post(reverse("second-factor-verify"), {"token": token(device)})
    assert right.status_code == 302
    assert client.get(reverse("home")).url.startswith(reverse("confidentiality"))


def test_the_demo_setting_skips_the_second_factor(client, settings):
    settings.INCASSO_DEMO_SKIP_SECOND_FACTOR = True
    collector = with_role(UserFactory(username="collector@example.com"), Role.COLLECTOR)
    client.force_login(collector)
    assert client.get(reverse("home")).url.startswith(reverse("confidentiality"))


def test_otp_reset_removes_the_devices(capsys):
    collector = with_role(UserFactory(username="collector@example.com"), Role.COLLECTOR)
    TOTPDevice.objects.create(user=collector, name="phone", confirmed=True)
    call_command("otp-reset", "collector@example.com")
    assert "1 second-factor device(s) removed" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=collector).exists()
    with pytest.raises(CommandError) as raised:
        call_command("otp-reset", "nobody@example.com")
    assert raised.value.returncode == 2


def test_five_failed_log_ins_raise_one_alert(client):
    collector = user_create(email="collector@example.com", password=PASSWORD, roles=[Role.COLLECTOR])
    for _ in range(5):
        response = client.post(reverse("login"), {"username": collector.username, "password": "wrong"})
        assert response.status_code == 200
    failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, details__username=collector.username)
    assert failures.count() == 5
    alert = SecurityAlert.objects.get()
    assert (alert.kind, alert.user, alert.details["failures"]) == (SecurityAlertKind.FAILED_LOGINS, collector, 5)


def test_the_privacy_officer_sees_and_acknowledges_alerts(client):
    alert = SecurityAlert.objects.create(kind=SecurityAlertKind.MASS_READ, details={"distinct_cases": 500})
    collector = with_role(UserFactory(username="collector@example.com"), Role.COLLECTOR)
    staff_login(client, collector)
    assert client.get(reverse("backoffice:security-alerts")).status_code == 403

    officer = with_role(UserFactory(username="privacy@example.com"), Role.PRIVACY_OFFICER)
    staff_login(client, officer)
    assert 'data-alert="mass_read"' in client.get(reverse("backoffice:security-alerts")).content.decode()
    client.post(reverse("backoffice:security-alert-acknowledge", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
