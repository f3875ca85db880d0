"""Handing a case over (SPEC C-13, P-8): to a partner agency abroad, or to a bailiff or lawyer for legal steps.

``handover_send`` checks the transfer rules first (a recipient outside the EEA without an adequacy decision or
safeguards is refused, and the refusal is logged, before anything is built), records the hand-over, and delivers
it: the package is built, encrypted for the recipient and uploaded over SFTP through the resilience layer. Only a
delivered package is logged as a disclosure, in the transaction that marks the hand-over sent. A recipient that
cannot be reached leaves the hand-over queued in the outbox (``incasso integrations retry`` delivers it later).

``handover_poll`` reads the status files the recipients put in their outbox directory; a partner abroad accepting
a case closes it as transferred (``cases.services.case_transition``).
"""

from __future__ import annotations

import datetime
import json
import posixpath
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from incasso.audit.models import AuditAction
from incasso.audit.services import Actor, audit_record
from incasso.cases.models import Case
from incasso.cases.services import case_transition
from incasso.disclosures.services import disclosure_check, disclosure_record
from incasso.domain.case_lifecycle import TransitionRefused
from incasso.domain.case_stages import ClosedReason, Stage
from incasso.domain.data_map import LegalBasis, ProcessingPurpose
from incasso.handover.crypto import package_encrypt
from incasso.handover.models import Handover, HandoverRecipient, HandoverRole, HandoverStatus
from incasso.handover.package import PACKAGE_CATEGORIES, handover_package_build, package_bytes
from incasso.handover.transport import recipient_connect
from incasso.integrations.outbox import Outgoing, pending_calls_enqueue
from incasso.integrations.resilience import Backoff, CircuitBreaker, ServiceUnavailable, call_with_resilience

HANDOVER_DELIVER_KIND = "handover.deliver"
ACTOR = "hand-over"
TIMEOUT_SECONDS = 30.0
RETRIES = 2
BACKOFF = Backoff(base_seconds=1.0, factor=2.0, max_seconds=10.0)
PROCESSED_DIR = "processed"
REPORTED = {
    "accepted": HandoverStatus.ACCEPTED,
    "rejected": HandoverStatus.REJECTED,
    "completed": HandoverStatus.COMPLETED,
}
NOTE_LENGTH = 2000


class HandoverRefused(Exception):
    """The hand-over is not allowed as asked (a closed case, an inactive recipient)."""


def handover_breaker(recipient: HandoverRecipient) -> CircuitBreaker:
    return CircuitBreaker(f"handover:{recipient.code}", failure_threshold=3, reset_after=datetime.timedelta(minutes=5))


def _disclosure_fields(case: Case, recipient: HandoverRecipient, package_name: str) -> dict[str, Any]:
    return {
        "recipient": recipient.recipient,
        "subjects": [case.debtor],
        "categories": list(PACKAGE_CATEGORIES),
        "legal_basis": LegalBasis.LEGITIMATE_INTEREST,
        "purpose": ProcessingPurpose.DEBT_COLLECTION,
        "description": f"case file {case.number} handed over ({recipient.role}): {package_name}",
        "case": case,
    }


