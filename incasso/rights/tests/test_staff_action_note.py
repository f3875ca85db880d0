"""The privacy officer's action note goes through the note form (found by the hostile-input test)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from incasso.accounts.factories import UserFactory
from incasso.accounts.roles import Role
from incasso.accounts.testing import staff_login
from incasso.rights.models import RequestChannel, RequestKind
from incasso.rights.services import Requester, requests_receive


@pytest.mark.django_db
@pytest.mark.parametrize("note", ["ID\x00seen", "x" * 5001])
def test_a_note_the_form_refuses_changes_nothing(client, note):
    found = requests_receive(
        kind=RequestKind.ACCESS,
        channel=RequestChannel.PHONE,
        requester=Requester(name="Eva", email="eva@example.com"),
        actor="test",
    )[0]
    officer = UserFactory()
    officer.groups.add(Group.objects.get(name=Role.PRIVACY_OFFICER))
    staff_login(client, officer)
    events = found.events.count()
    url = reverse("rights:staff_action", kwargs={"pk": found.pk, "action": "verify"})
    response = client.post(url, {"note": note})
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.verified_at is None and found.events.count() == events
    page = client.get(response["Location"])
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
