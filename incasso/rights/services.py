"""Writes of a data-subject request: intake, identity, extension, forwarding, instruction, outcome (SPEC P-4).

Each service is one transaction that writes the request's history and audit events; e-mails go out after it
commits. What a request makes happen to the person's data is in ``execution``.
"""

from __future__ import annotations

import datetime
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incasso.audit.models import AuditAction
from incasso.audit.services import Actor
from incasso.domain.deadlines import dsr_deadline
from incasso.parties.models import Client, ClientContact, Debtor
from incasso.parties.selectors import client_contact_emails, client_contacts_with_email, debtor_index_values
from incasso.rights import mail
from incasso.rights.history import request_step
from incasso.rights.models import (
    OPEN_STATUSES,
    RequestChannel,
    RequestKind,
    RequestStatus,
    RightsRequest,
    SubjectKind,
    VerificationCode,
    VerificationMethod,
)

CODE_VALIDITY = datetime.timedelta(minutes=30)
CODE_MAX_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class Requester:
    """Who asked, as they said it: nothing here is trusted until the identity is verified."""

    name: str = ""
    email: str = ""
    phone: str = ""


def _reference(received: datetime.datetime) -> str:
    return f"RR-{received:%Y}-{secrets.token_hex(4).upper()}"


def _debtor_ids(request: RightsRequest) -> list[int]:
    return list(request.debtors.values_list("pk", flat=True))


@dataclass(frozen=True, slots=True)
class _Intake:
    """What every request split from one intake shares."""

    kind: RequestKind
    channel: RequestChannel
    requester: Requester
    message: str
    received_at: datetime.datetime
    key: str
    corrections: dict[str, str]
    source_message_id: str = ""


def _new_request(
    intake: _Intake,
    *,
    subject_kind: SubjectKind,
    controller: Client | None,
    client_contact: ClientContact | None = None,
    subscriber_email: str = "",
) -> RightsRequest:
    return RightsRequest.objects.create(
        reference=_reference(intake.received_at),
        intake_key=intake.key,
        kind=intake.kind.value,
        channel=intake.channel.value,
        requester_name=intake.requester.name,
        requester_email=intake.requester.email,
        requester_phone=intake.requester.phone,
        message=intake.message,
        subject_kind=subject_kind.value,
        controller=controller,
        client_contact=client_contact,
        subscriber_email=subscriber_email,
        received_at=intake.received_at,
        due_on=dsr_deadline(timezone.localdate(intake.received_at)).due,
        corrections=intake.corrections,
        source_message_id=intake.source_message_id,
    )


@transaction.atomic
def requests_receive(
    *,
    kind: RequestKind,
    channel: RequestChannel,
    requester: Requester,
    actor: Actor,
    message: str = "",
    debtors: Iterable[Debtor] = (),
    client_contact: ClientContact | None = None,
    subscriber_email: str = "",
    corrections: dict[str, str] | None = None,
    received_at: datetime.datetime | None = None,
    source_message_id: str = "",
) -> list[RightsRequest]:
    """Take a request in from any channel: one request per controller of the person's data.

    Debtors of one client are that client's data (the agency is its processor), unless the client is the agency
    itself; a client contact's or a subscriber's data is the agency's own. With no subject given the request is
    matched on the requester's e-mail address against the debtors and contacts on file; an unmatched request is
    kept (unknown subject) for the privacy officer.
    """
    received_at = received_at or timezone.now()
    intake_key = secrets.token_hex(16)
    listed = list(debtors)
    if not listed and client_contact is None and not subscriber_email and requester.email:
        listed = list(debtors_with_email(requester.email))
        client_contact = client_contacts_with_email(email=requester.email).first()
    by_client: dict[int, list[Debtor]] = defaultdict(list)
    for debtor in listed:
        by_client[debtor.client_id].append(debtor)
    intake = _Intake(
        kind, channel, requester, message, received_at, intake_key, dict(corrections or {}), source_message_id
    )
    created: list[RightsRequest] = []
    for group in by_client.values():
        request = _new_request(intake, subject_kind=SubjectKind.DEBTOR, controller=group[0].client)
        request.debtors.set(group)
        created.append(request)
    if client_contact is not None:
        created.append(
            _new_request(
                intake, subject_kind=SubjectKind.CLIENT_CONTACT, controller=None, client_contact=client_contact
            )
        )
    if subscriber_email:
        created.append(
            _new_request(
                intake, subject_kind=SubjectKind.SUBSCRIBER, controller=None, subscriber_email=subscriber_email
            )
        )
    if not created:
        created.append(_new_request(intake, subject_kind=SubjectKind.UNKNOWN, controller=None))
    for request in created:
        request_step(
            request=request,
            action="received",
            actor=actor,
            audit_action=AuditAction.CREATE,
            details={"kind": request.kind, "channel": request.channel, "split_into": len(created)},
            debtor_ids=_debtor_ids(request),
        )
    return created


