import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from incasso.accounts.factories import UserFactory
from incasso.accounts.roles import Role
from incasso.accounts.testing import staff_login
from incasso.rights.models import RequestChannel, RequestKind
from incasso.rights.services import Requester, requests_receive


@pytest.fixture(autouse=True)
def _english():
    """These tests read the services' messages in English; the site's default language is Dutch."""
    with translation.override("en"):
        yield


@pytest.fixture
def officer_request(client):
    """A phone request for access, with a privacy officer logged in on ``client`` to handle it."""
    found = requests_receive(
        kind=RequestKind.ACCESS,
        channel=RequestChannel.PHONE,
        requester=Requester(name="Eva", email="eva@example.com"),
        actor="test",
    )[0]
    officer = UserFactory()
    officer.groups.add(Group.objects.get(name=Role.PRIVACY_OFFICER))
    staff_login(client, officer)
    return found
