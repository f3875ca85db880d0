import pytest
from django.urls import reverse

from incasso.accounts.factories import UserFactory
from incasso.accounts.roles import Role
from incasso.accounts.services import user_create
from incasso.parties.factories import ClientFactory
from incasso.web.views import CLIENT_PORTAL_HOME

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_visitors_see_the_agency_and_the_log_in_but_no_figures(client):
    ClientFactory(code="wholesale", name="Groothandel B.V.")
    html = client.get("/", **ENGLISH).content.decode()
    assert "Incasso demo agency" in html and reverse("login") in html
    assert "Groothandel B.V." not in html and 'data-count="clients"' not in html


def test_a_user_without_a_role_sees_no_agency_figures(client):
    ClientFactory(code="wholesale", name="Groothandel B.V.")
    client.force_login(UserFactory(username="someone@client.example"))
    response = client.get("/", **ENGLISH)
    assert response.status_code == 200 and "Groothandel B.V." not in response.content.decode()


def test_a_client_user_goes_to_the_client_portal(client):
    user = user_create(email="klant@example.com", password="correct-Horse-battery-9", roles=[Role.CLIENT_USER])
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302 and response.url == reverse(CLIENT_PORTAL_HOME)


def test_dutch_is_the_default_language_and_english_is_available(client):
    html = client.get("/").content.decode()
    assert '<html lang="nl">' in html and "Inloggen" in html
    html = client.get("/", **ENGLISH).content.decode()
    assert '<html lang="en">' in html and "Log in" in html


def test_a_logged_in_user_sees_a_log_out_button(client):
    client.force_login(UserFactory(username="collector@example.com"))
    html = client.get("/", **ENGLISH).content.decode()
    assert "collector@example.com" in html
    assert f'action="{reverse("logout")}"' in html


def test_the_shell_links_the_stylesheet_htmx_and_the_privacy_statement(client):
    html = client.get("/", **ENGLISH).content.decode()
    assert "web/incasso.css" in html and "web/vendor/htmx-2.0.11.min.js" in html
    assert "Privacy statement" in html and "Complaints procedure" in html
    assert 'class="skip-link"' in html
