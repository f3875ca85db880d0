import pytest

from incasso.accounts.roles import Role
from incasso.accounts.testing import make_staff, staff_login
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.parties.factories import ClientFactory, DebtorFactory

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def two_teams(db):
    """Two clients, each with an open case (with a claim) worked by its own team of collectors."""
    ours = ClientFactory(code="ours", name="Onze Klant B.V.")
    theirs = ClientFactory(code="theirs", name="Andere Klant B.V.")
    our_case = CaseFactory(debtor=DebtorFactory(client=ours), number="2026-000101")
    # A surname no page could show by chance (a random one can be a word of the page, as "Engels").
    their_case = CaseFactory(debtor=DebtorFactory(client=theirs, surname="Zwartkop-Verborgen"), number="2026-000202")
    ClaimFactory(case=our_case)
    ClaimFactory(case=their_case)
    return {"ours": ours, "theirs": theirs, "our_case": our_case, "their_case": their_case}


@pytest.fixture
def collector_client(client, two_teams):
    """A collector of the team of client "ours", logged in (second factor verified, statement accepted)."""
    user = make_staff("collector@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])
    staff_login(client, user)
    client.user = user
    return client


@pytest.fixture
def other_collector_client(client, two_teams):
    """A collector of the team of client "theirs"."""
    user = make_staff("other@example.com", Role.COLLECTOR, clients=[two_teams["theirs"]])
    staff_login(client, user)
    client.user = user
    return client


def login_as(client, username, *roles, clients=()):
    user = make_staff(username, *roles, clients=clients)
    staff_login(client, user)
    client.user = user
    return client
