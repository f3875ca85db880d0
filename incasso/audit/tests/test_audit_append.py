"""The append path: one statement on PostgreSQL, hashes exactly as Python defines them, no fork under concurrency."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incasso.audit import append
from incasso.audit.chain import COLUMNS, row_content
from incasso.audit.models import AuditAction, AuditEvent
from incasso.audit.services import AuditEntry, audit_record, audit_record_bulk
from incasso.audit.tests.test_audit_log import APPEND_QUERIES, tamper
from incasso.audit.verification import audit_chain_verify
from incasso.domain.audit_chain import BreakReason, SubjectRef, canonical_text, entry_hash
from incasso.domain.data_map import ProcessingPurpose

POSTGRESQL = connection.vendor == "postgresql"
# Text that JSON, SQL literals or the database's encoding could get wrong.
AWKWARD = ['quote " and \\ backslash', "line\nbreak\ttab\x01", "é ü ß — “curly” \u2028 😀 𝄞", "50% off; DROP", "'"]


DEBTOR = SubjectRef("parties.Debtor", "1")


def _read(actor="api-key:acme", subject=DEBTOR, details=None):
    return audit_record(
        actor=actor,
        action=AuditAction.READ,
        subject=subject,
        fields=["claims"],
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source="ip:192.0.2.1",
        details=details if details is not None else {"case": "2026-000001", "case_id": 1},
    )


def _entries(count, label="daily run"):
    return [
        AuditEntry(
            label,
            AuditAction.CREATE,
            SubjectRef("parties.Debtor", str(n)),
            ("decisions.Decision.inputs", "decisions.Decision.outcome"),
            ProcessingPurpose.DEBT_COLLECTION,
            "system",
            {"case_id": n, "rule": "r1"},
        )
        for n in range(count)
    ]


@pytest.mark.django_db
def test_a_single_append_costs_one_statement_on_postgresql():
    with transaction.atomic():
        _read()  # the head exists from here on
    with transaction.atomic(), CaptureQueriesContext(connection) as single:
        _read()
    with transaction.atomic(), CaptureQueriesContext(connection) as batch:
        audit_record_bulk(_entries(40))
    assert len(single) == len(batch) == APPEND_QUERIES
    if POSTGRESQL:
        assert "audit_append(" in single.captured_queries[0]["sql"]


@pytest.mark.django_db
def test_a_large_batch_is_chained_here_and_copied_in_three_statements_and_links_with_small_ones():
    with transaction.atomic():
        _read()
    with transaction.atomic(), CaptureQueriesContext(connection) as large:
        links = audit_record_bulk(_entries(append.IN_DATABASE_BELOW))
    with transaction.atomic():
        _read()
    assert len(links) == append.IN_DATABASE_BELOW
    assert not any("audit_append(" in query["sql"] for query in large.captured_queries)
    assert len(large) == 3  # lock the head, write the rows, move the head
    assert AuditEvent.objects.count() == append.IN_DATABASE_BELOW + 2
    assert audit_chain_verify().whole


@pytest.mark.django_db
def test_awkward_text_is_stored_as_given_and_hashed_as_python_hashes_it(staff_user):
    """On PostgreSQL the database hashes; it must produce Python's hashes byte for byte (and the Python path, used on
    SQLite, must link onto the database's entries and back)."""
    written = []
    with transaction.atomic():
        for n, text in enumerate(AWKWARD):
            details = {"note": text, "nested": {"z": [text, None, True], "a": n}}
            written.append(_read(actor=text, details=details))
            written.append(_read(actor=staff_user, subject=None, details={text: n}))
            contents = [row_content(_values(text, n, i)) for i in range(3)]
            written.extend(append._append_here(contents, [canonical_text(c) for c in contents]))
    stored = {values["sequence"]: values for values in AuditEvent.objects.values(*COLUMNS)}
    assert sorted(stored) == [link.sequence for link in written]
    for link in written:
        values = stored[link.sequence]
        assert row_content(values) == dict(link.content)
        assert (values["prev_hash"], values["hash"]) == (link.prev_hash, link.hash)
        assert entry_hash(sequence=link.sequence, content=link.content, prev_hash=link.prev_hash) == link.hash
    assert stored[1]["actor_label"] == AWKWARD[0] and stored[1]["details"]["note"] == AWKWARD[0]
    assert audit_chain_verify().whole


def _values(text, n, i):
    return {
        "occurred_at": timezone.now(),
        "actor_id": None,
        "actor_label": f"python path {i}",
        "action": "update",
        "subject_type": "parties.Debtor",
        "subject_id": str(n),
        "fields": [text],
        "purpose": "debt_collection",
        "source": text[:200],
        "details": {"text": text},
    }


@pytest.mark.django_db
def test_a_changed_row_of_a_large_batch_is_named():
    with transaction.atomic():
        audit_record_bulk(_entries(30))
    tamper("UPDATE audit_auditevent SET details = %s WHERE sequence = 17", ['{"case_id": 16, "rule": "r2"}'])
    broken = audit_chain_verify().broken
    assert (broken.sequence, broken.reason) == (17, BreakReason.HASH_MISMATCH)


def _thread(target, errors):
    def run():
        try:
            target()
        except BaseException as error:  # handed to the test's thread, to fail it
            errors.append(error)
        finally:
            connections.close_all()

    worker = threading.Thread(target=run)
    worker.start()
    return worker


def _waiting_for_a_lock(seconds=10.0):
    """Whether another connection waits for a lock in an audit append, within ``seconds``."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND query LIKE %s",
                ["%audit_append(%"],
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_wait_for_each_other_and_never_fork():
    if not POSTGRESQL:
        # SQLite allows one writer, and each transaction takes the write lock when it begins (BEGIN IMMEDIATE), so
        # a second append cannot read the head before the first commits.
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    with transaction.atomic():
        _read(actor="first of all")
    links, errors = {}, []
    first_in, release = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            links["first"] = _read(actor="first")
            first_in.set()
            release.wait(10)

    def second():
        first_in.wait(10)
        with transaction.atomic():
            links["second"] = _read(actor="second")

    workers = [_thread(first, errors), _thread(second, errors)]
    try:
        assert _waiting_for_a_lock(), "the second append did not wait for the first's lock on the head"
    finally:
        release.set()
        for worker in workers:
            worker.join(20)
    assert not errors
    assert links["second"].sequence == links["first"].sequence + 1 == 3
    assert links["second"].prev_hash == links["first"].hash

    def busy(label):
        def appends():
            for n in range(15):
                with transaction.atomic():
                    if n % 2:
                        audit_record_bulk(_entries(3, label))
                    else:
                        _read(actor=label)

        return appends

    workers = [_thread(busy("one"), errors), _thread(busy("two"), errors)]
    for worker in workers:
        worker.join(60)
    assert not errors
    report = audit_chain_verify()
    assert report.whole and report.entries == 3 + 2 * (8 + 7 * 3)
