"""Payouts in the portal: the client's own statements download (audited), another client's do not; the payout
reaches the client's webhooks."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from incasso.audit.models import AuditAction, AuditEvent
from incasso.client_portal.tests.test_portal import client_user
from incasso.ledger.services import payment_receive, payout_create
from incasso.ledger.tests.conftest import creditor_with_terms, eur, worked_case  # noqa: F401 - fixtures
from incasso.parties.factories import ClientFactory
from incasso.webhooks.models import WebhookDelivery, WebhookEventType
from incasso.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def payout(worked_case):  # noqa: F811 - the imported fixture
    webhook_endpoint_create(client=worked_case.client, url="https://hooks.example.test/p")
    payment_receive(
        case_id=worked_case.pk, amount=eur("600.00"), received_on=datetime.date(2023, 8, 15), key="p-1", source="t"
    )
    return payout_create(
        client_id=worked_case.client_id,
        period_start=datetime.date(2023, 8, 1),
        period_end=datetime.date(2023, 8, 31),
        key="po-1",
    )


def test_the_client_downloads_its_statement_and_the_download_is_audited(client, payout) -> None:
    client.force_login(client_user(payout.client))
    listing = client.get(reverse("client_portal:payouts")).content.decode()
    assert reverse("client_portal:payout-statement", args=[payout.pk, "csv"]) in listing
    response = client.get(reverse("client_portal:payout-statement", args=[payout.pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response.content.decode().splitlines()[-1].startswith("total,")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, details__payout=payout.pk).count() == 1
    assert client.get(reverse("client_portal:payout-statement", args=[payout.pk, "exe"])).status_code == 404


def test_another_clients_user_gets_404_for_the_statement(client, payout) -> None:
    client.force_login(client_user(ClientFactory(code="other")))
    assert client.get(reverse("client_portal:payout-statement", args=[payout.pk, "pdf"])).status_code == 404
    assert str(payout.net_cents) not in client.get(reverse("client_portal:payouts")).content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_payout_is_sent_to_the_clients_webhooks(payout) -> None:
    delivery = WebhookDelivery.objects.get(event=WebhookEventType.PAYOUT_MADE)
    assert delivery.payload == {"payout": payout.pk, "period_end": "2023-08-31", "net": "128.72"}