def debtors_with_email(address: str) -> list[Debtor]:
    """Every client's debtors with this e-mail address, through the blind index (the column itself is sealed)."""
    wanted = debtor_index_values(email=address)
    if not wanted or not all(wanted.values()):
        return []
    return list(Debtor.objects.filter(**wanted).select_related("client").order_by("pk"))


def known_addresses(request: RightsRequest) -> list[str]:
    """The e-mail addresses on file for the request's subject: a code sent there proves the requester is them."""
    if request.subject_kind == SubjectKind.DEBTOR:
        # Sealed fields: read through the instances, which open them with the debtor's key.
        return sorted({str(d.email).lower() for d in request.debtors.all() if d.email and "@" in str(d.email)})
    if request.client_contact is not None and request.client_contact.email_address:
        return [request.client_contact.email_address.lower()]
    if request.subscriber_email:
        return [request.subscriber_email.lower()]
    return []


def verification_address(request: RightsRequest) -> str | None:
    """Where the code goes: the requester's own address if it is on file, else the first address on file."""
    known = known_addresses(request)
    if not known:
        return None
    return request.requester_email.lower() if request.requester_email.lower() in known else known[0]


def address_masked(address: str) -> str:
    """An e-mail address as staff may see where a code went: the first letter of the name and of the domain, and the
    top-level domain (``jan@example.nl`` -> ``j***@e***.nl``)."""
    local, _at, domain = address.strip().lower().rpartition("@")
    if not local:
        return "***"
    host, dot, tld = domain.rpartition(".")
    masked_domain = f"{host[:1]}***{dot}{tld}" if host else f"{domain[:1]}***"
    return f"{local[:1]}***@{masked_domain}"


