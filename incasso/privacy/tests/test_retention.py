"""SPEC P-2, issue 5 item 4: the retention sweep anonymises expired collection data, in chunks, with a record."""

import datetime
import importlib
import io
import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incasso.audit.append import append_statements
from incasso.audit.models import AuditEvent
from incasso.audit.verification import audit_chain_verify
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.cases.models import CaseHold, Claim, StageEvent
from incasso.consent.identity import ConsentSubject
from incasso.consent.models import ConsentRecord, SubjectKind
from incasso.consent.services import consent_give
from incasso.crypto import keyring, primitives
from incasso.crypto.fields import BlindIndexField, instances_bulk_write, is_unavailable
from incasso.crypto.models import DataKey
from incasso.crypto.services import subject_key_shred
from incasso.parties.factories import DebtorFactory
from incasso.parties.models import Debtor
from incasso.parties.sealing import INDEX_COLUMNS
from incasso.parties.selectors import debtors_matching
from incasso.privacy.data_map import PERSONAL_FIELDS
from incasso.privacy.models import AnonymisedSubject, LegalHold, RetentionPolicy, RetentionSweep, SweepStatus
from incasso.privacy.retention import sweep as sweep_module
from incasso.privacy.retention.anonymise import DEBTOR_NEUTRAL_FIELDS, DEBTOR_STATISTICS, MARKER
from incasso.privacy.retention.policies import retention_policies_ensure
from incasso.privacy.retention.sweep import retention_sweep

pytestmark = pytest.mark.django_db
CLOSED = datetime.date(2023, 3, 15)
EXPIRES = datetime.date(2026, 3, 15)
# The window's end and the expired ids in it (with their data keys and regions: nothing is opened); on PostgreSQL the
# chunk's cases, looked up once; 12 tables of free text reached by case, 1 by letter, the dispute files (read; updated only where there are some), portal codes, the
# rectification history; the debtors' neutral values and blind indexes; the blind indexes of each other model that
# has them, and the data keys (shredding); mark them; the audit append; the record's counts; the savepoint and its
# release (the test runs inside a transaction, so a chunk's transaction is a savepoint).
INDEXED_MODELS = sum(
    any(isinstance(field, BlindIndexField) for field in model._meta.concrete_fields) for model in apps.get_models()
)
QUERIES_PER_CHUNK = 24 + (connection.vendor == "postgresql") + append_statements() + INDEXED_MODELS - 1
# The purposes with no expired data in these tests (their own tests: test_retention_aml_bookkeeping.py).
OTHERS_REMOVED = {"aml": {"removed": 0}, "bookkeeping": {"removed": 0}, "client_relationship": {"removed": 0}}
OTHERS_WOULD_REMOVE = {
    "aml": {"would_remove": 0},
    "bookkeeping": {"would_remove": 0},
    "client_relationship": {"would_remove": 0},
}


@pytest.fixture(autouse=True)
def _policies(request):
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        retention_policies_ensure()


def closed_case(debtor=None, closed_on=CLOSED, **kwargs):
    kwargs.setdefault("opened_on", datetime.date(2022, 1, 1))
    case = CaseFactory(closed=True, closed_on=closed_on, debtor=debtor or DebtorFactory(), **kwargs)
    ClaimFactory(case=case, description="Telefoon van Jan")
    StageEvent.objects.create(case=case, from_stage="reminder", to_stage="closed", actor_name="x", reason="Jan belde")
    return case


def sweep(as_of=EXPIRES, **kwargs):
    return retention_sweep(as_of=as_of, **kwargs)


def test_the_policies_are_seeded_from_the_defaults():
    policy = RetentionPolicy.objects.get(purpose="debt_collection")
    assert (policy.trigger, policy.months, policy.action, policy.active) == ("case_closed", 36, "anonymise", True)
    books = RetentionPolicy.objects.get(purpose="bookkeeping")
    assert (books.years, books.end_of_calendar_year) == (7, True)


