"""The Django admin's log-in is locked out like the staff log-in: the same counter, the same lock."""

import pytest
from django.urls import reverse

from incasso.accounts.models import LockoutScope, LoginLockout
from incasso.accounts.roles import Role
from incasso.accounts.services import user_create

pytestmark = pytest.mark.django_db

PASSWORD = "correct-Horse-battery-9"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def admin_log_in(client, username, password, address="192.0.2.20"):
    data = {"username": username, "password": password, "next": "/admin/"}
    return client.post(reverse("admin:login"), data, REMOTE_ADDR=address, **ENGLISH)


@pytest.fixture
def administrator():
    return user_create(email="admin@example.com", password=PASSWORD, roles=[Role.ADMINISTRATOR])


def test_five_failures_at_the_admin_lock_the_name_even_for_the_right_password(client, administrator):
    for _ in range(5):
        assert admin_log_in(client, administrator.username, "wrong").status_code == 200
    assert LoginLockout.objects.get(scope=LockoutScope.USERNAME).value == administrator.username
    response = admin_log_in(client, administrator.username, PASSWORD)
    assert response.status_code == 200 and b"Too many failed log-ins" in response.content
    assert not response.wsgi_request.user.is_authenticated


def test_a_lock_out_from_the_staff_log_in_also_closes_the_admin(client, administrator):
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": administrator.username, "password": "wrong"},
            REMOTE_ADDR="192.0.2.21",
            **ENGLISH,
        )
    response = admin_log_in(client, administrator.username, PASSWORD, address="192.0.2.22")
    assert b"Too many failed log-ins" in response.content
    assert not response.wsgi_request.user.is_authenticated


def test_the_right_password_at_the_admin_still_logs_in_without_a_lock_out(client, administrator):
    response = admin_log_in(client, administrator.username, PASSWORD)
    assert response.status_code == 302
    assert response.wsgi_request.user.is_authenticated
