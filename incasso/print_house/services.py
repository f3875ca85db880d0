"""Shipping print batches to the print house and reading its delivery reports (C-8, issue 8 item 4).

``shipments_send`` uploads every rendered batch not yet on the print house's server: the PDF, the CSV manifest
and, last, a small JSON ready file naming both with their SHA-256. The print house picks a batch up by its ready
file only, so it never prints half a batch. A failure leaves the shipment queued with the error and one more
attempt counted; the next run sends it. Each uploaded letter is a disclosure to the print house about its debtor
(``disclosure``), logged once the upload succeeded; a print house that may not receive the data gets nothing.

``delivery_reports_fetch`` reads the print house's CSV reports (``letter_id, case_number, status, reason``) from
its reports directory, records one ``DeliveryLine`` per letter and status, logs a returned or undeliverable
letter on its case's contact log, marks it returned with a task to find the debtor's address (``returns``), and
moves the report to ``processed/``. Reading a report again changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import posixpath
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from incasso.communications.models import CommunicationChannel, Direction, Letter, LetterStatus, PrintBatch
from incasso.communications.services import communication_log
from incasso.disclosures.models import Recipient
from incasso.print_house.config import PrintHouseSettings, print_house_settings
from incasso.print_house.disclosure import print_house_recipient, shipment_disclosures_record, shipment_refusal
from incasso.print_house.models import DeliveryLine, DeliveryStatus, Shipment, ShipmentStatus
from incasso.print_house.returns import letters_returned
from incasso.print_house.sftp import PrintHouseError, PrintHouseSftp, print_house_connect

ACTOR = "print house shipping"
REPORT_COLUMNS = ("letter_id", "case_number", "status", "reason")
PROCESSED_DIR = "processed"
# A letter the print house can report on: shipped, or already reported returned (a report read again).
_SHIPPED = frozenset({LetterStatus.RENDERED, LetterStatus.RETURNED})


class BatchFilesBroken(Exception):
    """A batch's files are missing or differ from their recorded SHA-256: it cannot be sent as it is."""


@dataclass(frozen=True, slots=True)
class ShipmentsOutcome:
    sent: list[int] = field(default_factory=list)  # shipment ids
    queued: list[int] = field(default_factory=list)  # tried and failed; retried next run
    failed: list[int] = field(default_factory=list)  # cannot be sent without someone looking


@dataclass(frozen=True, slots=True)
class ReportsOutcome:
    reports: list[str] = field(default_factory=list)
    recorded: int = 0
    already_known: int = 0
    rejected: list[str] = field(default_factory=list)  # "report:line: why"


def _batch_files(batch: PrintBatch) -> tuple[bytes, bytes]:
    media = Path(settings.INCASSO_MEDIA_DIR)
    try:
        pdf, manifest = (media / batch.pdf_path).read_bytes(), (media / batch.manifest_path).read_bytes()
    except OSError as exc:
        raise BatchFilesBroken(f"batch files cannot be read: {exc}") from None
    if hashlib.sha256(pdf).hexdigest() != batch.pdf_sha256:
        raise BatchFilesBroken("the PDF differs from its recorded SHA-256")
    if hashlib.sha256(manifest).hexdigest() != batch.manifest_sha256:
        raise BatchFilesBroken("the manifest differs from its recorded SHA-256")
    return pdf, manifest


def ready_document(batch: PrintBatch, *, pdf_name: str, manifest_name: str) -> bytes:
    """The ready file: which files make up the batch, with their SHA-256, so the print house can check them."""
    document = {
        "batch": batch.pk,
        "posting_date": batch.for_date.isoformat(),
        "letters": batch.letter_count,
        "files": [
            {"name": pdf_name, "sha256": batch.pdf_sha256, "type": "application/pdf"},
            {"name": manifest_name, "sha256": batch.manifest_sha256, "type": "text/csv"},
        ],
    }
    return json.dumps(document, indent=2, sort_keys=True).encode("utf-8") + b"\n"


def _shipments_queue(*, on: date) -> None:
    """A queued shipment for every rendered batch up to ``on`` that has none yet."""
    unshipped = PrintBatch.objects.filter(for_date__lte=on, shipment__isnull=True).exclude(pdf_path="")
    Shipment.objects.bulk_create([Shipment(batch=b) for b in unshipped], ignore_conflicts=True)