def test_expiry_boundary_is_the_day_36_months_after_closure():
    case = closed_case()
    assert sweep(as_of=EXPIRES - datetime.timedelta(days=1)).counts == {
        "debt_collection": {"removed": 0},
        "marketing": {"removed": 0},
        **OTHERS_REMOVED,
    }
    assert not AnonymisedSubject.objects.exists()
    assert sweep().counts == {"debt_collection": {"removed": 1}, "marketing": {"removed": 0}, **OTHERS_REMOVED}
    assert AnonymisedSubject.objects.filter(debtor=case.debtor).exists()


def test_the_anonymised_debtor_keeps_statistics_and_nothing_personal():
    debtor = DebtorFactory(kind="sole_trader", organisation_name="Jan's Bakkerij", kvk_number="12345678", phone="06")
    other = DebtorFactory(client=debtor.client, iban=debtor.iban)  # still in collection: keeps everything
    case = closed_case(debtor)
    sweep()
    keyring.keys_cache_clear()
    after = Debtor.objects.get(pk=debtor.pk)
    mapped = {d.field for d in PERSONAL_FIELDS if d.model == "parties.Debtor"}
    assert mapped == set(DEBTOR_NEUTRAL_FIELDS) | set(DEBTOR_STATISTICS), "every personal field is handled"
    # The data key is destroyed: the names read as erased, the rest is empty, and nothing sealed is left behind.
    assert DataKey.objects.get(pk=debtor.data_key_id).is_destroyed
    assert after.personal_data_erased and is_unavailable(after.surname) and is_unavailable(after.organisation_name)
    assert (after.reference, after.kvk_number, after.date_of_birth) == (f"anon-{debtor.pk}", "", None)
    for name in set(DEBTOR_NEUTRAL_FIELDS) - {"reference", "surname", "organisation_name", "date_of_birth"}:
        assert getattr(after, name) == "", name
    stored = Debtor.objects.filter(pk=debtor.pk).values(*DEBTOR_NEUTRAL_FIELDS, *INDEX_COLUMNS).get()
    assert not any(str(value).startswith(primitives.PREFIX) for value in stored.values())
    assert {stored[column] for column in INDEX_COLUMNS} == {""}
    assert list(debtors_matching(client=debtor.client, iban=other.iban)) == [other]
    assert Debtor.objects.get(pk=other.pk).surname == other.surname
    # Statistics: kind, country and region; the case's amounts and dates.
    assert (after.kind, after.country) == ("sole_trader", "NL")
    assert AnonymisedSubject.objects.get(debtor=debtor).region == "10"
    assert StageEvent.objects.get(case=case).reason == MARKER
    claim = Claim.objects.get(case=case)
    assert (claim.description, claim.principal_cents) == ("", 12_500)
    event = AuditEvent.objects.get(subject_type="parties.Debtor", subject_id=str(debtor.pk))
    assert (event.action, event.source, event.purpose) == ("update", "retention sweep", "debt_collection")
    assert "crypto.DataKey (destroyed)" in event.fields


def test_the_region_is_derived_when_the_postcode_is_written():
    debtor = DebtorFactory(postcode="3511 AB")
    assert Debtor.objects.get(pk=debtor.pk).postcode_region == "35"
    debtor.postcode = "9711 CD"
    debtor.save()
    assert Debtor.objects.filter(pk=debtor.pk, postcode_region="97").exists()
    debtor.postcode = "8011 AA"  # a bulk writer of addresses (the address feed's) brings it up to date too
    instances_bulk_write([debtor], ["postcode"])
    assert Debtor.objects.filter(pk=debtor.pk, postcode_region="80").exists()
    assert DebtorFactory(postcode="").postcode_region == ""


def test_a_debtor_whose_key_is_already_destroyed_keeps_the_region_derived_before(staff_user):
    case = closed_case()
    subject_key_shred(subject=case.debtor, actor=staff_user, reason="erasure request")
    assert sweep().counts["debt_collection"] == {"removed": 1}
    assert AnonymisedSubject.objects.get(debtor=case.debtor).region == "10"
    assert Debtor.objects.get(pk=case.debtor_id).reference == f"anon-{case.debtor_id}"


