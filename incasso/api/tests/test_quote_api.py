"""``POST /api/v1/quote`` through the HTTP stack, and its place in the OpenAPI document."""

import json

import pytest

from incasso.domain.tests.vectors import legal_vectors

URL = "/api/v1/quote"


def post(client, body):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json")


def test_every_worked_example_over_http(client):
    for case in legal_vectors()["quote"]:
        response = post(client, case["input"])
        assert response.status_code == 200, response.content
        body = response.json()
        for key, expected in case["expected"].items():
            assert body[key] == expected, (case["about"], key)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"interest": "statutory", "as_of": "2024-01-01", "claims": [], "extra": 1}, "extra"),
        ({"interest": "statutory", "as_of": "2024-01-01", "claims": []}, "claims"),
        (
            {
                "interest": "statutory",
                "as_of": "2024-13-01",
                "claims": [{"id": "A", "principal": "1", "due_date": "2023-01-01"}],
            },
            "as_of",
        ),
        (
            {
                "interest": "statutory",
                "as_of": "2024-01-01",
                "claims": [{"id": "A", "principal": "1.001", "due_date": "2023-01-01"}],
            },
            "claims[0].principal",
        ),
        (
            {
                "interest": "statutory",
                "as_of": "2024-01-01",
                "claims": [
                    {"id": "A", "principal": "1", "due_date": "2023-01-01"},
                    {"id": "A", "principal": "1", "due_date": "2023-01-01"},
                ],
            },
            "claims[1].id",
        ),
        (
            {
                "interest": "commercial",
                "as_of": "2024-01-01",
                "claims": [{"id": "A", "principal": "1", "due_date": "2010-01-01"}],
            },
            "claims[0].due_date",
        ),
        (
            # Beyond the calendar's end the interest arithmetic overflowed (a 500 before).
            {
                "interest": "statutory",
                "as_of": "9999-12-31",
                "claims": [{"id": "A", "principal": "1", "due_date": "2020-01-01"}],
            },
            "as_of",
        ),
        (
            {
                "interest": "commercial",
                "as_of": "2024-01-01",
                "claims": [{"id": "A", "principal": "1", "due_date": "2020-01-01"}],
                "costs": {"due_from": "9999-12-31"},
            },
            "costs.due_from",
        ),
        ("{broken", "$"),
        (b"\xff\xfe\x00", "$"),
        ("[]", "$"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, body, field):
    response = post(client, body)
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert response.json()["error"] == "invalid_input"


def test_the_quote_is_documented_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/quote"]["post"]
    body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(body_schema["properties"]) == {"interest", "as_of", "claims", "payments", "costs"}
    assert body_schema["properties"]["claims"]["items"]["properties"]["principal"]["type"] == "string"
    assert {"200", "422"} <= set(operation["responses"])
