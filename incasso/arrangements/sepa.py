"""SEPA Core direct debit for payment arrangements: mandates and the pain.008 collection file (C-10).

The file is built by sepaxml and validated against the ISO 20022 schema it ships before it is handed back, so an
invalid file is an error here and never reaches the bank. Each collection's end-to-end id is ``DD-<instalment
id>`` and its remittance text starts with the case number: the statement import matches the credit to the case
by that number and a return (AC06, MD06, ...) to the credit by the end-to-end id, and reverses the payment; the
next :func:`~incasso.arrangements.services.instalments_settle` then makes the instalment open again.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import IBAN
from sepaxml import SepaDD
from sepaxml.validation import ValidationError as SepaValidationError

from incasso.arrangements.models import (
    ArrangementStatus,
    Instalment,
    InstalmentStatus,
    Mandate,
    SequenceType,
)
from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.cases.models import Case
from incasso.crypto.fields import is_unavailable
from incasso.domain.audit_chain import SubjectRef
from incasso.domain.data_map import ProcessingPurpose
from incasso.ledger.sepa import agency_account, sepa_schema_validate

DirectDebitVersion = Literal["pain.008.001.02", "pain.008.001.08"]
VERSIONS: tuple[DirectDebitVersion, ...] = ("pain.008.001.02", "pain.008.001.08")
MANDATE_FIELDS = ("arrangements.Mandate.iban", "arrangements.Mandate.name", "arrangements.Mandate.reference")


class DirectDebitError(Exception):
    """No file could be made: nothing to collect, or the result does not validate against the schema."""


def creditor() -> dict[str, str | bool]:
    """The creditor of the collections: the agency's client-money account and its SEPA creditor id."""
    return {**agency_account(), "creditor_id": settings.INCASSO_SEPA_CREDITOR_ID, "batch": True, "currency": "EUR"}


def end_to_end_id(instalment_id: int) -> str:
    return f"DD-{instalment_id}"


@transaction.atomic
def mandate_create(
    *, case: Case, reference: str, signed_on: datetime.date, iban: str, name: str, actor: User | None = None
) -> Mandate:
    """Record a signed mandate; the IBAN is checked (schwifty) and stored in its compact form."""
    try:
        compact = IBAN(iban).compact
    except ValueError as exc:
        raise ValidationError(_("%(value)s is not a valid IBAN.") % {"value": iban}, code="iban") from exc
    debtor = case.debtor
    if debtor.data_key_id is None or debtor.personal_data_erased:
        raise ValidationError(_("This debtor's data has been erased."), code="erased")
    # Sealed under the debtor's own key: erasing the debtor makes the mandate's name and IBAN unreadable too.
    mandate = Mandate(
        case=case, reference=reference, signed_on=signed_on, iban=compact, name=name, data_key_id=debtor.data_key_id
    )
    mandate.full_clean()
    mandate.save()
    audit_record(
        actor=actor if actor is not None and actor.pk else "system",
        action=AuditAction.CREATE,
        subject=SubjectRef("parties.Debtor", str(case.debtor_id)),
        fields=MANDATE_FIELDS,
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source="system" if actor is None else "staff",
        details={"case": case.number, "mandate": reference},
    )
    return mandate


@transaction.atomic
def mandate_revoke(*, mandate: Mandate) -> Mandate:
    if mandate.revoked_at is None:
        mandate.revoked_at = timezone.now()
        mandate.save(update_fields=["revoked_at"])
    return mandate


@transaction.atomic
def direct_debit_file(*, collection_date: datetime.date, version: DirectDebitVersion) -> bytes:
    """A pain.008 collecting every open instalment due on ``collection_date`` whose case has a valid mandate.

    Valid: signed on or before the day and not revoked; with several, the newest signed. A mandate's first
    collection goes as FRST, later ones as RCUR (the mandate is marked once the file is made). Raises
    ``DirectDebitError`` when there is nothing to collect or the file does not validate against ``version``.
    """
    if version not in VERSIONS:
        raise DirectDebitError(f"unsupported direct-debit schema {version!r}; use one of {', '.join(VERSIONS)}")
    instalments = list(
        Instalment.objects.filter(
            arrangement__status=ArrangementStatus.ACTIVE, status=InstalmentStatus.OPEN, due_on=collection_date
        )
        .select_related("arrangement__case")
        .order_by("pk")
    )
    case_ids = {row.arrangement.case_id for row in instalments}
    mandates: dict[int, Mandate] = {}
    for valid in Mandate.objects.filter(
        case_id__in=case_ids, revoked_at__isnull=True, signed_on__lte=collection_date
    ).order_by("case_id", "-signed_on", "-pk"):
        mandates.setdefault(valid.case_id, valid)
    document = SepaDD(creditor(), schema=version, clean=True)
    used: set[int] = set()
    for row in instalments:
        case = row.arrangement.case
        mandate = mandates.get(case.pk)
        amount = row.amount_cents - row.paid_cents
        if mandate is None or amount <= 0:
            continue
        if is_unavailable(mandate.iban) or is_unavailable(mandate.name):
            continue  # the debtor's data key is destroyed: nothing left to collect from
        used.add(mandate.pk)
        document.add_payment(
            {
                "name": mandate.name,
                "IBAN": mandate.iban,
                "amount": amount,
                "type": mandate.sequence,
                "collection_date": collection_date,
                "mandate_id": mandate.reference,
                "mandate_date": mandate.signed_on,
                "description": f"{case.number} termijn {row.number}",
                "endtoend_id": end_to_end_id(row.pk),
            }
        )
    if not used:
        raise DirectDebitError(f"nothing to collect on {collection_date.isoformat()}")
    xml: bytes = document.export(validate=False, pretty_print=True)
    try:
        sepa_schema_validate(xml=xml, schema=version)  # the schema compiled once per process
    except SepaValidationError as exc:
        raise DirectDebitError(f"the direct-debit file does not validate against {version}: {exc.__cause__}") from exc
    Mandate.objects.filter(pk__in=used, sequence=SequenceType.FIRST).update(sequence=SequenceType.RECURRING)
    return xml
