"""Every portal reads in Dutch (the site's default): no English label, status or warning leaks onto its pages.

A collector, a privacy officer, a client user and a debtor (through the portal's log-in) fetch their main pages and
a case page in Dutch; known English phrases must be absent and their Dutch counterparts present.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone, translation

from incasso.accounts.factories import ClientMembershipFactory, UserFactory
from incasso.accounts.models import Team
from incasso.accounts.roles import Role
from incasso.accounts.testing import staff_login
from incasso.backoffice.quote_notices import quote_notice_text
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.cases.models import Case, StaffTask, TaskKind
from incasso.communications import portal_codes
from incasso.communications.models import Letter, LetterKind, LetterStatus, PortalAccessCode
from incasso.disclosures.breaches import breach_record
from incasso.domain.case_stages import Stage
from incasso.domain.data_map import DataCategory
from incasso.domain.payment_reference import rf_for_case
from incasso.domain.quote import NOTICE_COSTS_NOT_DUE, NOTICE_RATE_UNCONFIRMED, QuoteNotice
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.parties.models import Client
from incasso.rights.models import RightsRequest

pytestmark = pytest.mark.django_db

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}
CODE = "ABCD2345"
POSTCODE = "1012 AB"

# English that used to reach Dutch pages: task kinds, breach risk, quote warnings, rights history steps.
ENGLISH = [
    "Client approval of legal steps",
    "Client approval",
    "Call the debtor",
    "Human review of an automated decision",
    "Payment arrangement to review",
    "Claim near limitation",
    "Not yet assessed",
    "collection costs are not due",
    "Collection costs are not due",
    "is unconfirmed",
    "Read by staff",
    "Identity verified",
    "What the debtor owes today",
    "Log out",
]


def _assert_dutch(response, *expected: str) -> str:
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert 'lang="nl"' in page
    leaked = [phrase for phrase in ENGLISH if phrase in page]
    assert leaked == []
    missing = [phrase for phrase in expected if phrase not in page]
    assert missing == []
    return page


def _user(*roles: str, clients: tuple[Client, ...] = ()):
    user = UserFactory()
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    if clients:
        team = Team.objects.create(name=f"team of {user.username}")
        team.clients.add(*clients)
        team.members.add(user)
    return user


@pytest.fixture
def case() -> Case:
    """An open case whose collection costs fall due later (a quote warning), with a task of every kind."""
    client = ClientFactory(code="energie", name="Energie Noord B.V.")
    today = timezone.localdate()
    case = CaseFactory(
        debtor=DebtorFactory(client=client, postcode=POSTCODE, date_of_birth=datetime.date(1980, 5, 17)),
        number="2026-000777",
        stage=Stage.AMICABLE.value,
        opened_on=today - datetime.timedelta(days=30),
        costs_due_from=today + datetime.timedelta(days=10),
    )
    ClaimFactory(
        case=case,
        invoice_date=today - datetime.timedelta(days=90),
        due_date=today - datetime.timedelta(days=60),
        principal_cents=60_000,
    )
    for kind in TaskKind:
        StaffTask.objects.create(case=case, kind=kind.value, title=f"taak {kind.value}", due_on=today)
    return case


def test_the_back_office_reads_in_dutch(client: HttpClient, case: Case) -> None:
    staff_login(client, _user(Role.COLLECTOR, clients=(case.debtor.client,)))
    _assert_dutch(client.get(reverse("backoffice:home"), **DUTCH))
    _assert_dutch(client.get(reverse("backoffice:case-list"), **DUTCH), case.number)
    _assert_dutch(
        client.get(reverse("backoffice:queue", kwargs={"key": "tasks"}), **DUTCH),
        "Debiteur bellen",
        "Goedkeuring van gerechtelijke stappen door de opdrachtgever",
    )
    _assert_dutch(
        client.get(reverse("backoffice:case-detail", kwargs={"case_id": case.pk}), **DUTCH),
        "Debiteur bellen",
        "Menselijke beoordeling van een geautomatiseerd besluit",
        "Incassokosten zijn pas verschuldigd vanaf",
    )


def test_the_privacy_pages_read_in_dutch(client: HttpClient, case: Case) -> None:
    cache.clear()  # the public form is rate limited per address
    now = timezone.now()
    breach_record(
        description="Brieven naar het verkeerde adres",
        nature="confidentiality",
        detected_at=now - datetime.timedelta(hours=2),
        became_aware_at=now - datetime.timedelta(hours=1),
        categories=[DataCategory.NAME],
        approximate_subjects=3,
        actor="test",
        now=now,
    )
    public = client.post(
        reverse("rights:public_request"),
        {"kind": "access", "name": "Jan", "email": "jan@example.nl", "message": "Graag inzage"},
        **DUTCH,
    )
    assert public.status_code == 302
    staff_login(client, _user(Role.PRIVACY_OFFICER))
    _assert_dutch(client.get(reverse("backoffice:breaches"), **DUTCH), "Nog niet beoordeeld")
    _assert_dutch(client.get(reverse("rights:staff_queue"), **DUTCH))
    detail_url = reverse("rights:staff_detail", kwargs={"pk": RightsRequest.objects.get().pk})
    client.get(detail_url, **DUTCH)  # the first read is itself a step of the history
    _assert_dutch(client.get(detail_url, **DUTCH), "Ontvangen", "Ingezien door een medewerker")


def test_the_client_portal_reads_in_dutch(client: HttpClient, case: Case) -> None:
    user = UserFactory()
    user.groups.add(Group.objects.get(name=Role.CLIENT_USER.value))
    ClientMembershipFactory(user=user, client=case.debtor.client)
    client.force_login(user)
    _assert_dutch(client.get(reverse("client_portal:dashboard"), **DUTCH))
    _assert_dutch(client.get(reverse("client_portal:cases"), **DUTCH), case.number)
    _assert_dutch(client.get(reverse("client_portal:case", kwargs={"number": case.number}), **DUTCH), case.number)


def test_the_debtor_portal_reads_in_dutch(client: HttpClient, case: Case) -> None:
    today = timezone.localdate()
    letter = Letter.objects.create(
        case=case,
        kind=LetterKind.REMINDER,
        language="nl",
        status=LetterStatus.RENDERED,
        planned_for=today,
        posted_on=today,
        rf_reference=rf_for_case(case.number),
        idempotency_key=f"test:{case.pk}:{CODE}",
    )
    PortalAccessCode.objects.create(case=case, letter=letter, code_hash=portal_codes.portal_code_hash(CODE))
    _assert_dutch(client.get(reverse("debtor_portal:login"), **DUTCH))
    login = client.post(
        reverse("debtor_portal:login"),
        {"case_number": case.number, "code": CODE, "second_factor": POSTCODE},
        REMOTE_ADDR="10.0.0.1",
        **DUTCH,
    )
    assert login.status_code == 302
    _assert_dutch(client.get(reverse("debtor_portal:cases"), **DUTCH), case.number)
    _assert_dutch(client.get(reverse("debtor_portal:case", kwargs={"case_id": case.pk}), **DUTCH), case.number)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", "Het rentepercentage van 8,15% vanaf 1 juli 2026 is nog niet bevestigd (bron: DNB)."),
        ("en", "The interest rate of 8.15% from 1 July 2026 is unconfirmed (source: DNB)."),
    ],
)
def test_an_unconfirmed_rate_is_worded_in_the_readers_language(language: str, expected: str) -> None:
    notice = QuoteNotice(
        NOTICE_RATE_UNCONFIRMED, {"rate": Decimal("8.15"), "start": datetime.date(2026, 7, 1), "source": "DNB"}
    )
    with translation.override(language):
        assert quote_notice_text(notice) == expected


def test_costs_not_yet_due_is_worded_in_dutch() -> None:
    notice = QuoteNotice(NOTICE_COSTS_NOT_DUE, {"due_from": datetime.date(2026, 12, 3)})
    with translation.override("nl"):
        assert quote_notice_text(notice) == "Incassokosten zijn pas verschuldigd vanaf 3 december 2026."
