"""SEPA credit transfers (pain.001) for payouts to clients and refunds to debtors, validated against the XSD.

The file is built by sepaxml and validated against the ISO 20022 schema sepaxml ships before it is handed back,
so an invalid file is an error here and never reaches the bank. pain.001.001.09 is the version the EPC rulebook
requires from November 2025; .03 is still accepted by most Dutch banks and can be asked for.

sepaxml's own ``export(validate=True)`` reads and compiles the XSD again for every file (about 0.3 s of CPU
each); ``sepa_schema_validate`` compiles each schema once per process and is used for the direct debits'
pain.008 as well.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from typing import TYPE_CHECKING

from django.conf import settings
from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError as SepaValidationError

from incasso.domain.money import Money
from incasso.ledger.errors import LedgerError
from incasso.ledger.models import AccountKind, Entry, LedgerTransaction, TransactionKind

if TYPE_CHECKING:
    from xmlschema import XMLSchema

SCHEMAS = ("pain.001.001.09", "pain.001.001.03")


@dataclass(frozen=True, slots=True)
class CreditTransfer:
    """One transfer out of the client-money account: to whom, how much, and the ids the bank reports back."""

    name: str
    iban: str
    amount: Money
    description: str
    end_to_end_id: str


def agency_account() -> dict[str, str]:
    """The agency's client-money account, as the settings declare it (demo values are caught by the deploy check).

    The ordering party of credit transfers and the creditor of direct debits alike.
    """
    return {
        "name": settings.INCASSO_AGENCY_NAME,
        "IBAN": settings.INCASSO_AGENCY_IBAN.replace(" ", ""),
        "BIC": settings.INCASSO_AGENCY_BIC,
    }


@functools.cache
def _schema(name: str) -> XMLSchema:
    """The compiled XSD sepaxml ships for ``name`` (e.g. ``pain.001.001.09``), built on first use.

    Validating keeps its state in a context of its own per call (xmlschema's ``ValidationContext``) and leaves the
    compiled schema as it is, so one instance serves every thread of the process.
    """
    # Imported here, as sepaxml does: xmlschema patches lxml's element classes when it is first imported.
    import xmlschema

    return xmlschema.XMLSchema(str(files("sepaxml") / "schemas" / f"{name}.xsd"))


def sepa_schema_validate(*, xml: bytes, schema: str) -> None:
    """Validate a SEPA file against ``schema``'s XSD; sepaxml's ``ValidationError`` (the schema's error as its
    ``__cause__``) when it does not validate, exactly as sepaxml's ``export(validate=True)`` raises it."""
    import xmlschema

    try:
        _schema(schema).validate(xml.decode())
    except xmlschema.XMLSchemaValidationError as exc:
        raise SepaValidationError(f"the file does not validate against {schema}") from exc


def credit_transfer_document(
    *, transfers: Sequence[CreditTransfer], execution_date: date, schema: str = SCHEMAS[0]
) -> str:
    """A pain.001 document with ``transfers`` in one batch, valid against ``schema``'s XSD (else LedgerError)."""
    if schema not in SCHEMAS:
        raise LedgerError(f"unsupported credit-transfer schema {schema!r}; use one of {', '.join(SCHEMAS)}")
    if not transfers:
        raise LedgerError("a credit-transfer file needs at least one transfer")
    document = SepaTransfer({**agency_account(), "batch": True, "currency": "EUR"}, schema=schema, clean=True)
    for transfer in transfers:
        if transfer.amount.cents <= 0:
            raise LedgerError(f"a credit transfer must be positive, got {transfer.amount}")
        if not transfer.iban:
            raise LedgerError(f"{transfer.name} has no IBAN to pay to")
        document.add_payment(
            {
                "name": transfer.name,
                "IBAN": transfer.iban.replace(" ", ""),
                "amount": transfer.amount.cents,
                "execution_date": execution_date,
                "description": transfer.description,
                "endtoend_id": transfer.end_to_end_id[:35],
            }
        )
    xml: bytes = document.export(validate=False, pretty_print=True)
    try:
        sepa_schema_validate(xml=xml, schema=schema)
    except SepaValidationError as exc:
        raise LedgerError(f"the credit-transfer file does not validate against {schema}: {exc.__cause__}") from exc
    return xml.decode("utf-8")


def refund_credit_transfer(*, refund: LedgerTransaction, name: str, iban: str, execution_date: date) -> str:
    """The pain.001 that pays a booked overpayment refund to the debtor.

    The caller passes the debtor's name and IBAN, read through the parties selectors that guard personal data;
    the amount is the refund's own bank credit, so the file cannot pay a cent more than the ledger booked.
    """
    if refund.kind != TransactionKind.REFUND:
        raise LedgerError(f"{refund.idempotency_key!r} is not a refund")
    cents = Entry.objects.filter(transaction=refund, account__kind=AccountKind.BANK_CLIENT_MONEY).values_list(
        "amount_cents", flat=True
    )
    reference = f"INCRF{refund.pk}"
    transfer = CreditTransfer(name, iban, Money(-sum(cents)), f"Refund of overpayment {reference}", reference)
    return credit_transfer_document(transfers=[transfer], execution_date=execution_date)
