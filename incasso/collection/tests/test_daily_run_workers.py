"""The daily run's chunks on a real Celery worker over a real Redis broker (the distributed deployment)."""

import datetime
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from celery.fixups.django import DjangoWorkerFixup
from celery.signals import task_prerun
from django.db import connections

from config.celery import app
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.cases.models import Case
from incasso.collection.daily_run import daily_run
from incasso.collection.dispatch import chunk_runner, run_chunks_on_workers
from incasso.decisions.models import Decision
from incasso.parties.factories import DebtorFactory

ON = datetime.date(2026, 11, 2)
REDIS = "redis://127.0.0.1:6379/15"


def test_without_a_broker_the_chunks_run_in_process(settings):
    settings.CELERY_BROKER_URL = ""
    assert chunk_runner() is None
    settings.CELERY_BROKER_URL = REDIS
    assert chunk_runner() is run_chunks_on_workers


@pytest.fixture
def worker_shares_the_test_connection(db, monkeypatch):
    """Let the worker thread use the test's own database connection, as Django's live-server tests do.

    The test's data stays uncommitted inside its transaction (so nothing needs flushing afterwards, which the
    append-only audit and ledger tables would refuse on SQLite); the solo worker runs one task at a time while the
    test thread only waits for results, so the connection is never used by both at once.
    """
    shared = connections["default"]
    shared.inc_thread_sharing()
    # Celery's Django fix-up closes connections around every task; here that would close the test's own.
    for name in ("close_database", "_close_database", "on_worker_process_init"):
        monkeypatch.setattr(DjangoWorkerFixup, name, lambda *args, **kwargs: None)

    def use_shared(**_kwargs):
        connections["default"] = shared

    task_prerun.connect(use_shared, weak=False)
    yield
    task_prerun.disconnect(use_shared)
    shared.dec_thread_sharing()


def test_chunks_run_on_a_celery_worker_over_redis(settings, worker_shares_the_test_connection):
    settings.DAILY_RUN_CHUNK_TIMEOUT = 60
    queue = f"incasso-test-{uuid.uuid4().hex}"  # parallel test runs never share a queue
    app.conf.update(broker_url=REDIS, result_backend=REDIS, task_default_queue=queue, task_always_eager=False)
    for _ in range(5):
        case = CaseFactory(debtor=DebtorFactory(), opened_on=datetime.date(2026, 10, 1))
        ClaimFactory(case=case, due_date=datetime.date(2026, 9, 1), invoice_date=datetime.date(2026, 8, 1))
    with start_worker(app, pool="solo", queues=[queue], perform_ping_check=False, shutdown_timeout=30):
        summary = daily_run(on=ON, chunk_size=2, run_chunks=run_chunks_on_workers)
    assert (summary.chunks, summary.cases, summary.decided) == (3, 5, 5)
    assert Decision.objects.count() == 5
    assert not Case.objects.filter(last_run_on__isnull=True).exists()