def _upload(sftp: PrintHouseSftp, shipment: Shipment, config: PrintHouseSettings) -> None:
    batch = shipment.batch
    pdf, manifest = _batch_files(batch)
    stem = f"batch-{batch.pk:06d}"
    pdf_path = posixpath.join(config.upload_dir, f"{stem}.pdf")
    manifest_path = posixpath.join(config.upload_dir, f"{stem}.csv")
    ready_path = posixpath.join(config.upload_dir, f"{stem}.ready.json")
    sftp.directory_ensure(config.upload_dir)
    sftp.upload_atomic(pdf_path, pdf)
    sftp.upload_atomic(manifest_path, manifest)
    # Last: the print house starts on a batch when its ready file appears.
    sftp.upload_atomic(ready_path, ready_document(batch, pdf_name=f"{stem}.pdf", manifest_name=f"{stem}.csv"))
    shipment.remote_pdf_path, shipment.remote_manifest_path = pdf_path, manifest_path
    shipment.remote_ready_path = ready_path


def _attempt_failed(shipment: Shipment, error: str, *, status: str = ShipmentStatus.QUEUED) -> None:
    shipment.attempts += 1
    shipment.last_error, shipment.status = error, status
    shipment.save(update_fields=["attempts", "last_error", "status"])


def shipments_send(*, on: date) -> ShipmentsOutcome:
    """Upload every rendered batch posted up to ``on`` that is not on the print house's server yet."""
    with transaction.atomic():
        _shipments_queue(on=on)
    pending = list(
        Shipment.objects.filter(status=ShipmentStatus.QUEUED, batch__for_date__lte=on).values_list("pk", flat=True)
    )
    outcome = ShipmentsOutcome()
    if not pending:
        return outcome
    config = print_house_settings()
    recipient = print_house_recipient()
    try:
        with print_house_connect(config) as sftp:
            for shipment_id in pending:
                _shipment_send(sftp, shipment_id, config, recipient, outcome)
    except PrintHouseError as exc:
        # The connection failed (or broke off): every shipment not sent in this run waits for the next.
        with transaction.atomic():
            done = set(outcome.sent) | set(outcome.queued) | set(outcome.failed)
            for shipment in Shipment.objects.select_for_update().filter(
                pk__in=[pk for pk in pending if pk not in done], status=ShipmentStatus.QUEUED
            ):
                _attempt_failed(shipment, str(exc))
                outcome.queued.append(shipment.pk)
    return outcome


def _shipment_send(
    sftp: PrintHouseSftp, shipment_id: int, config: PrintHouseSettings, recipient: Recipient, out: ShipmentsOutcome
) -> None:
    # The row stays locked during its upload, so two runs on PostgreSQL never send one batch twice.
    with transaction.atomic():
        shipment = (
            Shipment.objects.select_for_update(skip_locked=True)
            .select_related("batch")
            .filter(pk=shipment_id, status=ShipmentStatus.QUEUED)
            .first()
        )
        if shipment is None:
            return
        refusal = shipment_refusal(recipient, shipment.batch, actor=ACTOR)
        if refusal is not None:
            _attempt_failed(shipment, refusal, status=ShipmentStatus.FAILED)
            out.failed.append(shipment.pk)
            return
        try:
            _upload(sftp, shipment, config)
        except BatchFilesBroken as exc:
            _attempt_failed(shipment, str(exc), status=ShipmentStatus.FAILED)
            out.failed.append(shipment.pk)
            return
        except (PrintHouseError, OSError, EOFError) as exc:
            _attempt_failed(shipment, f"upload failed: {exc}")
            out.queued.append(shipment.pk)
            return
        shipment.status, shipment.sent_at, shipment.last_error = ShipmentStatus.SENT, timezone.now(), ""
        shipment.attempts += 1
        shipment.save()
        shipment_disclosures_record(recipient, shipment.batch, actor=ACTOR)
        out.sent.append(shipment.pk)


@dataclass(frozen=True, slots=True)
class _ReportLine:
    number: int
    letter_id: int
    case_number: str
    status: str
    reason: str


