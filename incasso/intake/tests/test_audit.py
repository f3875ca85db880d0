"""Every debtor an import creates or adds claims to is on the audit log: who, which door, which fields."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from incasso.accounts.factories import UserFactory
from incasso.audit.models import AuditEvent
from incasso.intake.models import ImportSource
from incasso.intake.services import claims_import
from incasso.intake.tests.conftest import FIXTURES
from incasso.intake.tests.test_import import HEADER, csv_rows
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.parties.models import Debtor

pytestmark = pytest.mark.django_db


def _events():
    return {event.subject_id: event for event in AuditEvent.objects.filter(subject_type="parties.Debtor")}


@pytest.fixture(params=[False, True], ids=["inline", "in_a_thread"])
def audit_prepared_beside(request, monkeypatch):
    """The writer's audit entries prepared at once (small chunks) or in a thread beside the claims' insert."""
    if request.param:
        monkeypatch.setattr("incasso.intake.writer.AUDIT_PREPARED_BESIDE_FROM", 1)
    return request.param


@pytest.mark.usefixtures("audit_prepared_beside")
def test_a_new_debtor_is_audited_once_with_the_fields_written_and_who_imported():
    client = ClientFactory()
    user = UserFactory(username="anna")
    rows = csv_rows(
        HEADER + "F-1,2026-01-01,2026-01-31,100,K-1,consumer,Jansen,,\n"
        "F-2,2026-01-02,2026-02-01,50,K-1,consumer,Jansen,,\n"
        "F-3,2026-01-02,2026-02-01,75,B-1,company,,Bakkerij B.V.,\n"
    )

    claims_import(client=client, rows=rows, source=ImportSource.CSV, actor=user)

    debtors = dict(Debtor.objects.filter(client=client).values_list("reference", "pk"))
    events = _events()
    assert set(events) == {str(debtors["K-1"]), str(debtors["B-1"])}
    jansen = events[str(debtors["K-1"])]
    assert (jansen.action, jansen.actor_id, jansen.actor_label) == ("create", user.pk, "anna")
    assert "csv" in jansen.source
    assert "parties.Debtor.surname" in jansen.fields
    assert "parties.Debtor.organisation_name" not in jansen.fields  # empty: not written
    assert "cases.Claim.principal_cents" in jansen.fields
    assert jansen.details["claims"] == ["F-1", "F-2"]
    assert "parties.Debtor.organisation_name" in events[str(debtors["B-1"])].fields
    call_command("audit", "verify")  # the chain stays whole


def test_claims_for_a_known_debtor_are_an_update_of_that_debtor_by_the_api_key():
    client = ClientFactory()
    known = DebtorFactory(client=client, reference="K-9")
    rows = csv_rows(HEADER + "F-9,2026-01-01,2026-01-31,100,K-9,consumer,Jansen,,\n")

    claims_import(client=client, rows=rows, source=ImportSource.REST, actor_name="API key abc123")

    (event,) = _events().values()
    assert (event.subject_id, event.action, event.actor_id) == (str(known.pk), "update", None)
    assert event.actor_label == "API key abc123"
    assert "rest" in event.source
    assert not [name for name in event.fields if name.startswith("parties.Debtor.")]


def test_duplicates_write_nothing_and_audit_nothing():
    client = ClientFactory()
    text = HEADER + "F-1,2026-01-01,2026-01-31,100,K-1,consumer,Jansen,,\n"
    claims_import(client=client, rows=csv_rows(text), source=ImportSource.CLI)
    before = AuditEvent.objects.count()

    claims_import(client=client, rows=csv_rows(text), source=ImportSource.CLI)

    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("failing", ["intake_audit_prepare", "intake_audit_record"])
@pytest.mark.usefixtures("audit_prepared_beside")
def test_a_failing_audit_write_leaves_the_chunk_unwritten(monkeypatch, failing):
    client = ClientFactory()

    def broken(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(f"incasso.intake.writer.{failing}", broken)
    with pytest.raises(RuntimeError):
        claims_import(
            client=client,
            rows=csv_rows(HEADER + "F-1,2026-01-01,2026-01-31,100,K-1,consumer,Jansen,,\n"),
            source=ImportSource.CLI,
        )

    assert not Debtor.objects.filter(client=client).exists()


def test_a_credit_note_is_an_update_of_the_credited_debtor(creditor, import_file):
    import_file(creditor, FIXTURES / "nlcius-invoice.xml")
    debtor = Debtor.objects.get(client=creditor)
    before = set(AuditEvent.objects.values_list("pk", flat=True))

    import_file(creditor, FIXTURES / "peppol-creditnote.xml")

    (event,) = AuditEvent.objects.exclude(pk__in=before).filter(subject_type="parties.Debtor")
    assert (event.subject_id, event.action, event.actor_label) == (str(debtor.pk), "update", "system")
    assert "intake.ClaimCredit.amount_cents" in event.fields
    assert len(event.details["credit_notes"]) == 1


def test_shared_field_lists_name_what_each_debtor_had_written():
    """A chunk's entries share one fields list per set of empty fields; each is what ``debtor_fields_written`` says."""
    import random

    from incasso.intake.audit import CLAIM_FIELDS, _FieldLists, debtor_fields_written
    from incasso.intake.rows import DebtorRecord

    rng = random.Random(5)  # noqa: S311 - reproducible test values
    lists = _FieldLists()
    for number in range(500):
        values = [rng.choice(["", "x"]) for _ in DebtorRecord._fields]
        values[5] = rng.choice([None, datetime.date(1980, 1, 1)])
        debtor = DebtorRecord(*values)
        assert lists.of_new(debtor) == [*debtor_fields_written(debtor), *CLAIM_FIELDS], number
    assert lists.updated == list(CLAIM_FIELDS)
    assert len(lists.created) < 500
