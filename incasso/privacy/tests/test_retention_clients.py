"""SPEC P-2, LEGAL.md §7: a client's contact persons are erased 36 months after the relationship ended, by the one
retention sweep, with a dry run that agrees, an audit entry per contact, and legal holds and open cases respected."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incasso.accounts.roles import Role
from incasso.audit.models import AuditEvent
from incasso.cases.factories import CaseFactory
from incasso.crypto.models import DataKey
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.parties.models import Client, ClientContact
from incasso.privacy.models import LegalHold, RetentionSweep
from incasso.privacy.retention.clients import AUDITED_FIELDS, ERASED_NAME
from incasso.privacy.retention.policies import retention_policies_ensure

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)
ENDED_37_MONTHS_AGO = datetime.date(2023, 11, 7)
ENDED_35_MONTHS_AGO = datetime.date(2024, 1, 7)
OPENED = datetime.date(2022, 1, 1)


@pytest.fixture(autouse=True)
def _policies():
    retention_policies_ensure()


def _client(ended_on: datetime.date | None, **kwargs: object) -> Client:
    client = ClientFactory(relationship_ended_on=ended_on, **kwargs)
    ClientContact.objects.create(
        client=client, name="Els de Wit", email="els@example.nl", phone="0201234567", role="CFO"
    )
    return client


def _contact(client: Client) -> ClientContact:
    return ClientContact.objects.get(client=client)


def _run(*extra: str, day: datetime.date = TODAY) -> dict[str, dict[str, int]]:
    out = io.StringIO()
    call_command(
        "retention", "sweep", *extra, "--purpose", "client_relationship", "--date", day.isoformat(), stdout=out
    )
    return json.loads(out.getvalue())


def test_contacts_go_36_months_after_the_relationship_ended_and_the_client_itself_stays():
    ended = _client(ENDED_37_MONTHS_AGO, name="Oud B.V.", kvk_number="12345678", iban="NL91ABNA0417164300")
    recent, ongoing = _client(ENDED_35_MONTHS_AGO), _client(None)

    assert _run() == {"client_relationship": {"removed": 1}}

    contact = _contact(ended)
    assert contact.personal_data_erased and str(contact.name) in {ERASED_NAME, "[gewist]"}
    assert (contact.email, contact.phone, contact.role, contact.email_index) == ("", "", "", "")
    # Crypto-shredded: the key is a tombstone, so a backup's copy of the row cannot be opened either.
    assert DataKey.objects.get(pk=contact.data_key_id).destroyed_at is not None
    assert "Els" not in json.dumps(list(ClientContact.objects.filter(pk=contact.pk).values()), default=str)
    assert Client.objects.filter(pk=ended.pk, name="Oud B.V.", kvk_number="12345678").exists()  # the books keep it
    for kept in (recent, ongoing):
        assert _contact(kept).email == "els@example.nl"
    event = AuditEvent.objects.get(subject_type="parties.ClientContact", subject_id=str(contact.pk))
    assert (event.action, event.purpose) == ("update", "client_relationship")
    assert event.fields == list(AUDITED_FIELDS)  # stored as the named set, read back expanded
    assert event.details["client"] == ended.pk and event.details["crypto_shredded"] is True
    assert _run() == {"client_relationship": {"removed": 0}}  # an erased contact is not swept again


def test_a_dry_run_changes_nothing_but_its_record_and_agrees_with_the_sweep():
    ended = _client(ENDED_37_MONTHS_AGO)
    audit_before = AuditEvent.objects.count()

    assert _run("--dry-run") == {"client_relationship": {"would_remove": 1}}

    assert _contact(ended).name == "Els de Wit"
    assert AuditEvent.objects.count() == audit_before
    assert RetentionSweep.objects.get().dry_run
    assert _run() == {"client_relationship": {"removed": 1}}


def test_a_full_dry_run_lists_the_client_relationship():
    _client(ENDED_37_MONTHS_AGO)
    out = io.StringIO()
    call_command("retention", "sweep", "--dry-run", "--date", TODAY.isoformat(), stdout=out)
    assert json.loads(out.getvalue())["client_relationship"] == {"would_remove": 1}


def test_a_legal_hold_on_a_debtor_or_case_of_the_client_keeps_its_contacts(staff_user):
    on_debtor, on_case = _client(ENDED_37_MONTHS_AGO), _client(ENDED_37_MONTHS_AGO)
    LegalHold.objects.create(debtor=DebtorFactory(client=on_debtor), reason="court case", placed_by=staff_user)
    case = CaseFactory(
        debtor=DebtorFactory(client=on_case), opened_on=OPENED, closed=True, closed_on=datetime.date(2023, 10, 1)
    )
    hold = LegalHold.objects.create(case=case, reason="court case", placed_by=staff_user)

    assert _run() == {"client_relationship": {"removed": 0}}

    hold.released_at = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    hold.save(update_fields=["released_at"])
    assert _run() == {"client_relationship": {"removed": 1}}
    assert _contact(on_case).personal_data_erased
    assert _contact(on_debtor).name == "Els de Wit"


def test_a_legal_hold_on_the_client_itself_keeps_its_contacts_until_released_or_past(staff_user):
    from incasso.privacy.retention.holds import legal_hold_place, legal_hold_release

    staff_user.groups.add(Group.objects.get(name=Role.LEGAL_OFFICER))  # who may hold what: what they may see
    held, dated = _client(ENDED_37_MONTHS_AGO), _client(ENDED_37_MONTHS_AGO)
    hold = legal_hold_place(placed_by=staff_user, reason="dispute about the invoices", client=held)
    legal_hold_place(placed_by=staff_user, reason="claim", client=dated, until=TODAY)

    assert _run() == {"client_relationship": {"removed": 0}}
    assert _run(day=TODAY + datetime.timedelta(days=1)) == {"client_relationship": {"removed": 1}}
    assert _contact(dated).personal_data_erased and _contact(held).name == "Els de Wit"

    legal_hold_release(hold=hold, released_by=staff_user)
    assert _run(day=TODAY + datetime.timedelta(days=1)) == {"client_relationship": {"removed": 1}}
    assert _contact(held).personal_data_erased
    placed = AuditEvent.objects.get(subject_type="parties.Client", subject_id=str(held.pk), action="create")
    assert placed.purpose == "client_relationship"


def test_a_client_with_a_case_still_open_keeps_its_contacts():
    client = _client(ENDED_37_MONTHS_AGO)
    case = CaseFactory(debtor=DebtorFactory(client=client), opened_on=OPENED)

    assert _run() == {"client_relationship": {"removed": 0}}

    case.stage, case.closed_reason, case.closed_on = "closed", "paid", datetime.date(2023, 10, 1)
    case.save(update_fields=["stage", "closed_reason", "closed_on"])
    assert _run() == {"client_relationship": {"removed": 1}}


def test_the_agency_itself_is_never_swept():
    agency = _client(ENDED_37_MONTHS_AGO, is_agency=True)
    assert _run() == {"client_relationship": {"removed": 0}}
    assert _contact(agency).name == "Els de Wit"


def test_a_contact_without_personal_data_left_is_not_swept():
    client = ClientFactory(relationship_ended_on=ENDED_37_MONTHS_AGO)
    # No sealed value, so no data key: nothing to erase.
    ClientContact.objects.bulk_create([ClientContact(client=client, name="")])
    assert _run() == {"client_relationship": {"removed": 0}}


def _queries_to_sweep(contacts: int) -> int:
    for _ in range(contacts):
        _client(ENDED_37_MONTHS_AGO)
    with CaptureQueriesContext(connection) as queries:
        assert _run() == {"client_relationship": {"removed": contacts}}
    return len(queries)


def test_the_sweep_is_set_based_its_statements_do_not_grow_with_the_contacts():
    _queries_to_sweep(1)  # the first audit entry creates the chain's head
    assert _queries_to_sweep(2) == _queries_to_sweep(6)
