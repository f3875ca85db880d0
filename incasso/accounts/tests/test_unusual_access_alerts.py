"""Unusual access raises an alert for the privacy officer (SPEC P-7): mass exports, and access outside the caller's
cases by callers without a user account (an API key, a debtor-portal session). Mass reads and failed log-ins:
``test_access.py``; every door's refusal: ``web/tests/test_cross_tenant.py``."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import Client as HttpClient
from django.urls import reverse

from incasso.accounts.access import (
    access_client_case,
    access_debtor_case,
    access_debtor_case_by_number,
    access_exports_check,
    access_refused,
)
from incasso.accounts.models import SecurityAlert, SecurityAlertKind
from incasso.accounts.roles import Role
from incasso.accounts.testing import make_staff, staff_login
from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.domain.data_map import ProcessingPurpose
from incasso.ledger.services import payment_receive, payout_create
from incasso.ledger.tests.conftest import eur
from incasso.parties.factories import ClientFactory, DebtorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cases():
    a, b = ClientFactory(code="a"), ClientFactory(code="b")
    return CaseFactory(debtor=DebtorFactory(client=a), number="2026-000101"), CaseFactory(
        debtor=DebtorFactory(client=b), number="2026-000202"
    )


def _alerts(kind: SecurityAlertKind = SecurityAlertKind.OUTSIDE_CASES):
    return SecurityAlert.objects.filter(kind=kind)


def test_downloading_more_exports_than_the_threshold_in_an_hour_raises_one_alert(client, settings, two_cases):
    settings.INCASSO_MASS_EXPORT_THRESHOLD = 2
    case = two_cases[0]
    ClaimFactory(case=case)
    payment_receive(case_id=case.pk, amount=eur("50.00"), received_on=case.opened_on, key="p", source="t")
    payout = payout_create(client_id=case.client_id, period_start=case.opened_on, period_end=case.opened_on, key="o")
    finance = make_staff("finance@example.com", Role.FINANCE)
    staff_login(client, finance)
    url = reverse("backoffice:payout-statement", args=[payout.pk, "csv"])
    for _ in range(2):
        assert client.get(url).status_code == 200
    assert not _alerts(SecurityAlertKind.MASS_READ).exists()  # at the threshold: no alert yet
    for _ in range(3):
        assert client.get(url).status_code == 200
    alert = _alerts(SecurityAlertKind.MASS_READ).get()  # one per hour, not one per export past it
    assert (alert.user, alert.details["exports"], alert.details["threshold"]) == (finance, 3, 2)


def test_exports_of_others_and_reads_do_not_count_as_the_users_exports(settings):
    settings.INCASSO_MASS_EXPORT_THRESHOLD = 1
    user, other = make_staff("a@example.com", Role.AUDITOR), make_staff("b@example.com", Role.AUDITOR)
    for actor, action in ((other, AuditAction.EXPORT), (other, AuditAction.EXPORT), (user, AuditAction.READ)):
        audit_record(
            actor=actor, action=action, subject=None, fields=["x"], purpose=ProcessingPurpose.SECURITY, source="t"
        )
        access_exports_check(user=user, request=None)
    assert not _alerts(SecurityAlertKind.MASS_READ).exists()


def test_an_api_key_asking_for_another_clients_case_raises_an_alert(two_cases):
    ours, theirs = two_cases
    with pytest.raises(Http404) as outside:
        access_client_case(client=ours.client, number=theirs.number)
    with pytest.raises(Http404) as missing:
        access_client_case(client=ours.client, number="2099-999999")
    assert str(outside.value) == str(missing.value)  # the answer does not say that the case exists
    alert = _alerts().get()
    assert (alert.user, alert.details["caller"], alert.details["case_id"]) == (None, "api-key:a", theirs.number)


def test_a_debtor_asking_for_another_debtors_case_raises_an_alert(two_cases):
    ours, theirs = two_cases
    with pytest.raises(Http404):
        access_debtor_case(debtor_id=ours.debtor_id, case_id=theirs.pk)
    with pytest.raises(Http404):
        access_debtor_case_by_number(debtor_id=ours.debtor_id, number=theirs.number)
    with pytest.raises(Http404):
        access_debtor_case(debtor_id=ours.debtor_id, case_id=theirs.pk + 1000)  # no such case: no alert
    assert [alert.details["caller"] for alert in _alerts()] == [f"debtor-portal:{ours.debtor_id}"] * 2
    assert access_debtor_case_by_number(debtor_id=ours.debtor_id, number=ours.number) == ours


def test_a_refusal_of_something_that_does_not_exist_raises_none():
    refusal = access_refused(caller="api-key:x", exists=False, what="payout", reference=1, request=None)
    assert isinstance(refusal, Http404) and str(refusal) == "No such payout."
    assert not SecurityAlert.objects.exists()


def test_the_privacy_officer_sees_the_alert_of_a_refused_object(two_cases):
    ours, theirs = two_cases
    collector = make_staff("c@example.com", Role.COLLECTOR, clients=[ours.client])
    officer = make_staff("p@example.com", Role.PRIVACY_OFFICER)
    http = HttpClient()
    staff_login(http, collector)
    assert http.get(reverse("backoffice:case-detail", args=[theirs.pk])).status_code == 404
    staff_login(http, officer)
    page = http.get(reverse("backoffice:security-alerts")).content.decode()
    assert "c@example.com" in page
