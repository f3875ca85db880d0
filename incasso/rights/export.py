"""The access and portability export (GDPR art. 15, 20): every personal datum held on a person, and about it why.

The rows come from the data map walk (``datamap_walk``): one query per declared model, whatever the size of
the tables (each follows indexed foreign keys), so the export of one person among a million debtors costs the
same as among ten. For each field: its categories, purposes, legal bases, source and retention; for the person:
the recipients the disclosure log names and the logic of the automated decisions taken about them.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import uuid
from collections.abc import Mapping
from typing import Any

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from incasso.cases.models import Case
from incasso.consent.identity import email_hash
from incasso.consent.models import Subscriber
from incasso.consent.selectors import subscribers_with_email
from incasso.disclosures.selectors import disclosures_for_subject
from incasso.domain.audit_chain import SubjectRef
from incasso.domain.data_map import FieldDeclaration
from incasso.parties.models import ClientContact, Debtor
from incasso.privacy.selectors import processing_register
from incasso.rights.datamap_walk import (
    CLIENT_CONTACT,
    DEBTOR,
    SUBSCRIBER,
    SubjectKeys,
    declared_models,
    holds_reference,
    rows_filter,
)
from incasso.rights.models import RightsRequest, SubjectKind

# Where the data of each app came from (art. 15(1)(g)).
SOURCES: Mapping[str, str] = {
    "parties": "the creditor (our client) who handed the claim over, or you",
    "cases": "the creditor's claim, and the agency's own collection work",
    "intake": "the creditor's claim file",
    "payments": "bank statements of the agency's account",
    "ledger": "the agency's bookkeeping",
    "paylinks": "the payment provider",
    "arrangements": "you (payment plans, promises, mandates)",
    "decisions": "the agency's automated decisions",
    "communications": "the agency's letters and contacts with you",
    "print_house": "the print house's delivery reports",
    "disclosures": "the agency's disclosure log",
    "privacy": "the agency's retention administration",
    "audit": "the agency's audit log",
    "rights": "your requests under the GDPR",
}
DECISION_LOGIC = (
    "Collection steps are proposed by a versioned strategy: a list of rules read in order, the first matching rule "
    "decides. Rules read the case's stage, the amount owed, the days since the last step, payments and promises, "
    "and whether the debtor is a consumer. Each decision stores its inputs, the rule that matched and an "
    "explanation; you may contest it and have a person review it (GDPR art. 22(3))."
)


def _plain(value: Any) -> Any:
    """A JSON value for any field value."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)  # also an "[erased]" marker of a shredded field
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def _field_info(declaration: FieldDeclaration, retention: Mapping[str, Any], source: str) -> dict[str, Any]:
    return {
        "categories": sorted(c.value for c in declaration.categories),
        "purposes": sorted(p.value for p in declaration.purposes),
        "legal_bases": sorted(b.article for b in declaration.bases),
        "source": source,
        "retention": sorted({retention[p.value] for p in declaration.purposes if p.value in retention}),
        "note": declaration.note,
    }


def _retention_texts() -> dict[str, str]:
    texts: dict[str, str] = {}
    for activity in processing_register().activities:
        r = activity.retention
        if r.months is not None:
            texts[activity.purpose.value] = f"{r.months} months after: {r.trigger}. {r.note}".strip()
        else:
            texts[activity.purpose.value] = r.note
    return texts


def subject_keys(*, target: str, ids: list[int]) -> SubjectKeys:
    """The person's case numbers and e-mail addresses, for the rows that name them by value. Two queries."""
    if target == DEBTOR:
        numbers = list(Case.objects.filter(debtor_id__in=ids).values_list("number", flat=True))
        emails = [str(d.email) for d in Debtor.objects.filter(pk__in=ids) if d.email and "@" in str(d.email)]
    elif target == SUBSCRIBER:
        numbers = []
        # Instances, not values_list(): the address is sealed and opens only through the model.
        emails = [str(s.email) for s in Subscriber.objects.filter(pk__in=ids) if "@" in str(s.email)]
    else:
        numbers = []
        # Instances, not values_list(): the address is sealed under the contact's key (an erased one has none).
        emails = [c.email_address for c in ClientContact.objects.filter(pk__in=ids) if "@" in c.email_address]
    return SubjectKeys(target, ids, numbers, emails, [email_hash(e) for e in emails])


