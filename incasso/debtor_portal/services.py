"""The debtor portal's writes. Each is one transaction with its audit event, and calls the owning app's service.

The actor of every audit event is ``debtor-portal:<debtor id>``: the debtor, identified by the portal log-in.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incasso.accounts.access import DEBTOR_PORTAL_ACTOR
from incasso.arrangements.models import Arrangement, ProposedBy
from incasso.arrangements.services import arrangement_propose
from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.cases.models import Case, StaffTask, TaskKind
from incasso.cases.services import case_hold_place, task_create
from incasso.communications.models import CommunicationChannel, Direction, Letter
from incasso.communications.services import communication_log, letter_render_single
from incasso.complaints.models import Complaint, ComplaintChannel
from incasso.complaints.services import complaint_submit
from incasso.debtor_portal.login import PortalIdentity
from incasso.debtor_portal.models import ContactChange, DisputeFile
from incasso.debtor_portal.selectors import CONTACT_FIELDS
from incasso.decisions.models import Decision
from incasso.decisions.services import decision_contest
from incasso.domain.audit_chain import JSONValue
from incasso.domain.case_lifecycle import HoldKind
from incasso.domain.data_map import ProcessingPurpose
from incasso.intake.fields import dutch_postcode, email_valid
from incasso.parties.models import Debtor
from incasso.rights.models import RequestChannel, RequestKind
from incasso.rights.services import Requester, request_verify_portal, requests_receive

SOURCE = "debtor-portal"
MAX_PLAN_MONTHS = 36
FIRST_DUE_WITHIN_DAYS = 31
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# What a dispute file may be, recognised by its first bytes (the browser's content type is not trusted).
UPLOAD_TYPES: dict[str, tuple[bytes, str]] = {
    "application/pdf": (b"%PDF-", "pdf"),
    "image/png": (b"\x89PNG\r\n\x1a\n", "png"),
    "image/jpeg": (b"\xff\xd8\xff", "jpg"),
}
DISPUTE_DIR = "disputes"


def _actor(identity: PortalIdentity) -> str:
    return f"{DEBTOR_PORTAL_ACTOR}:{identity.debtor_id}"


def _source(ip: str | None) -> str:
    return f"ip:{ip}" if ip else SOURCE


# ---- payment plan ----


def plan_first_due_check(*, first_due: datetime.date, on: datetime.date) -> None:
    """``ValidationError`` unless the first instalment falls due from today up to ``FIRST_DUE_WITHIN_DAYS`` ahead.
    The plan form checks it too, so the preview never shows a schedule the proposal would refuse."""
    if not on <= first_due <= on + datetime.timedelta(days=FIRST_DUE_WITHIN_DAYS):
        raise ValidationError(
            _("The first instalment falls due within %(days)d days from today.") % {"days": FIRST_DUE_WITHIN_DAYS},
            code="first_due",
        )


def portal_plan_propose(
    *, case: Case, identity: PortalIdentity, months: int, first_due: datetime.date, on: datetime.date
) -> Arrangement:
    """The debtor proposes a plan: accepted at once within the client's bounds, else a task for a collector."""
    if not 1 <= months <= MAX_PLAN_MONTHS:
        raise ValidationError(
            _("Choose between 1 and %(max)d monthly instalments.") % {"max": MAX_PLAN_MONTHS}, code="months"
        )
    plan_first_due_check(first_due=first_due, on=on)
    return arrangement_propose(case=case, months=months, first_due=first_due, proposed_by=ProposedBy.DEBTOR, on=on)


# ---- dispute ----


def _upload_check(upload: UploadedFile) -> tuple[bytes, str, str]:
    """The file's bytes, type and extension; ``ValidationError`` for a file too large or of another type."""
    if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}, code="too_large"
        )
    content = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}, code="too_large"
        )
    for content_type, (magic, extension) in UPLOAD_TYPES.items():
        if content.startswith(magic):
            return content, content_type, extension
    raise ValidationError(_("Upload a PDF, PNG or JPEG file."), code="file_type")


@dataclass(frozen=True)
class DisputeReceipt:
    hold_id: int
    task_id: int
    file: DisputeFile | None


