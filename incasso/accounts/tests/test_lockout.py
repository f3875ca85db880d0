"""Lock-out after repeated failed log-ins and idle-session expiry (P-7), through the HTTP client."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from incasso.accounts.factories import UserFactory
from incasso.accounts.lockout import login_lockout_find, login_lockout_lift
from incasso.accounts.models import LockoutScope, LoginLockout
from incasso.accounts.roles import Role
from incasso.accounts.services import user_create
from incasso.accounts.sessions import LAST_SEEN_KEY
from incasso.accounts.testing import staff_login
from incasso.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct-Horse-battery-9"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def log_in(client, username, password, address="192.0.2.10"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **ENGLISH)


@pytest.fixture
def collector():
    return user_create(email="collector@example.com", password=PASSWORD, roles=[Role.COLLECTOR])


def test_five_failures_lock_the_name_even_for_the_right_password(client, collector):
    for _ in range(5):
        assert log_in(client, collector.username, "wrong").status_code == 200
    lockout = LoginLockout.objects.get(scope=LockoutScope.USERNAME)
    assert lockout.value == collector.username and lockout.failures == 5
    response = log_in(client, collector.username, PASSWORD)
    assert response.status_code == 200 and b"Too many failed log-ins" in response.content
    assert not response.wsgi_request.user.is_authenticated
    assert AuditEvent.objects.filter(details__lockout="locked").count() == 1


def test_an_unknown_name_is_locked_the_same_way(client):
    """No user enumeration: the answers for an unknown and a known name are the same."""
    for _ in range(5):
        log_in(client, "nobody@example.com", "wrong")
    unknown = log_in(client, "nobody@example.com", "wrong").content
    assert b"Too many failed log-ins" in unknown
    assert LoginLockout.objects.filter(value="nobody@example.com").exists()


def test_four_failures_do_not_lock(client, collector):
    for _ in range(4):
        log_in(client, collector.username, "wrong")
    assert not LoginLockout.objects.exists()
    response = log_in(client, collector.username, PASSWORD)
    assert response.status_code == 302


def test_the_lock_ends_by_itself(client, collector, settings):
    for _ in range(5):
        log_in(client, collector.username, "wrong")
    later = timezone.now() + datetime.timedelta(seconds=settings.INCASSO_LOCKOUT_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert log_in(client, collector.username, PASSWORD).status_code == 302


def test_an_administrator_lifts_a_lock_out(client, collector):
    for _ in range(5):
        log_in(client, collector.username, "wrong")
    admin = UserFactory(username="admin@example.com")
    admin.groups.add(Group.objects.get(name=Role.ADMINISTRATOR))
    staff_client = client.__class__()
    staff_login(staff_client, admin)
    page = staff_client.get(reverse("backoffice:lockouts")).content.decode()
    assert f'data-lockout="{collector.username}"' in page
    lockout = LoginLockout.objects.get()
    assert staff_client.post(reverse("backoffice:lockout-lift", args=[lockout.pk])).status_code == 302
    lockout.refresh_from_db()
    assert lockout.lifted_by == admin
    assert AuditEvent.objects.filter(details__lockout="lifted", actor=admin).exists()
    assert log_in(client, collector.username, PASSWORD).status_code == 302


def test_only_administrators_see_lock_outs(client):
    collector = UserFactory(username="c@example.com")
    collector.groups.add(Group.objects.get(name=Role.COLLECTOR))
    staff_login(client, collector)
    assert client.get(reverse("backoffice:lockouts")).status_code == 403


def test_many_names_from_one_address_lock_the_address(client, settings):
    limit = settings.INCASSO_LOCKOUT_FAILURES * 4
    for n in range(limit):
        log_in(client, f"guess{n}@example.com", "wrong", address="198.51.100.7")
    assert login_lockout_find(username="fresh@example.com", source="ip:198.51.100.7") is not None
    assert login_lockout_find(username="fresh@example.com", source="ip:198.51.100.8") is None


def test_failures_after_a_lift_count_afresh(client, collector):
    for _ in range(5):
        log_in(client, collector.username, "wrong")
    admin = UserFactory(username="admin@example.com")
    login_lockout_lift(lockout=LoginLockout.objects.get(), by=admin, source="test")
    log_in(client, collector.username, "wrong")
    assert LoginLockout.objects.count() == 1  # one new failure does not lock again
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 6


def test_staff_sessions_expire_after_the_idle_time(client, settings):
    admin = UserFactory(username="admin@example.com")
    admin.groups.add(Group.objects.get(name=Role.ADMINISTRATOR))
    staff_login(client, admin)
    assert client.get(reverse("backoffice:home")).status_code == 200
    assert isinstance(client.session[LAST_SEEN_KEY], int)
    later = timezone.now() + datetime.timedelta(seconds=settings.INCASSO_STAFF_IDLE_SECONDS + 5)
    with time_machine.travel(later, tick=False):
        response = client.get(reverse("backoffice:home"))
        assert response.status_code == 302 and response.url.startswith(reverse("login") + "?idle=1")
        assert not client.get(reverse("home")).wsgi_request.user.is_authenticated
        page = client.get(response.url, **ENGLISH).content.decode()
        assert "inactive" in page


def test_activity_keeps_the_session_alive(client, settings):
    admin = UserFactory(username="admin@example.com")
    admin.groups.add(Group.objects.get(name=Role.ADMINISTRATOR))
    staff_login(client, admin)
    step = datetime.timedelta(seconds=settings.INCASSO_STAFF_IDLE_SECONDS - 60)
    now = timezone.now()
    for n in range(1, 4):
        with time_machine.travel(now + n * step, tick=False):
            assert client.get(reverse("backoffice:home")).status_code == 200


def test_client_users_get_the_longer_idle_time(client, settings):
    user = user_create(email="klant@example.com", password=PASSWORD, roles=[Role.CLIENT_USER])
    client.force_login(user)
    between = (settings.INCASSO_STAFF_IDLE_SECONDS + settings.INCASSO_IDLE_SECONDS) // 2
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=between), tick=False):
        assert client.get(reverse("home")).wsgi_request.user.is_authenticated