def subject_records(*, target: str, ids: list[int]) -> list[dict[str, Any]]:
    """Every declared row about these people, with only its declared personal fields. One query per model."""
    records: list[dict[str, Any]] = []
    if not ids:
        return records
    keys = subject_keys(target=target, ids=ids)
    for declared in declared_models(target):
        names = [d.field for d in declared.fields]
        query = declared.model._default_manager.all()
        text = declared.text_field
        if text is not None:
            query = query.annotate(**{f"{text}_text": Cast(text, TextField())})
        seen: set[object] = set()
        # Instances, not .values(): sealed fields open only through the model (with the subject's key).
        for row in query.filter(rows_filter(declared, keys)).order_by("pk"):
            values = {n: getattr(row, n) for n in names}
            if row.pk in seen or not holds_reference(declared, values, target, ids):
                continue
            seen.add(row.pk)
            records.append(
                {"model": declared.label, "pk": _plain(row.pk), "fields": {n: _plain(v) for n, v in values.items()}}
            )
    return records


def _targets(request: RightsRequest) -> tuple[str, list[int]]:
    if request.subject_kind == SubjectKind.DEBTOR:
        return DEBTOR, list(request.debtors.values_list("pk", flat=True))
    if request.subject_kind == SubjectKind.CLIENT_CONTACT and request.client_contact_id is not None:
        return CLIENT_CONTACT, [request.client_contact_id]
    if request.subject_kind == SubjectKind.SUBSCRIBER and request.subscriber_email:
        found = subscribers_with_email(email=request.subscriber_email)
        return SUBSCRIBER, list(found.values_list("pk", flat=True))
    return DEBTOR, []


def export_document(*, request: RightsRequest) -> dict[str, Any]:
    """The export of the request's subject, as one JSON-ready document."""
    target, ids = _targets(request)
    records = subject_records(target=target, ids=ids)
    retention = _retention_texts()
    fields: dict[str, dict[str, Any]] = {}
    for declared in declared_models(target):
        source = SOURCES.get(declared.label.split(".")[0], "the agency")
        for declaration in declared.fields:
            fields[declaration.key] = _field_info(declaration, retention, source)
    recipients = []
    for pk in ids:
        for disclosure in disclosures_for_subject(SubjectRef(target, str(pk))):
            recipients.append(
                {
                    "occurred_at": _plain(disclosure.occurred_at),
                    "recipient": disclosure.recipient,
                    "category": disclosure.recipient_category,
                    "country": disclosure.country,
                    "categories": list(disclosure.categories),
                    "legal_basis": disclosure.legal_basis,
                    "purpose": disclosure.purpose,
                }
            )
    decisions = [
        {
            "decided_on": r["fields"].get("decided_on"),
            "rule": r["fields"].get("rule_id"),
            "outcome": r["fields"].get("outcome"),
            "explanation_nl": r["fields"].get("explanation_nl"),
            "explanation_en": r["fields"].get("explanation_en"),
        }
        for r in records
        if r["model"] == "decisions.Decision"
    ]
    return {
        "request": request.reference,
        "generated_at": timezone.now().isoformat(),
        "controller": request.controller.name if request.controller else "the agency",
        "subject": {"kind": request.subject_kind, "model": target, "ids": ids},
        "records": records,
        "fields": {key: fields[key] for key in sorted({f"{r['model']}.{n}" for r in records for n in r["fields"]})},
        "recipients": recipients,
        "automated_decisions": {"logic": DECISION_LOGIC, "decisions": decisions},
    }
