"""Issue 5 done-when: a collector, a client user and a debtor each see only their own cases, through the API."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from incasso.accounts.factories import ClientMembershipFactory, UserFactory
from incasso.accounts.models import Team
from incasso.accounts.roles import Role
from incasso.accounts.testing import staff_login
from incasso.audit.models import AuditAction, AuditEvent
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.debtor_portal.session import SESSION_KEY
from incasso.intake.services import api_key_create
from incasso.parties.factories import ClientFactory, DebtorFactory


@pytest.fixture
def two_clients(db):
    ours, theirs = ClientFactory(code="ours", name="Ours B.V."), ClientFactory(code="theirs", name="Theirs B.V.")
    our_debtor = DebtorFactory(client=ours)
    mine = CaseFactory(debtor=our_debtor, number="2026-100001")
    also_mine = CaseFactory(debtor=DebtorFactory(client=ours), number="2026-100002")
    other = CaseFactory(debtor=DebtorFactory(client=theirs), number="2026-200001")
    for case in (mine, also_mine, other):
        ClaimFactory(case=case, invoice_number=f"INV-{case.number}")
    return {"ours": ours, "theirs": theirs, "mine": mine, "also_mine": also_mine, "other": other}


def _numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {case["number"] for case in response.json()}


def _user(role: Role):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=role.value))
    return user


def test_api_key_sees_its_clients_cases_only(client, two_clients) -> None:
    key = api_key_create(client=two_clients["ours"], name="ERP")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert _numbers(client.get("/api/v1/cases", **auth)) == {"2026-100001", "2026-100002"}
    detail = client.get("/api/v1/cases/2026-100001", **auth)
    assert detail.status_code == 200
    assert detail.json()["claims"][0]["invoice_number"] == "INV-2026-100001"
    assert detail.json()["quote"]["total_outstanding"]
    other = client.get("/api/v1/cases/2026-200001", **auth)
    assert other.status_code == 404
    assert "2026-200001" not in other.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.READ, actor_label="api-key:ours").count() == 1


def test_client_user_session_sees_its_clients_cases_only(client, two_clients) -> None:
    user = _user(Role.CLIENT_USER)
    ClientMembershipFactory(user=user, client=two_clients["ours"])
    client.force_login(user)
    assert _numbers(client.get("/api/v1/cases")) == {"2026-100001", "2026-100002"}
    assert _numbers(client.get("/api/v1/cases", {"search": "INV-2026-100002"})) == {"2026-100002"}
    assert client.get("/api/v1/cases/2026-100002").status_code == 200
    assert client.get("/api/v1/cases/2026-200001").status_code == 404


def test_collector_sees_their_teams_cases_only(client, two_clients) -> None:
    collector = _user(Role.COLLECTOR)
    team = Team.objects.create(name="Team Theirs")
    team.clients.add(two_clients["theirs"])
    team.members.add(collector)
    staff_login(client, collector)
    assert _numbers(client.get("/api/v1/cases")) == {"2026-200001"}
    assert client.get("/api/v1/cases/2026-200001").status_code == 200
    assert client.get("/api/v1/cases/2026-100001").status_code == 404


def test_debtor_portal_session_sees_the_debtors_cases_only(client, two_clients) -> None:
    mine = two_clients["mine"]
    session = client.session
    session[SESSION_KEY] = {"debtor_id": mine.debtor_id, "case_id": mine.pk}
    session.save()
    assert _numbers(client.get("/api/v1/cases")) == {"2026-100001"}
    assert client.get("/api/v1/cases/2026-100001").status_code == 200
    assert client.get("/api/v1/cases/2026-100002").status_code == 404
    assert client.get("/api/v1/cases/2026-200001").status_code == 404


def test_anonymous_gets_nothing(client, two_clients) -> None:
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get("/api/v1/cases/2026-100001").status_code == 401


def test_case_endpoints_are_in_the_openapi_document(client, db) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/cases"]
    assert "get" in paths["/api/v1/cases/{number}"]


def test_listing_costs_the_same_queries_for_few_and_many_cases(client, two_clients, django_assert_num_queries) -> None:
    key = api_key_create(client=two_clients["ours"], name="ERP")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    with django_assert_num_queries(3):  # the key, its last use, the page of cases
        assert len(client.get("/api/v1/cases", **auth).json()) == 2
    for n in range(10):
        CaseFactory(debtor=DebtorFactory(client=two_clients["ours"]), number=f"2026-3000{n:02d}")
    with django_assert_num_queries(3):
        assert len(client.get("/api/v1/cases", **auth).json()) == 12