def portal_dispute_submit(
    *, case: Case, identity: PortalIdentity, reason: str, upload: UploadedFile | None, ip: str | None
) -> DisputeReceipt:
    """Dispute the claim: the case is put on hold, a collector gets a task, and the file (if any) is kept safely.

    The file is checked before anything is written and written before the transaction commits; should the
    transaction fail, the file is removed again.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Tell us why you dispute the claim."), code="reason")
    checked = _upload_check(upload) if upload is not None else None
    path = None
    if checked is not None:
        path = settings.INCASSO_MEDIA_DIR / DISPUTE_DIR / f"{secrets.token_hex(16)}.{checked[2]}"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as handle:
            handle.write(checked[0])
        path.chmod(0o600)
    try:
        with transaction.atomic():
            return _dispute_record(
                case=case, identity=identity, reason=reason, upload=upload, checked=checked, stored=path, ip=ip
            )
    except Exception:
        if path is not None:
            path.unlink(missing_ok=True)
        raise


def _dispute_record(
    *,
    case: Case,
    identity: PortalIdentity,
    reason: str,
    upload: UploadedFile | None,
    checked: tuple[bytes, str, str] | None,
    stored: Path | None,
    ip: str | None,
) -> DisputeReceipt:
    today = timezone.localdate()
    hold = case_hold_place(case=case, kind=HoldKind.DISPUTE, reason=reason)
    stored_file = None
    if checked is not None and upload is not None and stored is not None:
        relative = f"{DISPUTE_DIR}/{stored.name}"
        stored_file = DisputeFile.objects.create(
            case=case,
            original_name=(upload.name or "upload")[-255:],
            content_type=checked[1],
            size_bytes=len(checked[0]),
            sha256=hashlib.sha256(checked[0]).hexdigest(),
            stored_path=relative,
        )
    task = task_create(
        kind=TaskKind.DISPUTE,
        title=_("Dispute from the debtor portal on case %(case)s") % {"case": case.number},
        details=reason,
        due_on=today,
        case=case,
    )
    communication_log(
        case_id=case.pk,
        channel=CommunicationChannel.PORTAL,
        direction=Direction.IN,
        occurred_at=timezone.now(),
        subject=_("Dispute"),
        summary=reason,
    )
    audit_record(
        actor=_actor(identity),
        action=AuditAction.CREATE,
        subject=case.debtor,
        fields=("cases.CaseHold.reason", "debtor_portal.DisputeFile.original_name"),
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=_source(ip),
        details={"case": case.number, "hold": hold.pk, "file": stored_file.pk if stored_file else None},
    )
    return DisputeReceipt(hold_id=hold.pk, task_id=task.pk, file=stored_file)


# ---- contact details ----


@dataclass(frozen=True)
class ContactDetails:
    email: str
    phone: str
    street: str
    house_number: str
    postcode: str
    city: str


@transaction.atomic
def portal_contact_update(*, identity: PortalIdentity, details: ContactDetails, ip: str | None) -> list[str]:
    """Change the debtor's contact details with the checks intake applies; returns the fields that changed."""
    debtor = Debtor.objects.select_for_update().get(pk=identity.debtor_id)
    errors: dict[str, str] = {}
    email = details.email.strip()
    if email and not email_valid(email):
        errors["email"] = _("This is not a valid e-mail address.")
    postcode = details.postcode.strip()
    if postcode and debtor.country == "NL":
        normalised = dutch_postcode(postcode)
        if normalised is None:
            errors["postcode"] = _("This is not a valid Dutch postcode (for example 1234 AB).")
        else:
            postcode = normalised
    if errors:
        raise ValidationError(errors)
    wanted = {
        "email": email,
        "phone": details.phone.strip(),
        "street": details.street.strip(),
        "house_number": details.house_number.strip(),
        "postcode": postcode,
        "city": details.city.strip(),
    }
    changed = [name for name in CONTACT_FIELDS if str(getattr(debtor, name) or "") != wanted[name]]
    if not changed:
        return []
    for name in changed:
        setattr(debtor, name, wanted[name])
    debtor.full_clean()
    debtor.save()
    ContactChange.objects.create(debtor=debtor, fields=changed)
    audit_record(
        actor=_actor(identity),
        action=AuditAction.UPDATE,
        subject=debtor,
        fields=[f"parties.Debtor.{name}" for name in changed],
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=_source(ip),
        details={"changed": list[JSONValue](changed)},
    )
    return changed


# ---- questions and complaints ----


@transaction.atomic
def portal_question_ask(*, case: Case, identity: PortalIdentity, subject: str, message: str, ip: str | None) -> int:
    """A question: on the case's contact log and a task for staff. Returns the task's id."""
    subject, message = subject.strip(), message.strip()
    if not message:
        raise ValidationError(_("Write your message."), code="message")
    task = task_create(
        kind=TaskKind.GENERAL,
        title=_("Question from the debtor on case %(case)s") % {"case": case.number},
        details=f"{subject}\n\n{message}".strip(),
        due_on=timezone.localdate(),
        case=case,
    )
    _message_log(
        case=case,
        identity=identity,
        ip=ip,
        heading=_("Question"),
        subject=subject,
        message=message,
        made={"task": task.pk},
    )
    return task.pk


