"""The audit log: recorded in the caller's transaction, hash-chained, append-only in the database, verifiable."""

import importlib
import io
import itertools

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from incasso.audit.append import append_statements
from incasso.audit.errors import AuditOutsideTransaction
from incasso.audit.models import AuditAction, AuditChainHead, AuditEvent
from incasso.audit.selectors import audit_events_by_actor, audit_events_for_subject
from incasso.audit.services import AuditEntry, audit_record, audit_record_bulk
from incasso.audit.verification import audit_chain_verify
from incasso.domain.audit_chain import GENESIS_HASH, BreakReason, SubjectRef
from incasso.domain.data_map import ProcessingPurpose

pytestmark = pytest.mark.django_db
triggers = importlib.import_module("incasso.audit.migrations.0002_append_only_triggers")
# One append, whatever its size: on PostgreSQL one statement (``audit_append`` locks the head, links, inserts and
# moves the head); on SQLite three (read the head under the transaction's write lock, insert, move the head).
APPEND_QUERIES = 1 if connection.vendor == "postgresql" else 3
assert append_statements() == APPEND_QUERIES  # the budget other apps' query-count tests use


def record(actor, subject, *, action=AuditAction.READ, fields=("surname", "iban"), details=None):
    return audit_record(
        actor=actor,
        action=action,
        subject=subject,
        fields=list(fields),
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source="ip:192.0.2.10",
        details=details,
    )


@pytest.fixture
def events(staff_user, debtor):
    """Five events: a staff user reads and updates the debtor, the daily run reads it, one about nobody."""
    return [
        record(staff_user, debtor),
        record(staff_user, debtor, action=AuditAction.UPDATE, fields=["phone"], details={"reason": "debtor called"}),
        record("daily run", debtor, fields=["surname"]),
        record("daily run", SubjectRef("cases.Case", "7"), fields=[]),
        record("anonymous", None, action=AuditAction.LOGIN_FAILED, fields=[], details={"username": "x@example.com"}),
    ]


def tamper(statement, params=()):
    """Change a stored row past the triggers, the way someone with database access could."""
    forward, backward = _trigger_sql()
    with connection.cursor() as cursor:
        for sql in backward:
            cursor.execute(sql)
        cursor.execute(statement, params)
        for sql in forward:
            cursor.execute(sql)


def _trigger_sql():
    return {
        "postgresql": (triggers.PG_FORWARD, triggers.PG_BACKWARD),
        "sqlite": (triggers.SQLITE_FORWARD, triggers.SQLITE_BACKWARD),
    }[connection.vendor]


