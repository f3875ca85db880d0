"""``POST /api/v1/claims`` through the HTTP stack: API keys scoped to one client, per-row errors, OpenAPI."""

import json

import pytest

from incasso.cases.models import Claim
from incasso.intake.models import ImportBatch
from incasso.intake.services import api_key_create, api_key_revoke
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.parties.models import Debtor

pytestmark = pytest.mark.django_db

URL = "/api/v1/claims"


def claim(**changes):
    return {
        "invoice_number": "F-1",
        "invoice_date": "2026-01-10",
        "due_date": "2026-02-09",
        "amount": "125.50",
        "debtor_reference": "K-1",
        "debtor_kind": "consumer",
        "given_names": "Jan",
        "surname": "Jansen",
        "postcode": "1012 AB",
        **changes,
    }


@pytest.fixture
def key(creditor):
    return api_key_create(client=creditor, name="ERP")[1]


def post(client, body, key=None, header="bearer"):
    headers = {}
    if key is not None:
        headers = {"Authorization": f"Bearer {key}"} if header == "bearer" else {"X-API-Key": key}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", headers=headers)


def test_good_claims_go_in_bad_ones_come_back_with_row_field_and_reason(client, creditor, key):
    body = [
        claim(),
        claim(invoice_number="F-2", amount=80),
        claim(invoice_number="F-3", amount="0.001", postcode="9999", email="nope"),
        claim(invoice_number="F-1"),
        "not an object",
        claim(invoice_number="F-4", ammount="1"),
    ]
    response = post(client, body, key)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "created": 2,
        "duplicates": 1,
        "rejected": [
            {"row": 3, "field": "amount", "error": "'0.001' has more than two decimals"},
            {"row": 3, "field": "postcode", "error": "'9999' is not a valid Dutch postcode (e.g. 1234 AB)"},
            {"row": 3, "field": "email", "error": "'nope' is not a valid e-mail address"},
            {"row": 5, "field": "row", "error": "is not a JSON object"},
            {"row": 6, "field": "ammount", "error": "is not a known field"},
        ],
    }
    assert Claim.objects.get(invoice_number="F-2").principal_cents == 8_000
    assert ImportBatch.objects.get().source == "rest"


def test_numbers_are_read_exactly_never_as_floats(client, creditor, key):
    response = post(
        client,
        '[{"invoice_number": "F-9", "invoice_date": "2026-01-10", "due_date": "2026-02-09", '
        '"amount": 0.1, "debtor_reference": 42, "debtor_kind": "company", "organisation_name": "X"}]',
        key,
    )
    assert response.json()["created"] == 1
    claim_ = Claim.objects.get(invoice_number="F-9")
    assert claim_.principal_cents == 10
    assert claim_.case.debtor.reference == "42"


def test_submitting_the_same_batch_twice_creates_nothing_new(client, creditor, key):
    body = [claim(), claim(invoice_number="F-2")]
    assert post(client, body, key).json()["created"] == 2
    assert post(client, body, key).json() == {"created": 0, "duplicates": 2, "rejected": []}
    assert Claim.objects.count() == 2


def test_a_key_imports_into_its_own_client_only(client, creditor, key):
    other = ClientFactory(code="other")
    theirs = DebtorFactory(client=other, reference="K-1")
    other_key = api_key_create(client=other, name="ERP")[1]
    assert post(client, [claim()], key, header="x-api-key").json()["created"] == 1
    assert post(client, [claim()], other_key).json()["created"] == 1  # same invoice number, other client
    ours = Claim.objects.get(client=creditor)
    assert ours.case.debtor.client_id == creditor.pk
    assert ours.case.debtor_id != theirs.pk
    assert Claim.objects.get(client=other).case.debtor_id == theirs.pk
    assert Debtor.objects.filter(reference="K-1").count() == 2


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-key-at-all"}, {"X-API-Key": "x"}, {"Authorization": "Basic abc"}],
)
def test_no_key_or_a_wrong_key_is_401(client, creditor, key, headers):
    response = client.post(URL, data=json.dumps([claim()]), content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert not Claim.objects.exists()


def test_a_revoked_key_is_401(client, creditor):
    api_key, key = api_key_create(client=creditor, name="old")
    api_key_revoke(api_key=api_key)
    assert post(client, [claim()], key).status_code == 401


def test_using_a_key_is_recorded(client, creditor):
    api_key, key = api_key_create(client=creditor, name="ERP")
    assert api_key.last_used_at is None
    post(client, [claim()], key)
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_more_than_a_thousand_claims_is_413(client, creditor, key):
    response = post(client, [claim(invoice_number=f"F{n}") for n in range(1_001)], key)
    assert response.status_code == 413
    assert response.json() == {
        "error": "too_many_claims",
        "message": "1001 claims in one request; send at most 1000 per request",
    }
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    ("body", "error"),
    [("{not json", "invalid_json"), ('{"claims": []}', "invalid_input")],
)
def test_a_body_that_is_not_a_list_of_claims_is_400(client, creditor, key, body, error):
    response = post(client, body, key)
    assert response.status_code == 400
    assert response.json()["error"] == error


