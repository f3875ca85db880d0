import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from incasso.accounts.models import Team
from incasso.accounts.roles import Role
from incasso.audit.models import AuditAction, AuditEvent
from incasso.backoffice.tests.conftest import login_as, make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "correct-Horse-battery-9"


@pytest.fixture
def admin(client):
    return login_as(client, "admin@example.com", Role.ADMINISTRATOR)


def test_an_administrator_creates_a_collector_in_a_team(admin):
    team = Team.objects.create(name="Team Noord")
    response = admin.post(
        reverse("backoffice:user-new"),
        {
            "email": "nieuw@example.com",
            "full_name": "Nieuwe Collega",
            "password": PASSWORD,
            "roles": ["collector"],
            "teams": [team.pk],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="nieuw@example.com")
    assert list(user.groups.values_list("name", flat=True)) == ["collector"]
    assert list(user.teams.all()) == [team] and user.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, actor=admin.user, subject_id=str(user.pk)).exists()


def test_a_weak_password_creates_nothing(admin):
    response = admin.post(
        reverse("backoffice:user-new"), {"email": "zwak@example.com", "password": "1234", "roles": []}
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="zwak@example.com").exists()


def test_roles_are_changed_and_the_last_administrator_stays(admin):
    other = User.objects.create_user("c@example.com")
    url = reverse("backoffice:user-edit", args=[other.pk])
    assert admin.post(url, {"roles": ["legal_officer"], "active": "on"}).status_code == 302
    assert list(other.groups.values_list("name", flat=True)) == ["legal_officer"]
    own = reverse("backoffice:user-edit", args=[admin.user.pk])
    assert admin.post(own, {"roles": ["collector"], "active": "on"}).status_code == 400
    assert admin.user.groups.filter(name="administrator").exists()


def test_resetting_the_second_factor_removes_the_devices(admin):
    other = User.objects.create_user("c@example.com")
    TOTPDevice.objects.create(user=other, name="phone", confirmed=True)
    response = admin.post(reverse("backoffice:user-otp-reset", args=[other.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=other).exists()


def test_only_administrators_manage_users(client):
    login_as(client, "c@example.com", Role.COLLECTOR)
    assert client.get(reverse("backoffice:users")).status_code == 403
    assert client.post(reverse("backoffice:user-new"), {"email": "x@example.com"}).status_code == 403


def test_the_user_list_names_each_role_in_the_readers_language(admin):
    make_staff("legal@example.com", Role.LEGAL_OFFICER)
    page = admin.get(reverse("backoffice:users"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    row = page.split('data-user="legal@example.com"')[1].split("</tr>")[0]
    assert "Juridisch medewerker" in row, row
    assert "legal_officer" not in row
