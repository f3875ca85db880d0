"""A verification started from the back office: the same walk as ``incasso audit verify``, as a job whose outcome is
kept (``AuditVerification``); one at a time; bounded by the head it read first, so entries appended while it walks
are the next walk's."""

import pytest
from django.db import transaction

from incasso.audit import verification
from incasso.audit.models import AuditChainHead, AuditEvent, AuditVerification, VerificationOutcome
from incasso.audit.tests.test_audit_log import record, tamper, verify_command
from incasso.audit.verification import audit_chain_verify, audit_verification_run, audit_verification_start
from incasso.domain.audit_chain import BreakReason

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(staff_user, debtor):
    """Five entries, 1 to 5."""
    return [record(staff_user, debtor) for _ in range(5)]


def _start(user, capture):
    with capture(execute=True):
        return audit_verification_start(by=user, source="ip:192.0.2.1")


def test_a_started_verification_walks_the_chain_and_keeps_what_it_found(
    events, staff_user, django_capture_on_commit_callbacks
):
    run = _start(staff_user, django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert (run.outcome, run.entries, run.last_sequence) == (VerificationOutcome.WHOLE, 6, 6)
    assert run.last_hash == AuditEvent.objects.get(sequence=6).hash and run.broken_sequence is None
    start = AuditEvent.objects.get(sequence=6)  # the start is an audit event itself
    assert (start.actor_label, start.purpose, start.details) == (
        staff_user.username,
        "security",
        {"audit_verification": run.pk},
    )


def test_a_planted_row_is_named_as_the_first_broken_entry(events, staff_user, django_capture_on_commit_callbacks):
    tamper("UPDATE audit_auditevent SET prev_hash = %s WHERE sequence = 4", ["f" * 64])
    run = _start(staff_user, django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.outcome == VerificationOutcome.BROKEN
    assert (run.broken_sequence, run.broken_reason, run.entries, run.last_sequence) == (
        4,
        BreakReason.PREV_HASH_MISMATCH,
        3,
        3,
    )


def test_a_second_start_while_one_runs_is_the_same_verification(events, staff_user):
    with transaction.atomic():  # not committed yet: its job has not run
        first = audit_verification_start(by=staff_user, source="cli")
        assert audit_verification_start(by=staff_user, source="cli") == first
    assert AuditVerification.objects.count() == 1
    assert audit_verification_run(verification_id=first.pk) == "whole"
    assert audit_verification_run(verification_id=first.pk) == "whole"  # a retried task changes nothing


def test_a_walk_that_fails_is_kept_as_stopped_without_a_verdict(events, staff_user, monkeypatch):
    with transaction.atomic():
        run = audit_verification_start(by=staff_user, source="cli")

    def broken_database(**_kwargs):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(verification, "audit_chain_verify", broken_database)
    assert audit_verification_run(verification_id=run.pk) == VerificationOutcome.FAILED
    run.refresh_from_db()
    assert run.outcome == VerificationOutcome.FAILED and run.finished_at is not None


def test_the_job_walks_to_the_head_it_read_and_the_command_past_it(events):
    """An entry appended between reading the head and reading the rows is the next walk's for the job; the command
    (a quiet database) still reports an entry past the head."""
    third = AuditEvent.objects.get(sequence=3)
    AuditChainHead.objects.update(last_sequence=3, last_hash=third.hash)  # as if 4 and 5 came after the head read
    bounded = audit_chain_verify(to_head=True)
    assert bounded.whole and (bounded.entries, bounded.last_sequence) == (3, 3)
    assert audit_chain_verify().broken.reason == BreakReason.HASH_MISMATCH
    assert verify_command()[0] == 1


def test_a_date_range_is_narrowed_to_sequences_without_losing_an_entry_chained_late(staff_user, debtor):
    """A range is read through sequence numbers found by a binary search over the stamps; an entry stamped before
    another but chained after it (its transaction waited for the head) is still found by its stamp."""
    import datetime

    import time_machine

    from incasso.audit.selectors import STAMP_SKEW, AuditLogFilter, _filtered

    start = datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)
    stamps = [start + datetime.timedelta(minutes=minutes) for minutes in (0, 60, 120, 95, 180, 300)]
    for stamp in stamps:  # the fourth (95) chained after the third (120): within the skew
        with time_machine.travel(stamp, tick=False):
            record(staff_user, debtor)
    assert stamps[2] - stamps[3] < STAMP_SKEW

    def found(since=None, until=None):
        events, _actor = _filtered(AuditLogFilter(since=since, until=until))
        return sorted(events.values_list("sequence", flat=True))

    def at(**delta):
        return start + datetime.timedelta(**delta)

    assert found(since=at(minutes=90)) == [3, 4, 5, 6]
    assert found(until=at(minutes=100)) == [1, 2, 4]
    assert found(since=at(minutes=90), until=at(minutes=100)) == [4]
    assert found(since=at(minutes=301)) == []
    assert found(until=start) == []
    assert found(since=at(days=-1), until=at(days=1)) == [1, 2, 3, 4, 5, 6]