def request_verification_send(*, request: RightsRequest) -> bool:
    """E-mail a one-time code to an address on file; False when there is none (then staff must check)."""
    address = verification_address(request)
    if address is None:
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        VerificationCode.objects.filter(request__intake_key=request.intake_key, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        VerificationCode.objects.create(
            request=request,
            code_hash=make_password(code),
            sent_to=address_masked(address),  # the address itself is not kept (see VerificationCode)
            expires_at=timezone.now() + CODE_VALIDITY,
        )
        request_step(request=request, action="code_sent", actor="rights", fields=["rights.VerificationCode"])
    mail.verification_code_send(to=address, code=code, reference=request.reference)
    return True


def reply_address(request: RightsRequest) -> str | None:
    """Where answers go: an address on file for the subject, else (phone, staff-checked) the one the requester gave."""
    return verification_address(request) or request.requester_email or None


def _mark_verified(
    *, request: RightsRequest, method: VerificationMethod, actor: Actor, by: User | None = None, note: str = ""
) -> None:
    if request.status != RequestStatus.RECEIVED:
        return
    request.status = RequestStatus.VERIFIED.value
    request.verified_at = timezone.now()
    request.verification_method = method.value
    request.verified_by = by
    request.verification_note = note
    request.save(update_fields=["status", "verified_at", "verification_method", "verified_by", "verification_note"])
    request_step(
        request=request,
        action="verified",
        actor=actor,
        details={"method": method.value},
        debtor_ids=_debtor_ids(request),
    )


@transaction.atomic
def requests_verify_code(*, intake_key: str, code: str) -> list[RightsRequest]:
    """Check the code; on success every request of that intake is verified. Wrong, expired or spent: an error."""
    sent = (
        VerificationCode.objects.select_for_update()
        .filter(request__intake_key=intake_key, used_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if sent is None or sent.expires_at < timezone.now() or sent.attempts >= CODE_MAX_ATTEMPTS:
        raise ValidationError(_("This code has expired. Ask for a new one."), code="code_expired")
    if not check_password(code.strip(), sent.code_hash):
        sent.attempts += 1
        sent.save(update_fields=["attempts"])
        return []  # not an exception: the counted attempt must be committed
    sent.used_at = timezone.now()
    sent.save(update_fields=["used_at"])
    requests = list(RightsRequest.objects.filter(intake_key=intake_key).select_for_update())
    for request in requests:
        _mark_verified(request=request, method=VerificationMethod.EMAIL_CODE, actor=f"code sent to {sent.sent_to}")
    return requests


@transaction.atomic
def request_verify_staff(*, request: RightsRequest, actor: User, note: str) -> RightsRequest:
    """A staff member checked the requester's identity (e.g. by calling back a number on file) and says how."""
    if not note.strip():
        raise ValidationError(_("Say how the identity was checked."), code="note_required")
    _mark_verified(request=request, method=VerificationMethod.STAFF_CHECK, actor=actor, by=actor, note=note)
    return request


@transaction.atomic
def request_verify_portal(*, request: RightsRequest, actor: Actor) -> RightsRequest:
    """The request came from a debtor logged in to the portal: the log-in verified them."""
    _mark_verified(request=request, method=VerificationMethod.PORTAL_LOGIN, actor=actor)
    return request


def _require_open(request: RightsRequest) -> None:
    if request.status not in OPEN_STATUSES:
        raise ValidationError(_("This request is closed."), code="closed")


def require_verified(request: RightsRequest) -> None:
    """Nothing is disclosed or changed for a requester whose identity is not verified."""
    if request.verified_at is None:
        raise ValidationError(_("The requester's identity is not verified."), code="unverified")


def request_extend(*, request: RightsRequest, reason: str, actor: User, today: datetime.date | None = None) -> None:
    """Extend by two months (GDPR art. 12(3)): once, with reasons, and only while the first month runs."""
    today = today or timezone.localdate()
    deadline = dsr_deadline(timezone.localdate(request.received_at))
    _require_open(request)
    if request.extended_to is not None:
        raise ValidationError(_("This request was already extended."), code="already_extended")
    if today > deadline.extension_notice_by:
        raise ValidationError(
            _("The first month has passed: the extension had to be notified by %(day)s.")
            % {"day": deadline.extension_notice_by.isoformat()},
            code="too_late",
        )
    if not reason.strip():
        raise ValidationError(_("Give the reason for the extension."), code="reason_required")
    address = reply_address(request)
    if not address:
        raise ValidationError(_("There is no address to send the extension notice to."), code="no_address")
    with transaction.atomic():
        request.extended_to = deadline.extended_due
        request.extension_reason = reason
        request.extension_notice_at = timezone.now()
        request.save(update_fields=["extended_to", "extension_reason", "extension_notice_at"])
        request_step(request=request, action="extended", actor=actor, details={"to": deadline.extended_due.isoformat()})
    mail.extension_notice_send(request=request, to=address)


def request_forward(*, request: RightsRequest, actor: User) -> list[str]:
    """Send a processor-role request to the client who controls the data, with the evidence and the deadline."""
    _require_open(request)
    require_verified(request)
    if not request.processor_role or request.controller is None:
        raise ValidationError(_("The agency controls this data: carry the request out directly."), code="controller")
    recipients = client_contact_emails(client=request.controller)
    if not recipients:
        raise ValidationError(_("The client has no contact with an e-mail address."), code="no_contact")
    evidence = _(
        "identity verified on %(day)s by %(method)s; subjects: %(subjects)s; the person wrote: %(message)s"
    ) % {
        "day": request.verified_at.date().isoformat() if request.verified_at else "",
        "method": request.verification_method,
        "subjects": ", ".join(d.reference for d in request.debtors.all()),
        "message": request.message[:2000],
    }
    with transaction.atomic():
        request.status = RequestStatus.FORWARDED.value
        request.forwarded_at = timezone.now()
        request.save(update_fields=["status", "forwarded_at"])
        request_step(
            request=request,
            action="forwarded",
            actor=actor,
            audit_action=AuditAction.DISCLOSE,
            details={"controller": request.controller.code, "to": list(recipients)},
            debtor_ids=_debtor_ids(request),
        )
    mail.controller_forward_send(request=request, to=recipients, evidence=evidence)
    if request.requester_email:
        mail.requester_forwarded_send(request=request, to=request.requester_email, controller=request.controller.name)
    return recipients


@transaction.atomic
def request_instruction_record(*, request: RightsRequest, instruction: str, actor: User) -> RightsRequest:
    """Record what the controlling client told the agency to do; the request may then be carried out."""
    _require_open(request)
    if not request.processor_role:
        raise ValidationError(_("The agency controls this data: no client instruction is needed."), code="controller")
    if not instruction.strip():
        raise ValidationError(_("Write down the client's instruction."), code="instruction_required")
    request.instruction = instruction
    request.instruction_at = timezone.now()
    request.status = RequestStatus.INSTRUCTED.value
    request.save(update_fields=["instruction", "instruction_at", "status"])
    request_step(request=request, action="instruction_recorded", actor=actor, debtor_ids=_debtor_ids(request))
    return request


def require_executable(request: RightsRequest) -> None:
    """Verified, open, and — for a client's data — instructed by that client."""
    _require_open(request)
    require_verified(request)
    if request.processor_role and request.instruction_at is None:
        raise ValidationError(
            _("This is the client's data: forward the request and record the client's instruction first."),
            code="instruction_required",
        )


def request_close(*, request: RightsRequest, outcome: str, actor: Actor, refused: bool = False) -> RightsRequest:
    """Complete (or refuse, with reasons) and tell the requester."""
    _require_open(request)
    if not outcome.strip():
        raise ValidationError(_("Say what was done, or why the request is refused."), code="outcome_required")
    with transaction.atomic():
        request.status = (RequestStatus.REFUSED if refused else RequestStatus.COMPLETED).value
        request.outcome = outcome
        request.closed_at = timezone.now()
        request.save(update_fields=["status", "outcome", "closed_at"])
        request_step(request=request, action=request.status, actor=actor, debtor_ids=_debtor_ids(request))
    address = reply_address(request)
    if address and request.verified_at is not None:
        mail.outcome_send(request=request, to=address)
    return request
