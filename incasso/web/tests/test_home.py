import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from incasso.accounts.factories import UserFactory
from incasso.accounts.roles import Role
from incasso.accounts.testing import staff_login
from incasso.cases.factories import CaseFactory
from incasso.domain.case_stages import Stage
from incasso.parties.factories import ClientFactory, DebtorFactory

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def count(html, name):
    return int(re.search(rf'data-count="{name}">(\d+)<', html).group(1))


@pytest.fixture
def pipeline():
    """Two clients: one with three debtors and cases in two stages, one with a debtor and no cases."""
    wholesale = ClientFactory(code="wholesale", name="Groothandel B.V.")
    debtors = DebtorFactory.create_batch(3, client=wholesale)
    CaseFactory(debtor=debtors[0])
    CaseFactory(debtor=debtors[1])
    CaseFactory(debtor=debtors[2], closed=True)
    DebtorFactory(client=ClientFactory(code="energy", name="Energie B.V."))


@pytest.fixture
def staff_client(client):
    collector = UserFactory(username="collector@example.com")
    collector.groups.add(Group.objects.get(name=Role.COLLECTOR))
    staff_login(client, collector)  # second factor verified, confidentiality statement accepted
    return client


def test_visitors_see_the_agency_and_the_log_in_but_no_figures(client, pipeline):
    html = client.get("/", **ENGLISH).content.decode()
    assert "Incasso demo agency" in html and reverse("login") in html
    assert "Groothandel B.V." not in html and 'data-count="clients"' not in html


def test_a_client_user_sees_no_agency_figures(client, pipeline):
    client.force_login(UserFactory(username="someone@client.example"))
    assert "Groothandel B.V." not in client.get("/", **ENGLISH).content.decode()


# Staff pages: the session, the user, the staff check, the second-factor device and the confidentiality
# acceptance cost five queries before the page's own.
PAGE_OVERHEAD = 5


def test_an_empty_database_gets_a_friendly_message(staff_client, django_assert_num_queries):
    client = staff_client
    with django_assert_num_queries(PAGE_OVERHEAD + 1):
        response = client.get(reverse("home"), **ENGLISH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "No data yet" in html and "incasso demo" in html


def test_home_shows_counts_and_the_pipeline_per_client(staff_client, pipeline, django_assert_num_queries):
    client = staff_client
    with django_assert_num_queries(PAGE_OVERHEAD + 2):
        response = client.get("/", **ENGLISH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Incasso demo agency" in html
    assert (count(html, "clients"), count(html, "debtors"), count(html, "open-cases")) == (2, 4, 2)
    summary = response.context["summary"]
    by_client = {row.client_name: row.counts for row in summary.rows}
    stages = list(Stage)
    assert by_client["Groothandel B.V."][stages.index(Stage.REMINDER)] == 2
    assert by_client["Groothandel B.V."][stages.index(Stage.CLOSED)] == 1
    assert by_client["Energie B.V."] == (0,) * len(Stage)
    assert "Formal demand" in html


def test_the_query_count_does_not_grow_with_the_data(staff_client, pipeline, django_assert_num_queries):
    for n in range(5):
        CaseFactory(debtor=DebtorFactory(client=ClientFactory(code=f"extra-{n}")))
    with django_assert_num_queries(PAGE_OVERHEAD + 2):
        staff_client.get("/")


def test_dutch_is_the_default_language(staff_client, pipeline):
    html = staff_client.get("/").content.decode()
    assert '<html lang="nl">' in html
    assert "Openstaande dossiers" in html and "Sommatie" in html and "Afmelden" in html


def test_english_is_available(staff_client, pipeline):
    html = staff_client.get("/", **ENGLISH).content.decode()
    assert '<html lang="en">' in html
    assert "Open cases" in html and "Log out" in html


def test_a_logged_in_user_sees_a_log_out_button(client):
    user = UserFactory(username="collector@example.com")
    client.force_login(user)
    html = client.get("/", **ENGLISH).content.decode()
    assert "collector@example.com" in html
    assert f'action="{reverse("logout")}"' in html
