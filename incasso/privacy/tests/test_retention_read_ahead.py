"""The sweep reads the next chunk while it writes the current one (``core.read_ahead``): the same chunks, in
order, with the reader's failures raised in the sweep and the reader stopped when the sweep stops. It writes two
chunks at a time (``alternating``): every chunk written once, the writer's failures raised in the sweep, and the
audit chain one whole chain."""

import datetime
import threading

import pytest
from django.db import connection

from incasso.audit.models import AuditEvent
from incasso.audit.verification import audit_chain_verify
from incasso.core import read_ahead as read_ahead_module
from incasso.core.read_ahead import alternating, read_ahead
from incasso.crypto.models import DataKey
from incasso.parties.models import Debtor
from incasso.privacy.models import AnonymisedSubject
from incasso.privacy.retention import sweep as sweep_module
from incasso.privacy.retention.policies import retention_policies_ensure
from incasso.privacy.tests.test_retention import EXPIRES, _empty_audit_log, closed_case, sweep


def _workers():
    return [thread for thread in threading.enumerate() if thread.name == "read-ahead"]


def test_the_items_come_in_order_each_computed_in_the_other_thread():
    seen = []

    def items():
        for n in range(50):
            seen.append(threading.current_thread().name)
            yield n

    with read_ahead(items(), depth=2) as ready:
        assert list(ready) == list(range(50))
    assert set(seen) == {"read-ahead"}
    assert not _workers()


def test_a_failure_of_the_reader_is_raised_at_the_item_it_stopped_at():
    def items():
        yield 1
        yield 2
        raise LookupError("gone")

    got = []
    with pytest.raises(LookupError, match="gone"), read_ahead(items()) as ready:
        got.extend(ready)
    assert got == [1, 2]
    assert not _workers()


def test_leaving_early_stops_the_reader(monkeypatch):
    monkeypatch.setattr(read_ahead_module, "_POLL_SECONDS", 0.01)
    produced = []

    def items():
        for n in range(1_000):
            produced.append(n)
            yield n

    def take_four():
        with read_ahead(items()) as ready:
            for n in ready:
                if n == 3:
                    raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        take_four()
    assert not _workers()
    assert len(produced) <= 4 + 2  # the four taken, one queued, one being handed over when it stopped


def _writers():
    return [thread for thread in threading.enumerate() if thread.name.startswith("alternate")]


def test_alternating_does_every_item_once_every_second_one_in_the_other_thread():
    done = []

    def work(n):
        done.append((n, threading.current_thread().name))
        return n * 10

    with alternating(iter(range(9)), work) as results:
        assert sorted(results) == [n * 10 for n in range(9)]
    assert sorted(n for n, _thread in done) == list(range(9))
    assert {n for n, thread in done if thread.startswith("alternate")} == {1, 3, 5, 7}
    assert not _writers()


def test_alternating_raises_a_failure_of_the_other_thread_when_its_result_is_due():
    def work(n):
        if n == 1:
            raise LookupError("chunk 1 failed")
        return n

    got = []
    with pytest.raises(LookupError, match="chunk 1 failed"), alternating(iter(range(6)), work) as results:
        got.extend(results)
    assert got == [0, 2]  # item 1's result was due before item 3 was handed over
    assert not _writers()


def test_leaving_alternating_early_waits_for_the_other_thread_and_starts_nothing_more():
    started = []
    release = threading.Event()

    def work(n):
        started.append(n)
        if n == 1:
            release.wait(5)
        if n == 2:
            release.set()
            raise KeyboardInterrupt
        return n

    with pytest.raises(KeyboardInterrupt), alternating(iter(range(100)), work) as results:
        list(results)
    assert sorted(started) == [0, 1, 2]
    assert not _writers()


@pytest.mark.django_db(transaction=True)
def test_a_sweep_outside_a_transaction_reads_ahead_and_agrees_with_its_dry_run(monkeypatch):
    """Committed data, as the command sees it: on PostgreSQL the chunks are read ahead on a second connection."""
    retention_policies_ensure()
    used = []
    real, real_alternating = sweep_module.read_ahead, sweep_module.alternating

    def spy(items):
        used.append("read_ahead")
        return real(items)

    def spy_alternating(items, work):
        used.append("alternating")
        return real_alternating(items, work)

    monkeypatch.setattr(sweep_module, "read_ahead", spy)
    monkeypatch.setattr(sweep_module, "alternating", spy_alternating)
    try:
        debtors = [closed_case().debtor_id for _ in range(7)]
        kept = closed_case(closed_on=EXPIRES - datetime.timedelta(days=30)).debtor  # within its period
        dry = sweep(dry_run=True, chunk_size=2).counts["debt_collection"]
        done = sweep(chunk_size=2).counts["debt_collection"]
        assert (dry, done) == ({"would_remove": 7}, {"removed": 7})
        on_postgresql = connection.vendor == "postgresql"
        assert used == (["read_ahead", "alternating"] * 2 if on_postgresql else [])
        assert sorted(AnonymisedSubject.objects.values_list("debtor_id", flat=True)) == debtors
        assert not DataKey.objects.filter(
            destroyed_at__isnull=True, pk__in=Debtor.objects.filter(pk__in=debtors).values("data_key")
        ).exists()
        subjects = AuditEvent.objects.filter(details__action="anonymise").values_list("subject_id", flat=True)
        assert sorted(int(pk) for pk in subjects) == debtors
        assert audit_chain_verify().whole
        assert sweep(dry_run=True, chunk_size=2).counts["debt_collection"] == {"would_remove": 0}
        assert Debtor.objects.get(pk=kept.pk).surname == kept.surname
    finally:
        _empty_audit_log()
