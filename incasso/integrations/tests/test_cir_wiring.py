"""The CIR check wired in: queued at intake and daily, an insolvency holds the case and e-mails the client."""

from __future__ import annotations

import datetime

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incasso.cases.factories import CaseFactory
from incasso.cases.models import CaseHold
from incasso.integrations.cir.client import Publication, PublicationKind
from incasso.integrations.cir.services import CIR_CHECK_KIND
from incasso.integrations.models import PendingCall
from incasso.integrations.services import intake_checks_queue, integrations_daily, integrations_retry
from incasso.parties.agreements import ClientContact
from incasso.parties.factories import ClientFactory, DebtorFactory

ON = datetime.date(2026, 11, 2)
BANKRUPTCY = Publication("F.13/26/123", "Rechtbank Amsterdam", PublicationKind.BANKRUPTCY, datetime.date(2026, 10, 20))


def test_intake_queues_a_check_of_each_new_debtor_once(db):
    client = ClientFactory()
    old = DebtorFactory(client=client, created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    since = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    new = [DebtorFactory(client=client) for _ in range(3)]
    DebtorFactory()  # another client's
    with CaptureQueriesContext(connection) as queries:
        assert intake_checks_queue(client_id=client.pk, since=since) == 3
    assert len(queries) == 1  # one INSERT ... SELECT, however many debtors are new
    keys = set(PendingCall.objects.filter(kind=CIR_CHECK_KIND).values_list("dedupe_key", flat=True))
    assert keys == {f"{CIR_CHECK_KIND}:debtor:{d.pk}" for d in new}
    assert f"{CIR_CHECK_KIND}:debtor:{old.pk}" not in keys
    assert intake_checks_queue(client_id=client.pk, since=since) == 0  # still pending: not twice


def test_the_daily_run_queues_open_cases_only(db):
    open_cases = [CaseFactory() for _ in range(2)]
    CaseFactory(closed=True)
    integrations_daily(on=ON)
    debtors = {int(p["debtor_id"]) for p in PendingCall.objects.values_list("payload", flat=True)}
    assert debtors == {c.debtor_id for c in open_cases}
    integrations_daily(on=ON)
    assert PendingCall.objects.count() == 2


def test_the_daily_queueing_is_one_statement_with_the_payload_and_key_of_a_single_queueing(
    db, django_assert_num_queries
):
    cases = [CaseFactory() for _ in range(3)]
    CaseFactory(debtor=cases[0].debtor)  # a debtor with two open cases is checked once
    with django_assert_num_queries(1):
        assert integrations_daily(on=ON) == 3
    calls = {call.dedupe_key: call for call in PendingCall.objects.all()}
    expected = {f"{CIR_CHECK_KIND}:debtor:{case.debtor_id}": case.debtor_id for case in cases}
    assert set(calls) == set(expected)
    for key, debtor_id in expected.items():
        call = calls[key]
        assert (call.kind, call.payload, call.attempts, call.last_error) == (
            CIR_CHECK_KIND,
            {"debtor_id": debtor_id, "on": ON.isoformat()},
            0,
            "",
        )
        assert call.done_at is None and call.next_attempt_at is not None
    PendingCall.objects.filter(dedupe_key=f"{CIR_CHECK_KIND}:debtor:{cases[1].debtor_id}").update(
        done_at=datetime.datetime(2026, 11, 2, 12, tzinfo=datetime.UTC)
    )
    assert integrations_daily(on=ON + datetime.timedelta(days=1)) == 1  # only the one whose check was done
    assert PendingCall.objects.filter(done_at__isnull=True).count() == 3


def test_an_insolvency_found_by_the_retry_holds_the_case_and_emails_the_client(
    db, cir_settings, local_cir, django_capture_on_commit_callbacks
):
    client = ClientFactory()
    ClientContact.objects.create(client=client, name="Credit Desk", email="credit@client.example")
    debtor = DebtorFactory(client=client, surname="Jansen", date_of_birth=datetime.date(1980, 5, 17))
    case = CaseFactory(debtor=debtor)
    local_cir.add_person(surname="Jansen", date_of_birth=datetime.date(1980, 5, 17), publication=BANKRUPTCY)
    integrations_daily(on=ON)
    with django_capture_on_commit_callbacks(execute=True):
        report = integrations_retry()
    assert report.succeeded == 1
    assert CaseHold.objects.filter(case=case, lifted_at__isnull=True).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["credit@client.example"]
    assert case.number in mail.outbox[0].subject and "F.13/26/123" in mail.outbox[0].body
    # The next day's check finds the same publication: the hold stands, the client is not mailed again.
    integrations_daily(on=ON + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        integrations_retry()
    assert len(mail.outbox) == 1
