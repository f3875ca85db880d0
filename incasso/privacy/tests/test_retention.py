"""SPEC P-2, issue 5 item 4: the retention sweep anonymises expired collection data, in chunks, with a record."""

import datetime
import importlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incasso.audit.models import AuditEvent
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.cases.models import CaseHold, Claim, StageEvent
from incasso.consent.identity import ConsentSubject
from incasso.consent.models import ConsentRecord, SubjectKind
from incasso.consent.services import consent_give
from incasso.parties.factories import DebtorFactory
from incasso.parties.models import Debtor
from incasso.privacy.data_map import PERSONAL_FIELDS
from incasso.privacy.models import AnonymisedSubject, LegalHold, RetentionPolicy, RetentionSweep, SweepStatus
from incasso.privacy.retention import sweep as sweep_module
from incasso.privacy.retention.anonymise import DEBTOR_NEUTRAL_FIELDS, DEBTOR_STATISTICS, MARKER
from incasso.privacy.retention.policies import retention_policies_ensure
from incasso.privacy.retention.sweep import retention_sweep

pytestmark = pytest.mark.django_db
CLOSED = datetime.date(2023, 3, 15)
EXPIRES = datetime.date(2026, 3, 15)
# Select the ids; 7 tables of free text, portal codes, the debtors (read, to seal the neutral values under each
# debtor's key, and written); mark them; audit (3); the record's counts; the savepoint and its release (the test
# runs inside a transaction, so a chunk's transaction is a savepoint). The data keys were cached when made.
QUERIES_PER_CHUNK = 18
# The purposes with no expired data in these tests (their own tests: test_retention_aml_bookkeeping.py).
OTHERS_REMOVED = {"aml": {"removed": 0}, "bookkeeping": {"removed": 0}}
OTHERS_WOULD_REMOVE = {"aml": {"would_remove": 0}, "bookkeeping": {"would_remove": 0}}


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
    case = closed_case(debtor)
    before = Debtor.objects.get(pk=debtor.pk)
    sweep()
    after = Debtor.objects.get(pk=debtor.pk)
    mapped = {d.field for d in PERSONAL_FIELDS if d.model == "parties.Debtor"}
    assert mapped == set(DEBTOR_NEUTRAL_FIELDS) | set(DEBTOR_STATISTICS), "every personal field is handled"
    for name in DEBTOR_NEUTRAL_FIELDS:
        value = getattr(after, name)
        assert value in ("", None, MARKER, f"anon-{debtor.pk}", "10"), name
        assert value != getattr(before, name) or value in ("", None), name
    assert (after.kind, after.country, after.postcode) == ("sole_trader", "NL", "10")
    assert StageEvent.objects.get(case=case).reason == MARKER
    claim = Claim.objects.get(case=case)
    assert (claim.description, claim.principal_cents) == ("", 12_500)
    event = AuditEvent.objects.get(subject_type="parties.Debtor", subject_id=str(debtor.pk))
    assert (event.action, event.source, event.purpose) == ("update", "retention sweep", "debt_collection")


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
    calls = []

    def fail_on_second(ids, **kwargs):
        calls.append(ids)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        real(ids, **kwargs)

    monkeypatch.setattr(sweep_module, "_anonymise_chunk", fail_on_second)
    try:
        with pytest.raises(RuntimeError):
            sweep(chunk_size=1)
        record = RetentionSweep.objects.get()
        assert record.status == SweepStatus.INTERRUPTED
        assert record.counts == {"debt_collection": {"removed": 1}, "marketing": {"removed": 0}, **OTHERS_REMOVED}
        assert list(AnonymisedSubject.objects.values_list("debtor", flat=True)) == debtors[:1]
        monkeypatch.setattr(sweep_module, "_anonymise_chunk", real)
        assert sweep(chunk_size=1).counts == {
            "debt_collection": {"removed": 2},
            "marketing": {"removed": 0},
            **OTHERS_REMOVED,
        }
        assert AnonymisedSubject.objects.count() == 3
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
