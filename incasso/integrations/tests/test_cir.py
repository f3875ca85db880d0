"""The CIR check against the local register over real SOAP/HTTP with WS-Security."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from incasso.audit.models import AuditEvent
from incasso.cases.factories import CaseFactory
from incasso.cases.models import CaseHold, StaffTask
from incasso.domain.case_lifecycle import HoldKind
from incasso.integrations.cir.client import (
    CirRejected,
    CirUnavailable,
    CompanySearch,
    PersonSearch,
    Publication,
    PublicationKind,
)
from incasso.integrations.cir.services import CIR_CHECK_KIND, cir_check, cir_check_queue
from incasso.integrations.models import CircuitStatus, PendingCall
from incasso.integrations.resilience import CircuitBreaker
from incasso.integrations.services import integrations_retry
from incasso.parties.factories import DebtorFactory
from incasso.parties.models import DebtorKind

from .conftest import FAST

ON = datetime.date(2026, 11, 2)
BANKRUPTCY = Publication("F.13/26/123", "Rechtbank Amsterdam", PublicationKind.BANKRUPTCY, datetime.date(2026, 10, 20))
WSNP = Publication("R.13/26/77", "Rechtbank Den Haag", PublicationKind.DEBT_RESTRUCTURING, datetime.date(2026, 9, 1))


def _register(local_cir, debtor, publication=BANKRUPTCY):
    local_cir.add_person(
        surname=debtor.surname,
        date_of_birth=debtor.date_of_birth,
        postcode=debtor.postcode,
        house_number=debtor.house_number,
        publication=publication,
    )


def _check(cir_client, debtors, **kwargs):
    kwargs.setdefault("backoff", FAST)
    return cir_check(debtor_ids=[d.pk for d in debtors], on=ON, client=cir_client, **kwargs)


# --- the client on its own ---


def test_the_client_searches_people_and_companies(local_cir, cir_client):
    local_cir.add_person(surname="Jansen", date_of_birth=datetime.date(1980, 5, 17), publication=BANKRUPTCY)
    local_cir.add_company(kvk_number="68750110", publication=WSNP)
    person = PersonSearch("Jansen", datetime.date(1980, 5, 17), "1012 ab", "5")
    assert cir_client.search(person, timeout=5) == [BANKRUPTCY]
    assert cir_client.search(CompanySearch("68750110"), timeout=5) == [WSNP]
    assert cir_client.search(CompanySearch("90004760"), timeout=5) == []


def test_a_wrong_password_is_a_soap_fault(local_cir):
    client = local_cir.client(password="wrong")
    with pytest.raises(CirRejected, match="security token could not be authenticated"):
        client.search(CompanySearch("68750110"), timeout=5)


def test_a_slow_register_is_a_timeout(local_cir, cir_client):
    local_cir.delay_seconds = 0.5
    with pytest.raises(CirUnavailable, match="did not answer"):
        cir_client.search(CompanySearch("68750110"), timeout=0.1)


# --- the check ---


def test_a_hit_stops_every_open_case_and_tells_the_client(local_cir, cir_client, debtor):
    first, second = CaseFactory(debtor=debtor), CaseFactory(debtor=debtor)
    closed = CaseFactory(debtor=debtor, closed=True)
    _register(local_cir, debtor)

    report = _check(cir_client, [debtor])

    assert (report.checked, report.hits, report.holds_placed, report.queued) == (1, 1, 2, 0)
    holds = CaseHold.objects.filter(kind=HoldKind.INSOLVENCY.value)
    assert sorted(h.case_id for h in holds) == [first.pk, second.pk]
    assert "F.13/26/123" in holds[0].reason
    assert "Rechtbank Amsterdam" in holds[0].reason
    tasks = StaffTask.objects.filter(title="Tell the client: debtor insolvent")
    assert sorted(t.case_id for t in tasks) == [first.pk, second.pk]
    assert not CaseHold.objects.filter(case=closed).exists()
    read = AuditEvent.objects.get(action="read", source="cir")
    assert read.subject_id == str(debtor.pk)
    assert read.purpose == "debt_collection"
    assert "parties.Debtor.date_of_birth" in read.fields


def test_checking_again_changes_nothing(local_cir, cir_client, case):
    _register(local_cir, case.debtor)
    _check(cir_client, [case.debtor])
    again = _check(cir_client, [case.debtor])
    assert again.holds_placed == 0
    assert CaseHold.objects.count() == 1
    assert StaffTask.objects.count() == 1


def test_debt_restructuring_places_that_hold(local_cir, cir_client, case):
    _register(local_cir, case.debtor, WSNP)
    _check(cir_client, [case.debtor])
    assert CaseHold.objects.get().kind == HoldKind.DEBT_RESTRUCTURING.value


def test_a_company_is_searched_by_kvk_number(local_cir, cir_client, creditor):
    company = DebtorFactory(
        client=creditor,
        kind=DebtorKind.COMPANY,
        organisation_name="Bakker B.V.",
        date_of_birth=None,
        kvk_number="68750110",
    )
    case = CaseFactory(debtor=company)
    local_cir.add_company(kvk_number="68750110", publication=BANKRUPTCY)
    _check(cir_client, [company])
    assert CaseHold.objects.get().case == case


def test_no_hit_changes_nothing_but_records_the_search(local_cir, cir_client, case):
    report = _check(cir_client, [case.debtor])
    assert (report.checked, report.hits) == (1, 0)
    assert not CaseHold.objects.exists()
    assert not StaffTask.objects.exists()
    assert AuditEvent.objects.filter(action="read", source="cir").count() == 1


def test_a_wrong_password_is_a_clear_error_and_places_nothing(local_cir, case):
    _register(local_cir, case.debtor)
    client = local_cir.client(password="wrong")
    with pytest.raises(CirRejected, match="refused the search"):
        _check(client, [case.debtor])
    assert not CaseHold.objects.exists()
    assert not PendingCall.objects.exists()


def test_a_timeout_is_retried_then_queued(local_cir, cir_client, case):
    local_cir.delay_seconds = 0.4
    report = _check(cir_client, [case.debtor], timeout=0.1, retries=2)
    assert (report.checked, report.unreached, report.queued) == (0, 1, 1)
    assert local_cir.requests == 3
    pending = PendingCall.objects.get()
    assert pending.kind == CIR_CHECK_KIND
    assert pending.payload == {"debtor_id": case.debtor_id, "on": "2026-11-02"}
    assert "did not answer" in pending.last_error
    assert not CaseHold.objects.exists()


def test_the_circuit_opens_and_the_rest_fails_fast(local_cir, cir_client, creditor):
    debtors = [CaseFactory(debtor=DebtorFactory(client=creditor)).debtor for _ in range(4)]
    local_cir.fail_next = 100
    breaker = CircuitBreaker("cir", failure_threshold=3)
    report = _check(cir_client, debtors, retries=1, breaker=breaker)
    assert breaker.state() == CircuitStatus.OPEN
    assert local_cir.requests == 3  # 2 for the first debtor, 1 for the second; then the circuit is open
    assert (report.checked, report.unreached, report.queued) == (0, 4, 4)
    assert PendingCall.objects.filter(done_at__isnull=True).count() == 4


def test_retry_later_processes_the_queued_check_exactly_once(local_cir, cir_settings, case):
    local_cir.fail_next = 100
    _check(local_cir.client(), [case.debtor], retries=0)
    assert PendingCall.objects.filter(done_at__isnull=True).count() == 1

    still_down = integrations_retry()
    assert (still_down.due, still_down.failed) == (1, 1)
    pending = PendingCall.objects.get()
    assert pending.attempts == 1
    assert pending.next_attempt_at > pending.created_at  # waits with back-off
    assert "could not be checked" in pending.last_error

    local_cir.fail_next = 0
    _register(local_cir, case.debtor)
    later = pending.next_attempt_at + datetime.timedelta(seconds=1)
    assert integrations_retry(now=later).succeeded == 1
    assert integrations_retry(now=later).due == 0
    pending.refresh_from_db()
    assert pending.done_at is not None
    assert pending.attempts == 2
    assert CaseHold.objects.get().case == case
    assert StaffTask.objects.count() == 1


def test_queueing_a_debtor_twice_is_one_pending_call(db, debtor):
    assert cir_check_queue(debtor_ids=[debtor.pk, debtor.pk], on=ON) == 1
    assert cir_check_queue(debtor_ids=[debtor.pk], on=ON) == 0
    assert PendingCall.objects.count() == 1


def test_the_commands(local_cir, cir_settings, case, capsys):
    _register(local_cir, case.debtor)
    call_command("integrations", "cir-check", "--date", "2026-11-02")
    assert "checked 1, hits 1, holds placed 1" in capsys.readouterr().out
    call_command("integrations", "retry")
    assert "due 0" in capsys.readouterr().out