def test_a_region_never_derived_is_read_from_the_postcode_before_the_key_goes(staff_user):
    # Rows written before the region was stored: the sweep opens their postcodes; a destroyed key leaves none.
    readable, shredded = closed_case(debtor=DebtorFactory(postcode="2511 CV")), closed_case()
    Debtor.objects.filter(pk__in=[readable.debtor_id, shredded.debtor_id]).update(postcode_region=None)
    subject_key_shred(subject=shredded.debtor, actor=staff_user, reason="erasure request")
    assert sweep().counts["debt_collection"] == {"removed": 2}
    regions = dict(AnonymisedSubject.objects.values_list("debtor_id", "region"))
    assert regions == {readable.debtor_id: "25", shredded.debtor_id: ""}
    assert Debtor.objects.get(pk=readable.debtor_id).postcode_region == "25"


def test_a_legal_hold_keeps_the_data(staff_user):
    on_case, on_debtor, case_hold, released = closed_case(), closed_case(), closed_case(), closed_case()
    LegalHold.objects.create(case=on_case, reason="court case", placed_by=staff_user)
    LegalHold.objects.create(debtor=on_debtor.debtor, reason="claim", until=EXPIRES)
    CaseHold.objects.create(case=case_hold, kind="legal_hold", reason="evidence")
    LegalHold.objects.create(case=released, reason="x", until=EXPIRES - datetime.timedelta(days=1))
    assert sweep().counts == {"debt_collection": {"removed": 1}, "marketing": {"removed": 0}, **OTHERS_REMOVED}
    assert list(AnonymisedSubject.objects.values_list("debtor", flat=True)) == [released.debtor_id]


def test_a_debtor_with_a_case_still_open_or_within_its_period_keeps_its_data():
    open_one, recent = closed_case(), closed_case()
    CaseFactory(debtor=open_one.debtor)
    closed_case(recent.debtor, closed_on=CLOSED + datetime.timedelta(days=1))
    assert sweep().counts == {"debt_collection": {"removed": 0}, "marketing": {"removed": 0}, **OTHERS_REMOVED}
    assert Debtor.objects.get(pk=open_one.debtor_id).surname == open_one.debtor.surname


def test_windows_without_expired_debtors_are_passed_over_and_the_rest_found():
    open_case = CaseFactory  # a debtor still in collection
    debtors = [open_case().debtor_id, open_case().debtor_id, closed_case().debtor_id]
    debtors += [open_case().debtor_id, closed_case().debtor_id, open_case().debtor_id]
    expected = [debtors[2], debtors[4]]
    for chunk_size in (1, 2, 4):
        AnonymisedSubject.objects.all().delete()
        dry = sweep(dry_run=True, chunk_size=chunk_size).counts["debt_collection"]
        assert (dry, sweep(chunk_size=chunk_size).counts["debt_collection"]) == (
            {"would_remove": 2},
            {"removed": 2},
        ), chunk_size
        assert sorted(AnonymisedSubject.objects.values_list("debtor", flat=True)) == expected


def test_a_dry_run_changes_nothing_but_its_record_and_agrees_with_the_sweep():
    debtor = closed_case().debtor
    audit_before = AuditEvent.objects.count()
    out = io.StringIO()
    call_command("retention", "sweep", "--dry-run", "--date", EXPIRES.isoformat(), stdout=out)
    assert json.loads(out.getvalue()) == {
        "debt_collection": {"would_remove": 1},
        "marketing": {"would_remove": 0},
        **OTHERS_WOULD_REMOVE,
    }
    assert Debtor.objects.get(pk=debtor.pk).surname == debtor.surname
    assert not AnonymisedSubject.objects.exists()
    assert AuditEvent.objects.count() == audit_before
    record = RetentionSweep.objects.get()
    assert (record.dry_run, record.status, record.counts) == (
        True,
        "finished",
        {"debt_collection": {"would_remove": 1}, "marketing": {"would_remove": 0}, **OTHERS_WOULD_REMOVE},
    )
    out = io.StringIO()
    call_command("retention", "sweep", "--date", EXPIRES.isoformat(), stdout=out)
    assert json.loads(out.getvalue()) == {
        "debt_collection": {"removed": 1},
        "marketing": {"removed": 0},
        **OTHERS_REMOVED,
    }