def handover_send(
    *,
    case: Case,
    recipient: HandoverRecipient,
    actor: Actor,
    as_of: datetime.date | None = None,
    now: datetime.datetime | None = None,
    retries: int = RETRIES,
) -> Handover:
    """Hand the case over to ``recipient`` now, or queue the delivery when its server cannot be reached.

    Raises ``TransferRefused`` (logged) when the recipient may not receive the data, ``HandoverRefused`` for a
    closed case or an inactive recipient, ``HandoverTransportError`` when the server refuses us.
    """
    now = now or timezone.now()
    as_of = as_of or timezone.localdate(now)
    if not recipient.active:
        raise HandoverRefused(f"hand-over recipient {recipient.code} is not active")
    if case.stage == Stage.CLOSED.value:
        raise HandoverRefused(f"case {case.number} is closed")
    package_name = f"{case.number}-{now:%Y%m%dT%H%M%S%f}.json.enc"
    # Logs a refusal (a recipient that may not receive the data, a debtor whose processing is restricted) and
    # raises TransferRefused; nothing is built, recorded or sent.
    disclosure_check(**_disclosure_fields(case, recipient, package_name), actor=actor)
    with transaction.atomic():
        handover = Handover.objects.create(case=case, handover_recipient=recipient, package_name=package_name)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            subject=case.debtor,
            fields=["handover.Handover.status"],
            purpose=ProcessingPurpose.DEBT_COLLECTION,
            source=f"hand-over to {recipient.code}",
            details={"handover": handover.pk, "case": case.pk, "role": recipient.role},
        )
    try:
        return handover_deliver(handover=handover, actor=actor, as_of=as_of, retries=retries)
    except ServiceUnavailable as exc:
        pending_calls_enqueue(
            kind=HANDOVER_DELIVER_KIND,
            calls=[Outgoing(f"{HANDOVER_DELIVER_KIND}:{handover.pk}", {"handover_id": handover.pk})],
            last_error=str(exc),
        )
        return handover


def _upload(recipient: HandoverRecipient, path: str, data: bytes, timeout: float) -> None:
    with recipient_connect(recipient, timeout=timeout) as sftp:
        sftp.directory_ensure(recipient.inbox_dir)
        sftp.upload_atomic(path, data)


def handover_deliver(
    *,
    handover: Handover,
    actor: Actor,
    as_of: datetime.date | None = None,
    breaker: CircuitBreaker | None = None,
    timeout: float = TIMEOUT_SECONDS,
    retries: int = RETRIES,
    backoff: Backoff = BACKOFF,
) -> Handover:
    """Build, encrypt and upload the package of a queued hand-over; then log the disclosure and mark it sent."""
    handover = Handover.objects.select_related("case__debtor", "handover_recipient__recipient").get(pk=handover.pk)
    if handover.status != HandoverStatus.QUEUED:
        return handover  # already delivered: the outbox may run a call twice
    recipient = handover.handover_recipient
    as_of = as_of or timezone.localdate()
    # Checked again before the upload: the debtor's processing may have been restricted while it was queued.
    disclosure_check(**_disclosure_fields(handover.case, recipient, handover.package_name), actor=actor)
    package = handover_package_build(case=handover.case, role=recipient.role, as_of=as_of)
    envelope = package_encrypt(package_bytes(package), public_key_pem=recipient.public_key_pem)
    call_with_resilience(
        f"handover:{recipient.code}",
        partial(_upload, recipient, posixpath.join(recipient.inbox_dir, handover.package_name), envelope),
        timeout=timeout,
        retries=retries,
        backoff=backoff,
        breaker=breaker or handover_breaker(recipient),
    )
    with transaction.atomic():
        fields = _disclosure_fields(handover.case, recipient, handover.package_name)
        disclosure = disclosure_record(**fields, actor=actor)
        Handover.objects.filter(pk=handover.pk).update(
            status=HandoverStatus.SENT.value, sent_at=timezone.now(), disclosure=disclosure
        )
    handover.refresh_from_db()
    return handover


def handover_deliver_pending(payload: dict[str, Any]) -> None:
    """The outbox handler of ``handover.deliver``: deliver now, or raise so the call stays queued."""
    handover_deliver(handover=Handover(pk=int(payload["handover_id"])), actor=ACTOR, retries=0)


@dataclass(frozen=True, slots=True)
class StatusReport:
    package: str
    status: HandoverStatus
    reference: str
    note: str


def status_parse(raw: bytes) -> StatusReport:
    """A recipient's status file: ``{"package": ..., "status": "accepted|rejected|completed", ...}``."""
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"the status file is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("the status file is not a JSON object")
    package, status = data.get("package"), data.get("status")
    reference, note = data.get("reference", ""), data.get("note", "")
    if not isinstance(package, str) or not package or status not in REPORTED:
        raise ValueError(f"the status file needs 'package' and a 'status' of {sorted(REPORTED)}")
    if not isinstance(reference, str) or not isinstance(note, str):
        raise ValueError("'reference' and 'note' must be text")
    return StatusReport(package, REPORTED[status], reference[:100], note[:NOTE_LENGTH])


