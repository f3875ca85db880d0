"""The privacy page against the privacy statements: every right the statements promise can be asked for here, the
public form for someone else is linked, and the debtor learns where to complain (GDPR art. 7(3), 21(2), 77)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incasso.rights.models import RequestKind, RightsRequest, VerificationMethod


@pytest.mark.parametrize("kind", [RequestKind.OBJECTION_MARKETING, RequestKind.CONSENT_WITHDRAWAL])
def test_objection_to_marketing_and_withdrawal_of_consent_are_requests_like_the_other_rights(
    debtor_client, portal_case, kind
):
    page = debtor_client.get(reverse("debtor_portal:privacy"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'value="{kind.value}"' in page
    response = debtor_client.post(reverse("debtor_portal:privacy"), {"kind": kind.value, "message": ""})
    assert response.status_code == 302
    request = RightsRequest.objects.get()
    assert request.kind == kind.value and request.channel == "portal"
    assert request.verification_method == VerificationMethod.PORTAL_LOGIN
    assert list(request.debtors.all()) == [portal_case.debtor]


def test_the_privacy_page_links_the_public_form_for_someone_else(debtor_client):
    page = debtor_client.get(reverse("debtor_portal:privacy"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{reverse("rights:public_request")}"' in page
    assert "Asking for someone else? Use the public form" in page


def test_the_privacy_page_names_the_supervisory_authority_and_how_to_complain(debtor_client):
    english = debtor_client.get(reverse("debtor_portal:privacy"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    dutch = debtor_client.get(reverse("debtor_portal:privacy"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    for page in (english, dutch):
        assert "Autoriteit Persoonsgegevens, Postbus 93374, 2509 AJ Den Haag" in page
        assert 'href="https://www.autoriteitpersoonsgegevens.nl/"' in page
    assert "complain to the supervisory authority" in english
    assert "dien een klacht in bij de toezichthouder" in dutch
