"""The signing secret is stored sealed under the endpoint's data key: the database alone cannot sign a webhook."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from incasso.crypto import keyring
from incasso.crypto.models import DataKey
from incasso.crypto.services import subject_key_shred
from incasso.integrations.services import integrations_retry
from incasso.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEventType
from incasso.webhooks.services import webhook_endpoint_create, webhook_event_emit

pytestmark = pytest.mark.django_db
migration = importlib.import_module("incasso.webhooks.migrations.0002_endpoint_secret_sealed_under_a_data_key")


def _stored(endpoint: WebhookEndpoint) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_webhookendpoint WHERE id = %s", [endpoint.pk])
        return str(cursor.fetchone()[0])


def test_the_secret_is_sealed_at_rest_and_opens_for_the_sender(creditor):
    endpoint, secret = webhook_endpoint_create(client=creditor, url="https://example.test/hook")
    stored = _stored(endpoint)
    assert secret not in stored and stored.startswith("e1.")
    assert DataKey.objects.get(pk=endpoint.data_key_id).subject_type == "webhooks.webhookendpoint"
    keyring.keys_cache_clear()
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret


def test_the_migration_seals_plaintext_secrets_and_its_reverse_opens_them(creditor):
    endpoint, secret = webhook_endpoint_create(client=creditor, url="https://example.test/hook")
    with connection.cursor() as cursor:  # the row as 0001 left it: the secret in plain text, no key
        cursor.execute(
            "UPDATE webhooks_webhookendpoint SET secret = %s, data_key_id = NULL WHERE id = %s", [secret, endpoint.pk]
        )
    migration.secrets_seal(apps, None)
    migration.secrets_seal(apps, None)  # re-run: nothing left to do
    assert secret not in _stored(endpoint)
    keyring.keys_cache_clear()
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret
    migration.secrets_open(apps, None)
    assert _stored(endpoint) == secret


def test_an_endpoint_whose_key_was_destroyed_gets_nothing(creditor, settings):
    settings.INCASSO_WEBHOOKS_ALLOW_LOCAL = True
    endpoint, _secret = webhook_endpoint_create(client=creditor, url="http://127.0.0.1:9/hook")
    subject_key_shred(subject=endpoint, actor="test", reason="client asked for the endpoint to be forgotten")
    webhook_event_emit(client=creditor, event=WebhookEventType.PAYOUT_MADE, payload={})
    integrations_retry()
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED
