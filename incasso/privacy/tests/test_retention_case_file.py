"""Anonymising a debtor blanks the free text of its whole case file, not only the stage events, letters and tasks:
notes, complaints, plans' review reasons, the client's reasons on legal steps, hand-over and print-house notes, and
the file the debtor uploaded with a dispute, deleted from storage once the anonymisation commits. The retention
sweep and an erasure request do it alike (``anonymise_debtors``); another debtor's case file is untouched."""

import datetime
import logging
from collections.abc import Callable

import pytest
from django.db import transaction

from incasso.accounts.factories import UserFactory
from incasso.audit.models import AuditEvent, stored_fields
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.privacy.models import AnonymisedSubject
from incasso.privacy.retention.anonymise import AUDITED_FIELD_SET, anonymise_debtors, audited_fields
from incasso.privacy.retention.dispute_files import stored_files_delete
from incasso.privacy.retention.policies import retention_policies_ensure
from incasso.privacy.retention.sweep import retention_sweep
from incasso.privacy.tests.case_file import UPLOAD, assert_anonymised, assert_untouched, case_file
from incasso.rights.execution import request_execute
from incasso.rights.models import RequestChannel, RequestKind
from incasso.rights.services import Requester, request_verify_staff, requests_receive

pytestmark = pytest.mark.django_db
CLOSED = datetime.date(2023, 3, 15)
EXPIRES = datetime.date(2026, 3, 15)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.INCASSO_MEDIA_DIR = tmp_path / "media"


def test_the_sweep_blanks_the_case_file_and_deletes_the_dispute_file_after_commit(django_capture_on_commit_callbacks):
    retention_policies_ensure()
    expired = case_file(DebtorFactory(), closed_on=CLOSED, tag="a")
    current = case_file(DebtorFactory(), tag="b")  # an open case: nothing of it goes

    with django_capture_on_commit_callbacks() as after_commit:
        assert retention_sweep(as_of=EXPIRES).counts["debt_collection"] == {"removed": 1}
        # Rolled back, the anonymisation must not have lost the file: it goes only once the transaction commits.
        assert expired.stored_file.read_bytes() == UPLOAD
    for callback in after_commit:
        callback()

    assert_anonymised(expired)
    assert_untouched(current)
    event = AuditEvent.objects.get(source="retention sweep", subject_id=str(expired.case.debtor_id))
    assert {"backoffice.CaseNote.text", "debtor_portal.DisputeFile (stored file deleted)"} <= set(event.fields)
    assert event.fields == audited_fields()
    stored = AuditEvent.objects.filter(pk=event.pk).annotate(stored=stored_fields()).values_list("stored", flat=True)
    assert list(stored) == [[f"@{AUDITED_FIELD_SET}"]] == [["@retention.anonymise/3"]]


def test_an_erasure_request_blanks_the_case_file_too(django_capture_on_commit_callbacks):
    agency = ClientFactory(is_agency=True)  # the controller of its own debtors: it erases them itself
    debtor = DebtorFactory(client=agency, email="jan@example.nl")
    erased, other = case_file(debtor, tag="a"), case_file(DebtorFactory(client=agency), tag="b")
    officer = UserFactory()
    (request,) = requests_receive(
        kind=RequestKind.ERASURE,
        channel=RequestChannel.PHONE,
        requester=Requester(name="Jan", email="jan@example.nl"),
        actor=officer,
        debtors=[debtor],
    )
    request_verify_staff(request=request, actor=officer, note="called back on the number on file")

    with django_capture_on_commit_callbacks(execute=True):
        request_execute(request=request, actor=officer)

    assert AnonymisedSubject.objects.filter(debtor=debtor).exists()
    assert_anonymised(erased)
    assert_untouched(other)


def test_a_file_that_cannot_be_deleted_is_logged_and_the_anonymisation_stays(
    django_capture_on_commit_callbacks, caplog
):
    kept = case_file(DebtorFactory(), tag="a")
    kept.stored_file.unlink()
    kept.stored_file.mkdir()  # a directory where the file was: unlink fails

    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        anonymise_debtors([kept.case.debtor_id])

    assert "not deleted" in caplog.text and kept.dispute.stored_path in caplog.text
    assert AnonymisedSubject.objects.filter(debtor_id=kept.case.debtor_id).exists()
    assert kept.refreshed().dispute.original_name == "[anonymised]"


def test_a_rolled_back_anonymisation_keeps_the_file(django_capture_on_commit_callbacks):
    kept = case_file(DebtorFactory(), tag="a")

    def anonymise_then_fail():
        with transaction.atomic():
            anonymise_debtors([kept.case.debtor_id])
            raise RuntimeError("power cut")

    with django_capture_on_commit_callbacks(execute=True) as after_commit, pytest.raises(RuntimeError):
        anonymise_then_fail()

    assert after_commit == []
    assert_untouched(kept)


def test_anonymising_again_reads_no_file_twice(django_capture_on_commit_callbacks):
    kept = case_file(DebtorFactory(), tag="a")
    with django_capture_on_commit_callbacks(execute=True) as first:
        anonymise_debtors([kept.case.debtor_id])
    with django_capture_on_commit_callbacks() as again:
        anonymise_debtors([kept.case.debtor_id])
    # The marked rows are left as they are: no file deletion is queued again (the key cache's forget may be).
    assert len(_deletions(first)) == 1
    assert _deletions(again) == []
    assert_anonymised(kept)


def test_a_stored_path_leading_outside_the_media_directory_is_not_followed(settings, tmp_path, caplog):
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(UPLOAD)
    settings.INCASSO_MEDIA_DIR.mkdir(parents=True)
    with caplog.at_level(logging.ERROR):
        stored_files_delete(["../outside.pdf", "."])
    assert outside.exists()
    assert caplog.text.count("outside the media directory") == 2


def _deletions(callbacks: list[Callable[[], object]]) -> list[Callable[[], object]]:
    """The stored-file deletions among on-commit callbacks."""
    return [callback for callback in callbacks if getattr(callback, "func", None) is stored_files_delete]
