import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from incasso.accounts.roles import Role
from incasso.arrangements.models import PromiseToPay
from incasso.backoffice.tests.conftest import ENGLISH, login_as
from incasso.cases.factories import CaseFactory
from incasso.cases.models import StaffTask, TaskKind, TaskStatus
from incasso.domain.case_stages import Stage
from incasso.parties.factories import ClientFactory, DebtorFactory

pytestmark = pytest.mark.django_db


def count(html, name):
    return int(re.search(rf'data-count="{name}">(\d+)<', html).group(1))


def queue(html, key):
    return int(re.search(rf'data-queue="{key}">(\d+)<', html).group(1))


@pytest.fixture
def pipeline():
    """Two clients: one with three debtors and cases in two stages, one with a debtor and no cases."""
    wholesale = ClientFactory(code="wholesale", name="Groothandel B.V.")
    debtors = DebtorFactory.create_batch(3, client=wholesale)
    CaseFactory(debtor=debtors[0])
    CaseFactory(debtor=debtors[1])
    CaseFactory(debtor=debtors[2], closed=True)
    energy = ClientFactory(code="energy", name="Energie B.V.")
    DebtorFactory(client=energy)
    return {"wholesale": wholesale, "energy": energy}


def test_staff_are_sent_from_the_front_door_to_the_back_office(client):
    login_as(client, "admin@example.com", Role.ADMINISTRATOR)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("backoffice:home")


def test_an_empty_database_gets_a_friendly_message(client):
    login_as(client, "admin@example.com", Role.ADMINISTRATOR)
    html = client.get(reverse("backoffice:home"), **ENGLISH).content.decode()
    assert "No data yet" in html and "incasso demo" in html


def test_the_administrator_sees_the_pipeline_of_every_client(client, pipeline):
    login_as(client, "admin@example.com", Role.ADMINISTRATOR)
    response = client.get(reverse("backoffice:home"), **ENGLISH)
    html = response.content.decode()
    assert (count(html, "clients"), count(html, "debtors"), count(html, "open-cases")) == (2, 4, 2)
    by_client = {row.client_name: row.counts for row in response.context["summary"].rows}
    stages = list(Stage)
    assert by_client["Groothandel B.V."][stages.index(Stage.REMINDER)] == 2
    assert by_client["Groothandel B.V."][stages.index(Stage.CLOSED)] == 1
    assert by_client["Energie B.V."] == (0,) * len(Stage)


def test_a_collector_counts_only_the_cases_of_their_team(client, pipeline):
    login_as(client, "collector@example.com", Role.COLLECTOR, clients=[pipeline["energy"]])
    response = client.get(reverse("backoffice:home"), **ENGLISH)
    html = response.content.decode()
    assert (count(html, "clients"), count(html, "debtors"), count(html, "open-cases")) == (1, 1, 0)
    assert "Groothandel B.V." not in html


def test_the_query_count_does_not_grow_with_the_data(client, pipeline, django_assert_max_num_queries):
    login_as(client, "admin@example.com", Role.ADMINISTRATOR)
    client.get(reverse("backoffice:home"))
    with django_assert_max_num_queries(30) as first:
        client.get(reverse("backoffice:home"))
    for n in range(5):
        CaseFactory(debtor=DebtorFactory(client=ClientFactory(code=f"extra-{n}")))
    with django_assert_max_num_queries(len(first)):
        client.get(reverse("backoffice:home"))


def test_queues_count_only_the_collectors_team(client, two_teams):
    today = timezone.localdate()
    for case in (two_teams["our_case"], two_teams["their_case"]):
        case.next_measure_on = today
        case.save(update_fields=["next_measure_on"])
        StaffTask.objects.create(case=case, kind=TaskKind.DISPUTE, title="Betwist", due_on=today)
        StaffTask.objects.create(case=case, kind=TaskKind.APPROVAL, title="Akkoord", due_on=today)
        PromiseToPay.objects.create(
            case=case, promised_on=today, amount_cents=1000, due_on=today - datetime.timedelta(days=1)
        )
    login_as(client, "collector@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])
    html = client.get(reverse("backoffice:home"), **ENGLISH).content.decode()
    assert queue(html, "due-today") == 1
    assert queue(html, "promises") == 1
    assert queue(html, "disputes") == 1
    assert queue(html, "approvals") == 1
    assert queue(html, "tasks") == 2
    assert queue(html, "unmatched") == 0  # finance's queue
    queue_html = client.get(reverse("backoffice:queue", args=["due-today"]), **ENGLISH).content.decode()
    assert "2026-000101" in queue_html and "2026-000202" not in queue_html


def test_dutch_is_the_default_language(client, pipeline):
    login_as(client, "admin@example.com", Role.ADMINISTRATOR)
    html = client.get(reverse("backoffice:home")).content.decode()
    assert '<html lang="nl">' in html
    assert "Openstaande dossiers" in html and "Sommatie" in html and "Uitloggen" in html


def test_an_unknown_queue_is_404(client):
    login_as(client, "admin@example.com", Role.ADMINISTRATOR)
    assert client.get(reverse("backoffice:queue", args=["nope"])).status_code == 404


def test_working_a_task_with_htmx_returns_the_closed_row(client, two_teams):
    task = StaffTask.objects.create(
        case=two_teams["our_case"], kind=TaskKind.CALL, title="Bel", due_on=timezone.localdate()
    )
    login_as(client, "collector@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])
    url = reverse("backoffice:task-work", args=[task.pk])
    response = client.post(url, {"outcome": "Gebeld, belooft te betalen", "done": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="task-{task.pk}"' in response.content.decode() and "<html" not in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.outcome == "Gebeld, belooft te betalen"
    assert task.closed_by == client.user


def test_working_a_task_without_htmx_redirects_and_needs_an_outcome(client, two_teams):
    task = StaffTask.objects.create(
        case=two_teams["our_case"], kind=TaskKind.CALL, title="Bel", due_on=timezone.localdate()
    )
    login_as(client, "collector@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])
    url = reverse("backoffice:task-work", args=[task.pk])
    assert client.post(url, {"outcome": "  ", "done": "1"}).status_code == 422
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    response = client.post(url, {"outcome": "Niet bereikt", "done": "0", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == reverse("backoffice:home")
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED
