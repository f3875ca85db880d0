"""A case file whose every free-text row names the debtor, for the tests of what anonymisation leaves of it.

Shared by the retention, erasure and restore tests (``backups/tests``): each row says "Jansen 06-12345678", and the
debtor uploaded a file with a dispute, stored as the debtor portal stores it.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from incasso.accounts.factories import UserFactory
from incasso.arrangements.models import Arrangement
from incasso.cases.factories import CaseFactory
from incasso.cases.models import Case
from incasso.communications.models import Letter, LetterKind, LetterStatus, PrintBatch
from incasso.complaints.models import Complaint
from incasso.disclosures.models import Recipient
from incasso.handover.models import Handover, HandoverRecipient
from incasso.parties.models import Debtor
from incasso.print_house.models import DeliveryLine, Shipment

# The interfaces' models, which the privacy app (its tests too) may not import.
CaseNote = apps.get_model("backoffice.CaseNote")
LegalStepsDecision = apps.get_model("client_portal.LegalStepsDecision")
DisputeFile = apps.get_model("debtor_portal.DisputeFile")

TEXT = "called Mr Jansen on 06-12345678"
UPLOAD = b"%PDF-1.4 invoice disputed by Jansen"


@dataclass(frozen=True)
class CaseFile:
    case: Case
    note: Any  # backoffice.CaseNote
    complaint: Complaint
    arrangement: Arrangement
    legal_steps: Any  # client_portal.LegalStepsDecision
    handover: Handover
    delivery: DeliveryLine
    dispute: Any  # debtor_portal.DisputeFile

    @property
    def stored_file(self) -> Path:
        return Path(settings.INCASSO_MEDIA_DIR) / self.dispute.stored_path

    def refreshed(self) -> CaseFile:
        rows = [type(row).objects.get(pk=row.pk) for row in (self.note, self.complaint, self.arrangement)]
        more = [type(row).objects.get(pk=row.pk) for row in (self.legal_steps, self.handover, self.delivery)]
        return CaseFile(self.case, *rows, *more, DisputeFile.objects.get(pk=self.dispute.pk))


def case_file(debtor: Debtor, *, closed_on: datetime.date | None = None, tag: str = "a") -> CaseFile:
    """A case of ``debtor`` (closed on ``closed_on``, else open) with one row of each kind; ``tag`` keeps unique
    values apart between debtors."""
    closed = {"closed": True, "closed_on": closed_on, "opened_on": datetime.date(2022, 1, 1)} if closed_on else {}
    case = CaseFactory(debtor=debtor, **closed)
    staff = UserFactory()
    today = timezone.localdate()
    note = CaseNote.objects.create(case=case, author=staff, text=TEXT)
    complaint = Complaint.objects.create(case=case, channel="phone", due_on=today, text=TEXT, answer=f"Dear {TEXT}")
    arrangement = Arrangement.objects.create(
        case=case,
        proposed_by="debtor",
        total_cents=60_000,
        months=6,
        instalment_cents=10_000,
        first_due=today,
        review_reasons=f"income of Jansen: {TEXT}",
    )
    legal_steps = LegalStepsDecision.objects.create(case=case, decided_by=staff, approved=False, reason=TEXT)
    recipient = Recipient.objects.create(name=f"Bailiff {tag}", category="bailiffs", country="NL")
    partner = HandoverRecipient.objects.create(
        code=f"bailiff-{tag}",
        recipient=recipient,
        role="bailiff",
        host="127.0.0.1",
        username="incasso",
        host_key="ssh-ed25519 AAAA",
        public_key_pem="-----BEGIN PUBLIC KEY-----",
    )
    handover = Handover.objects.create(
        case=case,
        handover_recipient=partner,
        package_name=f"package-{tag}.json.enc",
        partner_reference=f"JANSEN-{tag}",
        status_note=TEXT,
    )
    letter = Letter.objects.create(
        case=case,
        kind=LetterKind.REMINDER,
        language="nl",
        status=LetterStatus.SENT,
        planned_for=today,
        rf_reference="RF18539007547034",
        idempotency_key=f"case-file:{tag}",
    )
    shipment = Shipment.objects.create(batch=PrintBatch.objects.create(for_date=today))
    delivery = DeliveryLine.objects.create(
        shipment=shipment, letter=letter, status="returned", reason=f"moved: {TEXT}", report_name="report.csv"
    )
    stored = f"disputes/{tag}{'0' * 31}.pdf"
    path = Path(settings.INCASSO_MEDIA_DIR) / stored
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(UPLOAD)
    dispute = DisputeFile.objects.create(
        case=case,
        original_name="jansen-bankafschrift.pdf",
        content_type="application/pdf",
        size_bytes=len(UPLOAD),
        sha256=hashlib.sha256(UPLOAD).hexdigest(),
        stored_path=stored,
    )
    return CaseFile(case, note, complaint, arrangement, legal_steps, handover, delivery, dispute)


def assert_anonymised(kept: CaseFile) -> None:
    """Every free text of the case file is blank or marked, the dispute file's row names no file and the file is
    gone; what statistics need stays."""
    after = kept.refreshed()
    assert after.note.text == "[anonymised]"
    assert (after.complaint.text, after.complaint.answer, after.complaint.channel) == ("[anonymised]", "", "phone")
    assert (after.arrangement.review_reasons, after.arrangement.total_cents) == ("", 60_000)
    assert (after.legal_steps.reason, after.legal_steps.approved) == ("", False)
    assert (after.handover.status_note, after.handover.partner_reference) == ("", "")
    assert (after.delivery.reason, after.delivery.status) == ("", "returned")
    dispute = after.dispute
    assert (dispute.original_name, dispute.sha256) == ("[anonymised]", "")
    assert dispute.stored_path == f"[anonymised]/{dispute.pk}"
    assert (dispute.content_type, dispute.size_bytes) == ("application/pdf", len(UPLOAD))
    assert not kept.stored_file.exists()


def assert_untouched(kept: CaseFile) -> None:
    """Nothing of the case file changed."""
    after = kept.refreshed()
    assert after.note.text == TEXT
    assert (after.complaint.text, after.complaint.answer) == (TEXT, f"Dear {TEXT}")
    assert TEXT in after.arrangement.review_reasons
    assert after.legal_steps.reason == TEXT
    assert after.handover.status_note == TEXT and after.handover.partner_reference.startswith("JANSEN")
    assert TEXT in after.delivery.reason
    assert after.dispute.original_name == "jansen-bankafschrift.pdf"
    assert after.dispute.stored_path == kept.dispute.stored_path
    assert kept.stored_file.read_bytes() == UPLOAD