def test_a_second_run_is_a_no_op():
    closed_case()
    sweep()
    audit_after_first = AuditEvent.objects.count()
    assert sweep().counts == {"debt_collection": {"removed": 0}, "marketing": {"removed": 0}, **OTHERS_REMOVED}
    assert AuditEvent.objects.count() == audit_after_first


def test_the_command_refuses_what_it_cannot_do():
    for argv in (
        ["purge"],
        ["sweep", "--date", "x"],
        ["sweep", "--purpose", "newsletter"],
        ["sweep", "--chunk-size", "0"],
    ):
        with pytest.raises(CommandError) as raised:
            call_command("retention", *argv)
        assert raised.value.returncode == 2


def test_queries_per_chunk_are_constant():
    for _ in range(3):
        closed_case()

    def queries(chunk_size):
        AnonymisedSubject.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            sweep(chunk_size=chunk_size)
        return len(captured)

    queries(3)  # the audit chain's head row is made on first use
    one_chunk = queries(3)
    assert queries(1) == one_chunk + 2 * QUERIES_PER_CHUNK
    for _ in range(6):
        closed_case()
    assert queries(9) == one_chunk


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_sweep_keeps_its_finished_chunks(monkeypatch):
    retention_policies_ensure()
    debtors = [closed_case().debtor_id for _ in range(3)]
    real = sweep_module._anonymise_chunk

    def fail_on_second(ids, **kwargs):
        if debtors[1] in ids:
            raise RuntimeError("power cut")
        real(ids, **kwargs)

    monkeypatch.setattr(sweep_module, "_anonymise_chunk", fail_on_second)
    try:
        with pytest.raises(RuntimeError):
            sweep(chunk_size=1)
        record = RetentionSweep.objects.get()
        assert record.status == SweepStatus.INTERRUPTED
        # On PostgreSQL two chunks are written at a time: the third was written while the second failed.
        finished = [debtors[0], debtors[2]] if connection.vendor == "postgresql" else debtors[:1]
        assert sorted(AnonymisedSubject.objects.values_list("debtor", flat=True)) == finished
        assert record.counts == {
            "debt_collection": {"removed": len(finished)},
            "marketing": {"removed": 0},
            **OTHERS_REMOVED,
        }
        monkeypatch.setattr(sweep_module, "_anonymise_chunk", real)
        assert sweep(chunk_size=1).counts == {
            "debt_collection": {"removed": 3 - len(finished)},
            "marketing": {"removed": 0},
            **OTHERS_REMOVED,
        }
        assert AnonymisedSubject.objects.count() == 3
        assert audit_chain_verify().whole
    finally:
        _empty_audit_log()


def _empty_audit_log():
    """The runner empties the tables after a transactional test; the append-only trigger refuses it on SQLite."""
    triggers = importlib.import_module("incasso.audit.migrations.0002_append_only_triggers")
    forward, backward = {
        "postgresql": (triggers.PG_FORWARD, triggers.PG_BACKWARD),
        "sqlite": (triggers.SQLITE_FORWARD, triggers.SQLITE_BACKWARD),
    }[connection.vendor]
    with connection.cursor() as cursor:
        for sql in backward:
            cursor.execute(sql)
        cursor.execute("DELETE FROM audit_auditevent")
        cursor.execute("DELETE FROM audit_auditchainhead")
        for sql in forward:
            cursor.execute(sql)


def test_the_one_sweep_command_also_forgets_expired_visitors_and_its_dry_run_agrees():
    answered = datetime.datetime(2022, 1, 10, 12, tzinfo=datetime.UTC)
    for ref, at in (("o" * 20, answered), ("n" * 20, answered + datetime.timedelta(days=400))):
        subject = ConsentSubject(SubjectKind.VISITOR, ref)
        consent_give(subject=subject, purpose="analytics_cookies", where="/", method="button", language="nl", now=at)
    runs = []
    for argv in (["--dry-run"], []):
        out = io.StringIO()
        call_command("retention", "sweep", *argv, "--purpose", "marketing", "--date", "2025-01-10", stdout=out)
        runs.append(json.loads(out.getvalue()))
    assert runs == [{"marketing": {"would_remove": 1}}, {"marketing": {"removed": 1}}]
    assert set(ConsentRecord.objects.values_list("subject_ref", flat=True)) == {"n" * 20}
