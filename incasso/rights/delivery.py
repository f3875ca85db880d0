"""Delivering an export: a signed link that expires, and a log row and audit event for every download."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incasso.audit.models import AuditAction
from incasso.rights.export import export_document
from incasso.rights.export_formats import export_csv, export_json, export_pdf
from incasso.rights.history import request_step
from incasso.rights.models import ExportDelivery, RightsRequest

LINK_SALT = "incasso.rights.export"
LINK_VALIDITY = datetime.timedelta(days=7)
FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


@dataclass(frozen=True, slots=True)
class DeliveredFile:
    content: bytes
    content_type: str
    filename: str


def export_token_make(*, request: RightsRequest) -> tuple[str, datetime.datetime]:
    """A link token for the request's export and when it stops working."""
    token = signing.dumps({"request": request.pk}, salt=LINK_SALT, compress=True)
    return token, timezone.now() + LINK_VALIDITY


def export_deliver(*, token: str, fmt: str, source: str, language: str = "nl") -> DeliveredFile:
    """The export behind a link, logged. An expired, altered or unknown link gets an error and nothing else."""
    if fmt not in FORMATS:
        raise ValidationError(_("Unknown format."), code="format")
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=LINK_VALIDITY)
    except signing.SignatureExpired:
        raise ValidationError(_("This link has expired."), code="expired") from None
    except signing.BadSignature:
        raise ValidationError(_("This link is not valid."), code="invalid") from None
    request = RightsRequest.objects.select_related("controller").filter(pk=payload.get("request")).first()
    if request is None or request.verified_at is None:
        raise ValidationError(_("This link is not valid."), code="invalid")
    document = export_document(request=request)
    if fmt == "json":
        content = export_json(document)
    elif fmt == "csv":
        content = export_csv(document)
    else:
        content = export_pdf(document, language=language)
    with transaction.atomic():
        ExportDelivery.objects.create(request=request, fmt=fmt, source=source[:200])
        request_step(
            request=request,
            action="export_delivered",
            actor="download link",
            audit_action=AuditAction.EXPORT,
            fields=["export"],
            details={"format": fmt, "records": len(document["records"])},
            debtor_ids=document["subject"]["ids"] if document["subject"]["model"] == "parties.Debtor" else (),
        )
    return DeliveredFile(content, FORMATS[fmt], f"{request.reference}.{fmt}")
