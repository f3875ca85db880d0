"""The intake pages of the admin site open, show no key material, and can revoke a key."""

import pytest

from incasso.intake.models import ClientApiKey
from incasso.intake.rows import ClaimRow
from incasso.intake.services import api_key_create, claims_import

pytestmark = pytest.mark.django_db


def test_the_intake_pages_open_and_never_show_a_key_hash(admin_client, creditor):
    api_key, key = api_key_create(client=creditor, name="ERP")
    claims_import(client=creditor, rows=[ClaimRow(1, invoice_number="F1")], source="rest")
    for page in ["importbatch", "clientapikey", "claimcredit"]:
        response = admin_client.get(f"/admin/intake/{page}/")
        assert response.status_code == 200, page
    detail = admin_client.get(f"/admin/intake/clientapikey/{api_key.pk}/change/")
    assert detail.status_code == 200
    assert api_key.key_hash not in detail.content.decode()
    assert key not in detail.content.decode()


def test_staff_can_revoke_keys_from_the_list(admin_client, creditor):
    api_key, _key = api_key_create(client=creditor, name="ERP")
    response = admin_client.post(
        "/admin/intake/clientapikey/", {"action": "revoke", "_selected_action": [api_key.pk]}, follow=True
    )
    assert response.status_code == 200
    assert ClientApiKey.objects.get().revoked_at is not None
