"""The end of a client relationship (SPEC P-2: client data is kept 36 months after it): set by an administrator,
through the admin or the service, and audited, because the retention sweep counts from it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incasso.audit.models import AuditEvent
from incasso.parties.factories import ClientFactory
from incasso.parties.models import Client
from incasso.parties.services import client_relationship_end

pytestmark = pytest.mark.django_db

ENDED = datetime.date(2026, 1, 31)


def _events(client: Client) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(subject_type="parties.Client", subject_id=str(client.pk)).order_by("pk"))


def test_ending_a_relationship_records_the_day_and_audits_who_set_it():
    client = ClientFactory()
    client_relationship_end(client=client, ended_on=ENDED, actor="backoffice", source="test")
    client_relationship_end(client=client, ended_on=None, actor="backoffice", source="test")  # resumed after all

    client.refresh_from_db()
    assert client.relationship_ended_on is None
    first, second = _events(client)
    assert (first.purpose, first.fields, first.details) == (
        "client_relationship",
        ["parties.Client.relationship_ended_on"],
        {"from": None, "to": "2026-01-31"},
    )
    assert second.details == {"from": "2026-01-31", "to": None}


def test_a_relationship_cannot_end_in_the_future():
    client = ClientFactory()
    with pytest.raises(ValueError, match="still to come"):
        client_relationship_end(
            client=client, ended_on=timezone.localdate() + datetime.timedelta(days=1), actor="x", source="test"
        )
    assert not _events(client)


def _post(admin_client, client: Client, ended_on: str):
    data = {
        "code": client.code,
        "name": client.name,
        "kind": client.kind,
        "kvk_number": client.kvk_number,
        "iban": client.iban,
        "vat_deductible": "on",
        "relationship_ended_on": ended_on,
    }
    return admin_client.post(reverse("admin:parties_client_change", args=[client.pk]), data)


def test_an_administrator_sets_the_end_in_the_admin_and_it_is_audited(admin_client, admin_user):
    client = ClientFactory()
    assert _post(admin_client, client, ENDED.isoformat()).status_code == 302

    client.refresh_from_db()
    assert client.relationship_ended_on == ENDED
    (event,) = _events(client)
    assert (event.actor_label, event.details["to"]) == (admin_user.get_username(), "2026-01-31")

    assert _post(admin_client, client, ENDED.isoformat()).status_code == 302  # unchanged: nothing new to audit
    assert len(_events(client)) == 1


def test_the_admin_refuses_an_end_in_the_future(admin_client):
    client = ClientFactory()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _post(admin_client, client, tomorrow.isoformat())
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("relationship_ended_on", code="future")
    client.refresh_from_db()
    assert client.relationship_ended_on is None
