"""A restore anonymises again whoever was anonymised since the backup, their whole case file included: the notes,
complaints and other free text the backup still holds in the clear are blanked again, and the dispute file's row
marked (its file, deleted from storage at the anonymisation, is not in the backup and stays gone)."""

import datetime

import pytest
from django.db import transaction

from incasso.backups.tests.helpers import backup
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.privacy.retention.anonymise import anonymise_debtors
from incasso.privacy.retention.policies import retention_policies_ensure
from incasso.privacy.retention.sweep import retention_sweep
from incasso.privacy.tests.case_file import UPLOAD, assert_anonymised, assert_untouched, case_file

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_backup_key")]
CLOSED = datetime.date(2023, 3, 15)
EXPIRES = datetime.date(2026, 3, 15)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.INCASSO_MEDIA_DIR = tmp_path / "media"


def test_a_restore_blanks_again_the_case_file_of_a_debtor_anonymised_since(tmp_path):
    retention_policies_ensure()
    creditor = ClientFactory()
    swept = case_file(DebtorFactory(client=creditor), closed_on=CLOSED, tag="a")
    erased = case_file(DebtorFactory(client=creditor), tag="b")
    kept = case_file(DebtorFactory(client=creditor), tag="c")
    file = tmp_path / "incasso.backup"
    backup("create", "--out", file)

    assert retention_sweep(as_of=EXPIRES).counts["debt_collection"] == {"removed": 1}
    with transaction.atomic():
        anonymise_debtors([erased.case.debtor_id])
    assert_anonymised(swept)
    assert_anonymised(erased)

    restored = backup("restore", file)

    assert restored["anonymised"] == 2
    assert_anonymised(swept)
    assert_anonymised(erased)
    assert_untouched(kept)
    assert kept.stored_file.read_bytes() == UPLOAD
