"""The one validator every door uses: a raw ``ClaimRow`` becomes a ``ClaimRecord``/``CreditRecord`` or errors.

Every problem of a row is reported, not only the first, so a client fixes a row once. The field checks live in
``fields``; this module knows which fields a claim, a credit note and a debtor need.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.utils.translation import gettext_noop as _noop

from incasso.domain.limitation import ClaimType, limitation_kind_for
from incasso.intake.fields import (
    CLAIM_TYPES,
    COUNTRY_CODE,
    DEBTOR_KINDS,
    DUTCH_CLAIM_TYPES,
    DUTCH_DEBTOR_KINDS,
    DUTCH_INTEREST_KINDS,
    INTEREST_KINDS,
    KVK_NUMBER,
    RowCheck,
    dutch_postcode,
    email_valid,
    iban_valid,
)
from incasso.intake.rows import (
    ClaimRecord,
    ClaimRow,
    CreditRecord,
    DebtorRecord,
    Dialect,
    DocumentKind,
    Params,
    RowError,
)
from incasso.parties.models import DebtorKind
from incasso.parties.validators import normalize_iban


def row_validate(row: ClaimRow, dialect: Dialect) -> ClaimRecord | CreditRecord | list[RowError]:
    """Validate one row: the record to write, or every error found in it."""
    if row.document is DocumentKind.CREDIT_NOTE:
        return _credit_validate(row, dialect)
    check = RowCheck(row.row)
    invoice_number = check.text("invoice_number", row.invoice_number, required=True)
    invoice_date = check.date("invoice_date", row.invoice_date, dialect)
    terms = row.payment_terms_days.strip()
    due_date = check.date("due_date", row.due_date, dialect, required=not terms)
    if due_date is None and terms and invoice_date is not None:
        # An e-invoice without a due date: issue date plus its payment terms (BR-CO-25 allows either).
        # ASCII digits only: str.isdigit() also holds for "²", which int() refuses.
        if terms.isascii() and terms.isdigit() and int(terms) <= 999:
            due_date = invoice_date + datetime.timedelta(days=int(terms))
        else:
            check.fail("payment_terms_days", _noop("%(value)s is not a number of days"), value=repr(terms))
    if invoice_date and due_date and due_date < invoice_date:
        check.fail(
            "due_date",
            _noop("%(due)s is before the invoice date %(invoice)s"),
            due=due_date.isoformat(),
            invoice=invoice_date.isoformat(),
        )
    cents = check.cents("amount", row.amount, dialect)
    currency = check.currency(row.currency)
    description = check.text("description", row.description)
    interest = (
        check.code("interest", row.interest, INTEREST_KINDS, DUTCH_INTEREST_KINDS, dialect)
        if row.interest.strip()
        else None
    )
    claim_type = (
        check.code("claim_type", row.claim_type, CLAIM_TYPES, DUTCH_CLAIM_TYPES, dialect)
        if row.claim_type.strip()
        else ClaimType.CONTRACT.value
    )
    debtor = debtor_validate(row, dialect)
    if isinstance(debtor, list):
        check.errors.extend(debtor)
    if check.errors or invoice_date is None or due_date is None or cents is None or isinstance(debtor, list):
        return check.errors
    limitation_kind = _LIMITATION_KIND[claim_type, debtor.kind == DebtorKind.CONSUMER]
    return ClaimRecord(
        row=row.row,
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        due_date=due_date,
        principal_cents=cents,
        currency=currency,
        description=description,
        interest=interest,
        debtor=debtor,
        limitation_kind=limitation_kind,
    )


# Every (claim type, consumer?) pair looked up once, not per row: a million-row file repeats a handful of them.
_LIMITATION_KIND = {
    (claim_type.value, consumer): limitation_kind_for(claim_type, consumer=consumer).value
    for claim_type in ClaimType
    for consumer in (True, False)
}


def _credit_validate(row: ClaimRow, dialect: Dialect) -> CreditRecord | list[RowError]:
    check = RowCheck(row.row)
    number = check.text("invoice_number", row.invoice_number, required=True)
    credited_on = check.date("invoice_date", row.invoice_date, dialect)
    cents = check.cents("amount", row.amount, dialect)
    check.currency(row.currency)
    invoice_number = check.text("credited_invoice_number", row.credited_invoice_number)
    if not invoice_number:
        check.fail(
            "credited_invoice_number", _noop("a credit note must name the invoice it corrects (BillingReference)")
        )
    if check.errors or credited_on is None or cents is None:
        return check.errors
    return CreditRecord(
        row=row.row,
        credit_note_number=number,
        credited_on=credited_on,
        amount_cents=cents,
        invoice_number=invoice_number,
    )


def debtor_validate(row: ClaimRow, dialect: Dialect) -> DebtorRecord | list[RowError]:
    """The debtor part of a row. Cached per distinct debtor data, which every row of one debtor repeats."""
    result = _debtor_validate(
        row.debtor_reference,
        row.debtor_kind,
        row.given_names,
        row.surname,
        row.organisation_name,
        row.date_of_birth,
        row.street,
        row.house_number,
        row.postcode,
        row.city,
        row.country,
        row.email,
        row.phone,
        row.iban,
        row.kvk_number,
        dialect,
    )
    if isinstance(result, DebtorRecord):
        return result
    return [RowError(row.row, field, message, params) for field, message, params in result]


@lru_cache(maxsize=50_000)
def _debtor_validate(  # one argument per debtor field keeps the cache key exact
    reference: str,
    kind_text: str,
    given_names_text: str,
    surname_text: str,
    organisation_text: str,
    birth_text: str,
    street_text: str,
    house_number_text: str,
    postcode_text: str,
    city_text: str,
    country_text: str,
    email_text: str,
    phone_text: str,
    iban_text: str,
    kvk_text: str,
    dialect: Dialect,
) -> DebtorRecord | tuple[tuple[str, str, Params], ...]:
    check = RowCheck(0)
    ref = check.text("debtor_reference", reference, required=True)
    kind = check.code("debtor_kind", kind_text, DEBTOR_KINDS, DUTCH_DEBTOR_KINDS, dialect)
    given_names = check.text("given_names", given_names_text)
    surname = check.text("surname", surname_text)
    organisation_name = check.text("organisation_name", organisation_text)
    date_of_birth = check.date("date_of_birth", birth_text, dialect, required=False)
    if kind == DebtorKind.COMPANY and not organisation_name:
        check.fail("organisation_name", _noop("is required for a company"))
    if kind == DebtorKind.CONSUMER and not surname:
        check.fail("surname", _noop("is required for a consumer"))
    if kind == DebtorKind.SOLE_TRADER and not surname:
        check.fail("surname", _noop("is required for a sole trader"))
    if kind == DebtorKind.COMPANY and date_of_birth is not None:
        check.fail("date_of_birth", _noop("a company has no date of birth"))
    country = country_text.strip().upper() or "NL"
    if not COUNTRY_CODE.match(country):
        check.fail(
            "country",
            _noop("%(value)s is not a two-letter country code (ISO 3166), e.g. NL"),
            value=repr(country_text.strip()),
        )
    # Stripped, and refused with a NUL like every text field: a foreign postcode is stored as written.
    postcode = check.text("postcode", postcode_text)
    if postcode and country == "NL":
        normalised = dutch_postcode(postcode)
        if normalised is None:
            check.fail(
                "postcode", _noop("%(value)s is not a valid Dutch postcode (e.g. 1234 AB)"), value=repr(postcode)
            )
        else:
            postcode = normalised
    elif len(postcode) > 16:
        check.fail("postcode", _noop("is longer than %(limit)s characters"), limit=16)
    email = check.text("email", email_text)
    if email and not email_valid(email):
        check.fail("email", _noop("%(value)s is not a valid e-mail address"), value=repr(email))
    iban = normalize_iban(iban_text)
    if iban and not iban_valid(iban):
        check.fail("iban", _noop("%(value)s is not a valid IBAN"), value=repr(iban_text.strip()))
    kvk_number = kvk_text.strip()
    if kvk_number and not KVK_NUMBER.match(kvk_number):
        check.fail("kvk_number", _noop("%(value)s is not a KvK number (8 digits)"), value=repr(kvk_number))
    street = check.text("street", street_text)
    house_number = check.text("house_number", house_number_text)
    city = check.text("city", city_text)
    phone = check.text("phone", phone_text)
    if check.errors:
        return tuple((error.field, error.message, error.params) for error in check.errors)
    return DebtorRecord(
        reference=ref,
        kind=kind,
        given_names=given_names,
        surname=surname,
        organisation_name=organisation_name,
        date_of_birth=date_of_birth,
        street=street,
        house_number=house_number,
        postcode=postcode,
        city=city,
        country=country,
        email=email,
        phone=phone,
        iban=iban,
        kvk_number=kvk_number,
    )
