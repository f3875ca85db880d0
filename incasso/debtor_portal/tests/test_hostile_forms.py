"""Regression tests of the debtor portal's refusals found by the hostile-input test (incasso/web/tests)."""

from django.urls import reverse

from incasso.debtor_portal.models import ContactChange
from incasso.parties.models import Debtor


def test_an_empty_login_post_is_refused_with_the_message(client, portal_case):
    response = client.post(reverse("debtor_portal:login"), {})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


def test_a_contact_post_that_leaves_fields_out_erases_nothing(debtor_client, portal_case):
    debtor = Debtor.objects.get(pk=portal_case.debtor_id)
    street, postcode = debtor.street, debtor.postcode
    for body in ({}, {"email": "new@example.com"}):
        response = debtor_client.post(reverse("debtor_portal:contact"), body)
        assert response.status_code == 400
        assert response.context["form"].non_field_errors()
    debtor = Debtor.objects.get(pk=portal_case.debtor_id)
    assert (debtor.street, debtor.postcode) == (street, postcode)
    assert not ContactChange.objects.exists()


def test_the_whole_contact_form_still_saves(debtor_client, portal_case):
    debtor = Debtor.objects.get(pk=portal_case.debtor_id)
    body = {name: str(getattr(debtor, name) or "") for name in ("phone", "street", "house_number", "postcode", "city")}
    response = debtor_client.post(reverse("debtor_portal:contact"), {**body, "email": "new@example.com"})
    assert response.status_code == 302
    assert Debtor.objects.get(pk=portal_case.debtor_id).email == "new@example.com"
