"""What the privacy officer reads on a request's page (found by handling requests in a browser, in Dutch)."""

import pytest
from django.urls import reverse

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}


@pytest.mark.django_db
def test_each_action_says_what_it_did_not_just_done(client, officer_request):
    url = reverse("rights:staff_action", kwargs={"pk": officer_request.pk, "action": "verify"})
    page = client.post(url, {"note": "Paspoort gezien"}, follow=True, **DUTCH)
    assert [str(m) for m in page.context["messages"]] == [
        "De identiteit van de verzoeker is als gecontroleerd vastgelegd."
    ]


@pytest.mark.django_db
def test_the_data_subject_is_labelled_as_such_in_dutch(client, officer_request):
    """Labelled "Subject", it took the debtor portal's "Onderwerp" or lent it "Betrokkene": one catalogue wins."""
    page = client.get(reverse("rights:staff_detail", kwargs={"pk": officer_request.pk}), **DUTCH).content.decode()
    assert "<dt>Betrokkene</dt>" in page
