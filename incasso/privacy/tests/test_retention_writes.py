"""What the sweep's writes cost the database (docs/adr/0011), and that what was given up for it still holds: a
destroyed data key is rewritten in place on PostgreSQL, and an anonymised subject's references, no longer database
constraints, are still kept by Django (cascade with the debtor, protect the sweep)."""

import datetime

import pytest
from django.db import connection, transaction
from django.db.models import ProtectedError

from incasso.cases.factories import CaseFactory
from incasso.crypto.models import DataKey
from incasso.parties.factories import DebtorFactory
from incasso.parties.models import Debtor
from incasso.privacy.models import AnonymisedSubject, RetentionSweep
from incasso.privacy.retention.anonymise import anonymise_debtors
from incasso.privacy.retention.policies import retention_policies_ensure
from incasso.privacy.retention.sweep import retention_sweep

pytestmark = pytest.mark.django_db
EXPIRES = datetime.date(2026, 3, 15)


def _updates_of(table: str) -> tuple[int, int]:
    """This transaction's updates of ``table`` so far: (all, in place, i.e. HOT)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = %s", [table])
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, 0)


def test_the_sweep_destroys_data_keys_in_place_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("HOT updates and fillfactor are PostgreSQL's")
    retention_policies_ensure()
    debtors = [
        CaseFactory(closed=True, closed_on=datetime.date(2023, 3, 15), opened_on=datetime.date(2022, 1, 1)).debtor
        for _ in range(3)
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'crypto_datakey'")
        assert cursor.fetchone()[0] == ["fillfactor=60"]
    before = _updates_of("crypto_datakey")
    assert retention_sweep(as_of=EXPIRES, purposes=["debt_collection"]).counts["debt_collection"] == {"removed": 3}
    updated, in_place = (now - then for now, then in zip(_updates_of("crypto_datakey"), before, strict=True))
    # Each key once, and every one a HOT update: no indexed column changed and the page had room.
    assert (updated, in_place) == (3, 3)
    assert all(DataKey.objects.get(pk=debtor.data_key_id).is_destroyed for debtor in debtors)


def test_an_anonymised_subject_goes_with_its_debtor_and_keeps_its_sweep():
    debtor = DebtorFactory()  # no case: it may be deleted
    sweep = RetentionSweep.objects.create(dry_run=False, as_of=EXPIRES)
    with transaction.atomic():
        anonymise_debtors([debtor.pk], sweep=sweep)
    assert AnonymisedSubject.objects.filter(debtor=debtor, sweep=sweep).exists()
    with pytest.raises(ProtectedError):
        sweep.delete()
    Debtor.objects.filter(pk=debtor.pk).delete()
    assert not AnonymisedSubject.objects.exists()
    sweep.delete()  # nothing refers to it any more
    assert not RetentionSweep.objects.exists()
