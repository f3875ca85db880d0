"""A shipped batch is logged as disclosures to the print house; returned post marks the letter and asks for an
address check. Both through the SFTP double on 127.0.0.1."""

from __future__ import annotations

import pytest

from incasso.accounts.factories import UserFactory
from incasso.cases.models import StaffTask, TaskStatus
from incasso.communications.models import LetterStatus
from incasso.disclosures.models import Disclosure, DisclosureSubject, RefusedDisclosure
from incasso.domain.data_map import DataCategory, LegalBasis
from incasso.print_house.disclosure import DEFAULT_RECIPIENT, PrintHouseNotRegistered, print_house_recipient
from incasso.print_house.models import ShipmentStatus
from incasso.print_house.services import delivery_reports_fetch, shipments_send
from incasso.print_house.sftp import PrintHouseSftp
from incasso.print_house.tests.conftest import POSTED
from incasso.rights.export import export_document
from incasso.rights.models import RequestChannel, RequestKind
from incasso.rights.services import Requester, request_verify_staff, requests_receive


def _letters(batch):
    return list(batch.letters.select_related("case").order_by("pk"))


def test_each_shipped_letter_is_a_disclosure_to_the_print_house_about_its_debtor(print_house, rendered_batch):
    assert shipments_send(on=POSTED).sent

    letters = _letters(rendered_batch)
    disclosures = list(Disclosure.objects.select_related("recipient").order_by("pk"))
    assert len(disclosures) == len(letters) == 2
    for disclosure, letter in zip(disclosures, letters, strict=True):
        assert disclosure.recipient.name == DEFAULT_RECIPIENT
        assert disclosure.recipient.category == "print_house"
        assert disclosure.case_id == letter.case_id
        assert disclosure.legal_basis == LegalBasis.LEGITIMATE_INTEREST
        assert {DataCategory.NAME, DataCategory.CONTACT_ADDRESS, DataCategory.DEBT} <= set(disclosure.categories)
        subject = DisclosureSubject.objects.get(disclosure=disclosure)
        assert (subject.subject_type, subject.subject_id) == ("parties.Debtor", str(letter.case.debtor_id))
    # Sent once, disclosed once.
    shipments_send(on=POSTED)
    assert Disclosure.objects.count() == 2


def test_a_failed_upload_discloses_nothing(print_house, sftp_root, rendered_batch, monkeypatch):
    def broken(self, path, data):
        raise OSError("connection reset")

    monkeypatch.setattr(PrintHouseSftp, "upload_atomic", broken)
    outcome = shipments_send(on=POSTED)

    assert outcome.sent == [] and len(outcome.queued) == 1
    assert not Disclosure.objects.exists()


def test_a_print_house_outside_the_eea_without_safeguards_gets_nothing(print_house, sftp_root, rendered_batch):
    recipient = print_house_recipient()
    recipient.country = "US"
    recipient.save()

    outcome = shipments_send(on=POSTED)

    assert outcome.sent == [] and len(outcome.failed) == 1
    assert rendered_batch.shipment.status == ShipmentStatus.FAILED
    assert not Disclosure.objects.exists()
    assert RefusedDisclosure.objects.filter(recipient=recipient).count() == 2
    assert not (sftp_root / "upload").exists()


def test_no_registered_print_house_means_no_upload(print_house, sftp_root, rendered_batch):
    print_house_recipient().__class__.objects.filter(category="print_house").update(active=False)

    with pytest.raises(PrintHouseNotRegistered):
        shipments_send(on=POSTED)

    assert not (sftp_root / "upload").exists()
    assert not Disclosure.objects.exists()


def test_a_shipped_letters_debtor_sees_the_print_house_in_their_access_export(print_house, rendered_batch):
    shipments_send(on=POSTED)
    debtor = _letters(rendered_batch)[0].case.debtor
    officer = UserFactory()
    (request,) = requests_receive(
        kind=RequestKind.ACCESS,
        channel=RequestChannel.PHONE,
        requester=Requester(name="Jan", email="jan@example.nl"),
        actor=officer,
        debtors=[debtor],
    )
    request_verify_staff(request=request, actor=officer, note="called back on the number on file")

    recipients = export_document(request=request)["recipients"]

    assert [r["recipient"] for r in recipients] == [DEFAULT_RECIPIENT]
    assert recipients[0]["category"] == "print_house"
    assert DataCategory.CONTACT_ADDRESS in recipients[0]["categories"]


def _report(letters, statuses) -> bytes:
    lines = ["letter_id,case_number,status,reason"]
    for letter, (status, reason) in zip(letters, statuses, strict=True):
        lines.append(f"{letter.pk},{letter.case.number},{status},{reason}")
    return ("\n".join(lines) + "\n").encode()


def test_a_returned_letter_is_marked_and_someone_is_asked_to_find_the_address(print_house, sftp_root, rendered_batch):
    shipments_send(on=POSTED)
    delivered, returned = _letters(rendered_batch)
    reports = sftp_root / "reports"
    reports.mkdir()
    data = _report([delivered, returned], [("delivered", ""), ("undeliverable", "adres onbekend")])
    (reports / "report-1.csv").write_bytes(data)

    outcome = delivery_reports_fetch()

    assert (outcome.recorded, outcome.rejected) == (2, [])
    returned.refresh_from_db()
    delivered.refresh_from_db()
    assert returned.status == LetterStatus.RETURNED
    assert delivered.status == LetterStatus.RENDERED
    task = StaffTask.objects.get()
    assert task.case_id == returned.case_id
    assert task.status == TaskStatus.OPEN
    assert returned.case.number in task.title
    assert task.details == "adres onbekend"

    # The same report again (the move to processed/ failed, say): known lines, no second task.
    (reports / "report-1.csv").write_bytes(data)
    again = delivery_reports_fetch()
    assert (again.recorded, again.already_known, again.rejected) == (0, 2, [])
    assert StaffTask.objects.count() == 1
