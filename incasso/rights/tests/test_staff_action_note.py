"""The privacy officer's action note goes through the note form (found by the hostile-input test); a refused note
comes back on the request's page with why, and what was typed kept (found walking the pages in a browser)."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("note", ["ID\x00seen", "x" * 5001])
def test_a_note_the_form_refuses_changes_nothing(client, officer_request, note):
    found = officer_request
    events = set(found.events.values_list("pk", flat=True))
    url = reverse("rights:staff_action", kwargs={"pk": found.pk, "action": "verify"})
    response = client.post(url, {"note": note})
    assert response.status_code == 400
    found.refresh_from_db()
    assert found.verified_at is None
    # The page shown again reads the request (audited as a read); nothing else was recorded.
    assert set(found.events.exclude(pk__in=events).values_list("action", flat=True)) == {"read"}
    assert response.context["form"].errors["note"]


@pytest.mark.django_db
def test_a_note_the_service_refuses_is_kept_with_the_reason(client, officer_request):
    found = officer_request
    url = reverse("rights:staff_action", kwargs={"pk": found.pk, "action": "extend"})
    assert client.post(url, {"note": "Veel gegevens"}).status_code == 302
    again = client.post(url, {"note": "Nog eens verlengen"}, HTTP_ACCEPT_LANGUAGE="nl")
    assert again.status_code == 400
    page = again.content.decode()
    assert "Nog eens verlengen</textarea>" in page
    assert "Dit verzoek is al verlengd." in page