@transaction.atomic
def portal_complaint_submit(
    *, case: Case, identity: PortalIdentity, subject: str, message: str, ip: str | None
) -> Complaint:
    """A complaint (Wki complaints procedure): into the complaints register, and on the case's contact log."""
    subject, message = subject.strip(), message.strip()
    text = f"{subject}\n\n{message}".strip() if message else ""
    complaint = complaint_submit(case=case, text=text, channel=ComplaintChannel.DEBTOR_PORTAL, source=_source(ip))
    _message_log(
        case=case,
        identity=identity,
        ip=ip,
        heading=_("Complaint"),
        subject=subject,
        message=message,
        made={"complaint_id": complaint.pk},
    )
    return complaint


def _message_log(
    *,
    case: Case,
    identity: PortalIdentity,
    ip: str | None,
    heading: str,
    subject: str,
    message: str,
    made: dict[str, JSONValue],
) -> None:
    """A message the debtor sent from the portal, on the case's contact log; ``made`` (what the message became:
    task, complaint) goes into the audit event."""
    communication_log(
        case_id=case.pk,
        channel=CommunicationChannel.PORTAL,
        direction=Direction.IN,
        occurred_at=timezone.now(),
        subject=f"{heading}: {subject}"[:200],
        summary=message,
    )
    audit_record(
        actor=_actor(identity),
        action=AuditAction.CREATE,
        subject=case.debtor,
        fields=("communications.Communication.summary",),
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=_source(ip),
        details={"case": case.number, **made},
    )


# ---- letters ----


def portal_letter_download(*, letter: Letter, identity: PortalIdentity, ip: str | None) -> bytes:
    """The letter as a PDF, rendered by the communications service; the copy handed out is audited."""
    pdf = letter_render_single(letter=letter)
    with transaction.atomic():
        audit_record(
            actor=_actor(identity),
            action=AuditAction.EXPORT,
            subject=Debtor(pk=identity.debtor_id),
            fields=("communications.Letter.data",),
            purpose=ProcessingPurpose.DEBT_COLLECTION,
            source=_source(ip),
            details={"case_id": letter.case_id, "letter": letter.pk},
        )
    return pdf


# ---- automated decisions ----


@transaction.atomic
def portal_decision_contest(*, decision: Decision, identity: PortalIdentity, reason: str, ip: str | None) -> StaffTask:
    """The debtor asks a person to review an automated decision (GDPR art. 22(3)): the decisions app's one contest,
    with no staff member as actor because the debtor sent it; asking twice is one review. Returns the review task."""
    task = decision_contest(decision=decision, reason=reason.strip(), actor=None)
    audit_record(
        actor=_actor(identity),
        action=AuditAction.UPDATE,
        subject=Debtor(pk=identity.debtor_id),
        fields=("decisions.Decision.contest_reason",),
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=_source(ip),
        details={"case_id": decision.case_id, "decision": decision.pk, "task": task.pk},
    )
    return task


# ---- data-subject rights ----

PORTAL_RIGHTS = (
    RequestKind.ACCESS,
    RequestKind.RECTIFICATION,
    RequestKind.ERASURE,
    RequestKind.RESTRICTION,
    RequestKind.OBJECTION_PROCESSING,
    RequestKind.OBJECTION_MARKETING,
    RequestKind.PORTABILITY,
    RequestKind.CONSENT_WITHDRAWAL,
    RequestKind.HUMAN_REVIEW,
)


@transaction.atomic
def portal_rights_request(*, identity: PortalIdentity, kind: RequestKind, message: str) -> list[str]:
    """A data-subject request from the logged-in debtor: received and at once identity-verified by the log-in.

    Returns the requests' references.
    """
    if kind not in PORTAL_RIGHTS:
        raise ValidationError(_("Choose one of the rights listed."), code="kind")
    debtor = Debtor.objects.get(pk=identity.debtor_id)
    requests = requests_receive(
        kind=kind,
        channel=RequestChannel.PORTAL,
        requester=Requester(name=debtor.display_name, email=str(debtor.email or "")),
        actor=_actor(identity),
        message=message.strip(),
        debtors=[debtor],
    )
    for request in requests:
        request_verify_portal(request=request, actor=_actor(identity))
    return [request.reference for request in requests]
