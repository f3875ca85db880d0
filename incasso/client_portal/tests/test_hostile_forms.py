"""Regression tests of the client portal's refusals found by the hostile-input test (incasso/web/tests)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incasso.cases.models import Claim
from incasso.client_portal.tests.test_portal import world  # noqa: F401 - the fixture
from incasso.intake.models import ImportBatch


@pytest.mark.parametrize("posted", ["abc", "a\x00b", str(2**63), "", "-1"])
def test_an_instruction_for_a_request_that_is_no_id_answers_404(client, world, posted):  # noqa: F811
    client.force_login(world["user_a"])
    response = client.post(reverse("client_portal:rights"), {"request": posted, "instruction": "erase"})
    assert response.status_code == 404


def test_an_instruction_without_a_request_answers_404(client, world):  # noqa: F811
    client.force_login(world["user_a"])
    assert client.post(reverse("client_portal:rights"), {"instruction": "erase"}).status_code == 404


@pytest.mark.parametrize("number", ["%00", "2026%00", "9" * 21])
def test_a_case_number_no_case_can_have_answers_404(client, world, number):  # noqa: F811
    client.force_login(world["user_a"])
    assert client.get(f"/client/cases/{number}/").status_code == 404
    assert client.post(f"/client/cases/{number}/legal-steps/", {"decision": "approve"}).status_code == 404


@pytest.mark.parametrize("due", ["9999-12-31", "1899-12-31"])
def test_a_claim_dated_beyond_any_plausible_day_is_a_form_error(client, world, due):  # noqa: F811
    client.force_login(world["user_a"])
    body = {
        "invoice_number": "INV-9",
        "invoice_date": "2026-01-01",
        "due_date": due,
        "amount": "10.00",
        "debtor_reference": "C-9",
        "debtor_kind": "consumer",
        "surname": "Smit",
    }
    response = client.post(reverse("client_portal:claim-new"), body)
    assert response.status_code == 200
    assert response.context["form"].errors["due_date"]
    assert not ImportBatch.objects.exists()


UPLOAD = (
    "invoice_number,invoice_date,due_date,amount,currency,debtor_reference,debtor_kind,surname,postcode,country\n"
    "INV-1,2026-01-10,9999-12-31,99.95,EUR,C-10,consumer,Smit,2511 CV,NL\n"
)


def test_an_uploaded_claim_dated_in_year_9999_is_a_row_error(client, world):  # noqa: F811
    client.force_login(world["user_a"])
    before = Claim.objects.count()
    upload = SimpleUploadedFile("claims.csv", UPLOAD.encode(), content_type="text/csv")
    response = client.post(reverse("client_portal:upload"), {"file": upload}, follow=True)
    assert response.status_code == 200
    assert Claim.objects.count() == before  # the row is rejected, with its reason
    assert "9999-12-31" in response.content.decode()