def _report_parse(name: str, data: bytes, rejected: list[str]) -> list[_ReportLine]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        rejected.append(f"{name}: not UTF-8")
        return []
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not set(REPORT_COLUMNS[:3]) <= set(reader.fieldnames):
        rejected.append(f"{name}: the header must be {','.join(REPORT_COLUMNS)}")
        return []
    lines = []
    for number, row in enumerate(reader, start=2):
        status = (row.get("status") or "").strip().lower()
        raw_id = (row.get("letter_id") or "").strip()
        if status not in DeliveryStatus.values or not raw_id.isdigit():
            rejected.append(f"{name}:{number}: unknown status {status!r} or letter id {raw_id!r}")
            continue
        reason = (row.get("reason") or "").strip()[:200]
        lines.append(_ReportLine(number, int(raw_id), (row.get("case_number") or "").strip(), status, reason))
    return lines


@transaction.atomic
def delivery_report_record(*, name: str, data: bytes) -> ReportsOutcome:
    """Record one delivery report's lines; a line already on record (same letter and status) is skipped."""
    rejected: list[str] = []
    lines = _report_parse(name, data, rejected)
    letters = {
        letter.pk: letter
        for letter in Letter.objects.select_related("case").filter(pk__in=[line.letter_id for line in lines])
    }
    shipments_by_batch = {
        s.batch_id: s for s in Shipment.objects.filter(batch_id__in={letter.batch_id for letter in letters.values()})
    }
    known = set(DeliveryLine.objects.filter(letter_id__in=list(letters)).values_list("letter_id", "status"))
    now = timezone.now()
    recorded, already_known = 0, 0
    shipments: dict[int, Shipment] = {}
    returned: dict[int, Letter] = {}
    reasons: dict[int, str] = {}
    for line in lines:
        letter = letters.get(line.letter_id)
        batch_id = letter.batch_id if letter is not None else None
        shipment = shipments_by_batch.get(batch_id) if batch_id is not None else None
        if letter is None or shipment is None or letter.status not in _SHIPPED:
            rejected.append(f"{name}:{line.number}: letter {line.letter_id} was not shipped to the print house")
            continue
        if line.case_number and line.case_number != letter.case.number:
            rejected.append(f"{name}:{line.number}: letter {line.letter_id} is not of case {line.case_number}")
            continue
        if (letter.pk, line.status) in known:
            already_known += 1
            continue
        known.add((letter.pk, line.status))
        DeliveryLine.objects.create(
            shipment=shipment, letter=letter, status=line.status, reason=line.reason, report_name=name, reported_at=now
        )
        recorded += 1
        shipments[shipment.pk] = shipment
        if line.status != DeliveryStatus.DELIVERED:
            returned[letter.pk], reasons[letter.pk] = letter, line.reason
            label = DeliveryStatus(line.status).label
            communication_log(
                case_id=letter.case_id,
                channel=CommunicationChannel.LETTER,
                direction=Direction.IN,
                occurred_at=now,
                subject=f"{label}: {letter.kind} of {letter.posted_on}",
                summary=line.reason,
                letter=letter,
            )
    letters_returned(letters=list(returned.values()), reasons=reasons, on=timezone.localdate())
    for shipment in shipments.values():
        shipment.status = ShipmentStatus.ACKNOWLEDGED
        shipment.report_received_at = shipment.report_received_at or now
        shipment.save(update_fields=["status", "report_received_at"])
    return ReportsOutcome(reports=[name], recorded=recorded, already_known=already_known, rejected=rejected)


def delivery_reports_fetch() -> ReportsOutcome:
    """Read every new report in the print house's reports directory, record it, move it to ``processed/``.

    A report is moved only after its lines are committed; if the move fails, the next run reads it again and
    finds every line already on record.
    """
    config = print_house_settings()
    processed_dir = posixpath.join(config.reports_dir, PROCESSED_DIR)
    names: list[str] = []
    recorded, already_known, rejected = 0, 0, []
    with print_house_connect(config) as sftp:
        for name in sftp.files_list(config.reports_dir):
            if not name.lower().endswith(".csv"):
                continue
            result = delivery_report_record(name=name, data=sftp.read(posixpath.join(config.reports_dir, name)))
            sftp.directory_ensure(processed_dir)
            sftp.move(posixpath.join(config.reports_dir, name), posixpath.join(processed_dir, name))
            names.append(name)
            recorded += result.recorded
            already_known += result.already_known
            rejected.extend(result.rejected)
    return ReportsOutcome(reports=names, recorded=recorded, already_known=already_known, rejected=rejected)