def test_the_endpoint_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/claims"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"
    assert body["maxItems"] == 1000
    assert "invoice_number" in body["items"]["properties"]
    assert set(operation["responses"]) >= {"200", "413"}
    schemes = document["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} == {"http", "apiKey"}


def test_the_documented_fields_are_the_accepted_fields():
    from incasso.api.claims import FIELDS, ClaimIn

    assert set(ClaimIn.model_fields) == FIELDS


def test_a_body_larger_than_django_accepts_is_413(client, creditor, key):
    response = post(client, "[" + " " * 3_000_000 + "]", key)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_refusals_and_row_errors_are_english_unless_accept_language_asks_for_dutch(client, creditor, key):
    headers = {"Authorization": f"Bearer {key}"}
    english = client.post(URL, data='{"claims": []}', content_type="application/json", headers=headers)
    assert english.json() == {"error": "invalid_input", "message": "the body must be a JSON list of claims"}
    dutch = client.post(
        URL, data='{"claims": []}', content_type="application/json", headers={**headers, "Accept-Language": "nl-NL"}
    )
    assert dutch.json() == {"error": "invalid_input", "message": "het verzoek moet een JSON-lijst van vorderingen zijn"}
    german = client.post(
        URL,
        data='{"claims": []}',
        content_type="application/json",
        headers={**headers, "Accept-Language": "de, nl;q=0.5"},
    )
    assert german.json()["message"] == "het verzoek moet een JSON-lijst van vorderingen zijn"
    unknown = client.post(URL, data="[]", content_type="application/json", headers={**headers, "Accept-Language": "de"})
    assert unknown.status_code == 200
    rows = client.post(
        URL,
        data=json.dumps([claim(amount="0"), 7]),
        content_type="application/json",
        headers={**headers, "Accept-Language": "nl"},
    )
    assert rows.json()["rejected"] == [
        {"row": 1, "field": "amount", "error": "'0' is niet meer dan nul"},
        {"row": 2, "field": "row", "error": "is geen JSON-object"},
    ]
    too_many = client.post(
        URL,
        data=json.dumps([claim(invoice_number=f"F{n}") for n in range(1_001)]),
        content_type="application/json",
        headers={**headers, "Accept-Language": "nl"},
    )
    assert too_many.json() == {
        "error": "too_many_claims",
        "message": "1001 vorderingen in één verzoek; stuur er hoogstens 1000 per verzoek",
    }
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (bytes((index * 7919 + 13) % 256 for index in range(4096)), 400, "invalid_json"),
        ("[" * 100_000 + "]" * 100_000, 400, "invalid_json"),
        (b"\xff\xfe" + json.dumps([claim()]).encode("utf-16-le")[:-3], 400, "invalid_json"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Invoice>&e;</Invoice>',
            400,
            "invalid_json",
        ),
        (json.dumps([claim(description="x" * 10_000_000)]), 413, "too_large"),
        ("", 400, "invalid_json"),
    ],
    ids=["garbage", "nested", "broken-utf16", "xml-entity", "10MB-field", "empty"],
)
def test_a_hostile_body_is_refused_with_a_code_and_changes_nothing(client, creditor, key, body, status, error):
    response = post(client, body, key)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["message"]
    assert not Claim.objects.exists()
    assert not Debtor.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_well_formed_utf16_body_is_read_like_utf8(client, creditor, key):
    """JSON names its own encoding by its first bytes (RFC 4627); Python reads UTF-16 and UTF-32 as well."""
    response = post(client, json.dumps([claim()]).encode("utf-16"), key)
    assert response.status_code == 200
    assert response.json()["created"] == 1
