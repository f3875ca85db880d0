import pytest
from django.urls import reverse

from incasso.accounts.roles import Role
from incasso.accounts.services import user_create

pytestmark = pytest.mark.django_db

PASSWORD = "correct-Horse-battery-9"


@pytest.fixture
def collector():
    return user_create(email="collector@example.com", password=PASSWORD, roles=[Role.COLLECTOR])


def test_the_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content and b'name="password"' in response.content


def test_logging_in_and_out(client, collector):
    response = client.post(reverse("login"), {"username": "collector@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    # Staff: the password alone leads to setting up the second factor, not to the home page.
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("second-factor-setup"))
    assert response.context["user"].is_authenticated

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not client.get("/").context["user"].is_authenticated


def test_a_wrong_password_is_refused(client, collector):
    response = client.post(
        reverse("login"), {"username": "collector@example.com", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert b"did not match" in response.content