def verify_command():
    """Run `incasso audit verify`; return its exit code and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", "--chunk-size", "2", stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, err.getvalue()
    return 0, out.getvalue()


def test_events_are_chained_in_order_and_the_chain_verifies(events, staff_user, debtor):
    assert [event.sequence for event in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    stored = AuditEvent.objects.get(sequence=1)
    assert (stored.actor, stored.actor_label, stored.subject_type, stored.subject_id) == (
        staff_user,
        staff_user.username,
        "parties.Debtor",
        str(debtor.pk),
    )
    assert stored.fields == ["surname", "iban"]
    head = AuditChainHead.objects.get()
    assert (head.last_sequence, head.last_hash) == (5, events[-1].hash)
    report = audit_chain_verify(chunk_size=2)
    assert report.whole and report.entries == 5
    code, output = verify_command()
    assert code == 0 and "5 entries" in output


def test_selectors_read_by_subject_and_by_actor(events, staff_user, debtor):
    assert [e.sequence for e in audit_events_for_subject(subject=debtor)] == [1, 2, 3]
    assert [e.sequence for e in audit_events_for_subject(subject=SubjectRef("cases.Case", "7"))] == [4]
    assert [e.sequence for e in audit_events_by_actor(actor=staff_user)] == [1, 2]
    assert [e.sequence for e in audit_events_by_actor(actor="daily run")] == [3, 4]


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("UPDATE audit_auditevent SET fields = %s WHERE sequence = 3", BreakReason.HASH_MISMATCH),
        ("UPDATE audit_auditevent SET actor_label = %s WHERE sequence = 3", BreakReason.HASH_MISMATCH),
        ("UPDATE audit_auditevent SET prev_hash = %s WHERE sequence = 3", BreakReason.PREV_HASH_MISMATCH),
        ("UPDATE audit_auditevent SET sequence = 30 WHERE sequence = 3 AND %s <> ''", BreakReason.GAP),
        ("DELETE FROM audit_auditevent WHERE sequence = 3 AND %s <> ''", BreakReason.GAP),
    ],
)
def test_a_changed_or_removed_entry_is_named_by_its_sequence(events, statement, reason):
    value = {"fields": '["iban"]', "actor_label": "someone else", "prev_hash": "f" * 64}.get(statement.split()[3], "x")
    tamper(statement, [value])
    report = audit_chain_verify()
    assert report.broken is not None
    assert (report.broken.sequence, report.broken.reason) == ((4 if reason == BreakReason.GAP else 3), reason)
    assert report.entries == 2
    code, message = verify_command()
    assert code == 1 and f"entry {report.broken.sequence}: {reason}" in message


def test_a_forged_row_with_a_recomputed_hash_still_breaks_the_next_link(events):
    """Rewriting one row and its own hash is not enough: the next row names the old hash."""
    from incasso.audit.chain import COLUMNS, row_content
    from incasso.domain.audit_chain import entry_hash

    values = AuditEvent.objects.filter(sequence=2).values(*COLUMNS).get()
    values["source"] = "ip:203.0.113.66"
    forged = entry_hash(sequence=2, content=row_content(values), prev_hash=values["prev_hash"])
    tamper("UPDATE audit_auditevent SET source = %s, hash = %s WHERE sequence = 2", [values["source"], forged])
    broken = audit_chain_verify().broken
    assert (broken.sequence, broken.reason) == (3, BreakReason.PREV_HASH_MISMATCH)


def test_entries_cut_off_the_end_are_noticed_through_the_head(events):
    tamper("DELETE FROM audit_auditevent WHERE sequence >= 4")
    broken = audit_chain_verify().broken
    assert (broken.sequence, broken.reason) == (4, BreakReason.MISSING_TAIL)


def refused(statement, params=()):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_database_refuses_update_and_delete(events):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(sequence=1).update(actor_label="edited")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(sequence=1).delete()
    refused("UPDATE audit_auditevent SET purpose = 'marketing' WHERE sequence = %s", [2])
    refused("DELETE FROM audit_auditevent WHERE sequence = %s", [2])
    assert AuditEvent.objects.count() == 5
    assert audit_chain_verify().whole


def test_the_trigger_migration_is_reversible(events):
    forward, backward = _trigger_sql()
    with connection.cursor() as cursor:
        for sql in backward:
            cursor.execute(sql)
        cursor.execute("UPDATE audit_auditevent SET source = 'allowed without triggers' WHERE sequence = 1")
        for sql in forward:
            cursor.execute(sql)
    refused("UPDATE audit_auditevent SET source = 'refused again' WHERE sequence = 1")
    assert AuditEvent.objects.get(sequence=1).source == "allowed without triggers"


def test_bulk_recording_continues_the_chain_in_few_queries(events, staff_user, debtor, django_assert_num_queries):
    batch = [
        AuditEntry(staff_user, AuditAction.EXPORT, debtor, ["surname"], ProcessingPurpose.DEBT_COLLECTION, "cli")
        for _ in range(50)
    ]
    with django_assert_num_queries(APPEND_QUERIES):
        created = audit_record_bulk(batch)
    assert [event.sequence for event in created] == list(range(6, 56))
    assert created[0].prev_hash == events[-1].hash
    assert audit_chain_verify().whole
    assert audit_record_bulk([]) == []


def test_a_rolled_back_change_leaves_no_audit_row_and_no_gap(staff_user, debtor):
    record(staff_user, debtor)

    def change_that_fails():
        with transaction.atomic():
            record(staff_user, debtor, action=AuditAction.UPDATE)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError, match="the change failed"):
        change_that_fails()
    assert record(staff_user, debtor).sequence == 2
    assert audit_chain_verify().whole


def test_an_emptied_head_continues_from_the_newest_row(events, staff_user, debtor):
    AuditChainHead.objects.all().delete()
    assert record(staff_user, debtor).prev_hash == events[-1].hash
    assert audit_chain_verify().whole


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"action": "peek"}, "unknown audit action"),
        ({"purpose": "curiosity"}, "unknown purpose"),
        ({"fields": "surname"}, "list of field names"),
        ({"source": ""}, "source"),
        ({"details": {"amount": 1.5}}, "float"),
        ({"actor": ""}, "label"),
    ],
)
def test_malformed_events_are_refused_before_anything_is_written(staff_user, debtor, change, message):
    arguments = {
        "actor": staff_user,
        "action": AuditAction.READ,
        "subject": debtor,
        "fields": ["surname"],
        "purpose": ProcessingPurpose.DEBT_COLLECTION,
        "source": "cli",
        "details": None,
    } | change
    with pytest.raises((ValueError, TypeError), match=message):
        audit_record(**arguments)
    assert not AuditEvent.objects.exists()


# Outside a transaction: the flush afterwards empties every table; the suite's conftest puts the reference data
# back for the tests after it (serialized_rollback would clash with the content types another transactional test's
# flush re-created).
@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused(staff_user, debtor):
    with pytest.raises(AuditOutsideTransaction):
        record(staff_user, debtor)
    assert not AuditEvent.objects.exists()
    with transaction.atomic():
        record(staff_user, debtor)
    # The test runner empties the tables after this test; the append-only trigger would refuse it on SQLite.
    tamper("DELETE FROM audit_auditevent")