def handover_status_record(*, handover: Handover, report: StatusReport, today: datetime.date) -> Handover:
    """Record what the recipient reported; a partner abroad accepting the case closes it as transferred."""
    with transaction.atomic():
        locked = Handover.objects.select_for_update().select_related("case", "handover_recipient").get(pk=handover.pk)
        locked.status, locked.partner_reference, locked.status_note = report.status.value, report.reference, report.note
        locked.status_at = timezone.now()
        locked.save(update_fields=["status", "partner_reference", "status_note", "status_at"])
        case = Case.objects.select_related("debtor").get(pk=locked.case_id)
        audit_record(
            actor=ACTOR,
            action=AuditAction.UPDATE,
            subject=case.debtor,
            fields=["handover.Handover.status", "handover.Handover.status_note"],
            purpose=ProcessingPurpose.DEBT_COLLECTION,
            source=f"hand-over status from {locked.handover_recipient.code}",
            details={"handover": locked.pk, "case": case.pk, "status": report.status.value},
        )
        accepted_abroad = (
            report.status == HandoverStatus.ACCEPTED and locked.handover_recipient.role == HandoverRole.PARTNER_ABROAD
        )
        if accepted_abroad and case.stage != Stage.CLOSED.value:
            case_transition(
                case=case,
                to=Stage.CLOSED,
                reason=f"handed over to {locked.handover_recipient.code} ({report.reference or locked.package_name})",
                today=today,
                actor_name=ACTOR,
                closed_reason=ClosedReason.TRANSFERRED,
            )
    return locked


@dataclass
class PollReport:
    read: int = 0
    applied: int = 0
    errors: list[str] = field(default_factory=list)


def _poll_one(recipient: HandoverRecipient, report: PollReport, today: datetime.date, timeout: float) -> None:
    with recipient_connect(recipient, timeout=timeout) as sftp:
        names = [n for n in sftp.files_list(recipient.outbox_dir) if n.endswith(".json")]
        for name in names:
            path = posixpath.join(recipient.outbox_dir, name)
            report.read += 1
            try:
                status = status_parse(sftp.read(path))
            except ValueError as exc:
                report.errors.append(f"{recipient.code}/{name}: {exc}")  # left in place, nothing changed
                continue
            handover = Handover.objects.filter(
                package_name=status.package, handover_recipient=recipient, status__in=_OPEN
            ).first()
            if handover is None:
                report.errors.append(f"{recipient.code}/{name}: no open hand-over {status.package!r}")
                continue
            try:
                handover_status_record(handover=handover, report=status, today=today)
            except TransitionRefused as exc:  # rolled back: the file stays for the next poll
                report.errors.append(f"{recipient.code}/{name}: case cannot close as transferred: {exc}")
                continue
            sftp.directory_ensure(posixpath.join(recipient.outbox_dir, PROCESSED_DIR))
            sftp.move(path, posixpath.join(recipient.outbox_dir, PROCESSED_DIR, name))
            report.applied += 1


_OPEN = [HandoverStatus.SENT.value, HandoverStatus.ACCEPTED.value]


def handover_poll(
    *, today: datetime.date | None = None, timeout: float = TIMEOUT_SECONDS, retries: int = RETRIES
) -> PollReport:
    """Read every active recipient's status files; a recipient that cannot be reached is tried next time."""
    today = today or timezone.localdate()
    report = PollReport()
    for recipient in HandoverRecipient.objects.filter(active=True).order_by("code"):
        try:
            call_with_resilience(
                f"handover:{recipient.code}",
                partial(_poll_one, recipient, report, today),
                timeout=timeout,
                retries=retries,
                backoff=BACKOFF,
                breaker=handover_breaker(recipient),
            )
        except ServiceUnavailable as exc:
            report.errors.append(str(exc))
    return report
