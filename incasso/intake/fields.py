"""Field-level checks shared by the row validator: one converter per kind of value, each reporting its own error.

The rules mirror the database constraints of ``parties.Debtor`` and ``cases.Claim`` (column widths are read from
the models), so a value that passes can always be stored. The checks that cost most (IBAN, e-mail, postcode) are
cached, because a client's export repeats a debtor's details on every invoice of that debtor.
"""

from __future__ import annotations

import datetime
import re
from functools import cache, lru_cache

from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext_noop as _noop
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.nl import postcode as nl_postcode

from incasso.cases.models import Claim, InterestKind
from incasso.domain.date_range import EARLIEST_DATE, LATEST_DATE, date_plausible
from incasso.domain.limitation import ClaimType
from incasso.domain.money import Money, MoneyError
from incasso.intake.rows import Dialect, Params, RowError
from incasso.parties.models import Debtor, DebtorKind

CURRENCY = "EUR"
# One trillion euro: far above any real invoice, and safely inside a BIGINT of cents.
MAX_CENTS = 10**14

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_FIRST = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
_DECIMAL_COMMA = re.compile(r"^\d+,\d+$")
# Euros and cents as most exports write them ("1250.00"): read as whole cents directly, as ``Money.parse`` would.
_PLAIN_CENTS = re.compile(r"[0-9]{1,12}\.[0-9]{2}")
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
KVK_NUMBER = re.compile(r"^\d{8}$")

DEBTOR_KINDS = {kind.value: kind.value for kind in DebtorKind}
DUTCH_DEBTOR_KINDS = {
    "particulier": DebtorKind.CONSUMER.value,
    "consument": DebtorKind.CONSUMER.value,
    "zzp": DebtorKind.SOLE_TRADER.value,
    "zzp'er": DebtorKind.SOLE_TRADER.value,
    "eenmanszaak": DebtorKind.SOLE_TRADER.value,
    "bedrijf": DebtorKind.COMPANY.value,
    "onderneming": DebtorKind.COMPANY.value,
}
CLAIM_TYPES = {claim_type.value: claim_type.value for claim_type in ClaimType}
DUTCH_CLAIM_TYPES = {
    "overeenkomst": ClaimType.CONTRACT.value,
    "dienst": ClaimType.CONTRACT.value,
    "koop": ClaimType.PURCHASE.value,
    "koopprijs": ClaimType.PURCHASE.value,
    "energie": ClaimType.ENERGY.value,
}
INTEREST_KINDS = {kind.value: kind.value for kind in InterestKind}
DUTCH_INTEREST_KINDS = {
    "wettelijk": InterestKind.STATUTORY.value,
    "wettelijke rente": InterestKind.STATUTORY.value,
    "handelsrente": InterestKind.COMMERCIAL.value,
    "handels": InterestKind.COMMERCIAL.value,
    "geen": InterestKind.NONE.value,
}


def _max_length(model: type[models.Model], name: str) -> int:
    field = model._meta.get_field(name)
    return int(field.max_length or 0) if isinstance(field, models.Field) else 0


@cache
def max_lengths() -> dict[str, int]:
    """The column widths of the models, read from them so intake never accepts what the database would refuse."""
    lengths = {
        "invoice_number": _max_length(Claim, "invoice_number"),
        "credited_invoice_number": _max_length(Claim, "invoice_number"),
        "description": _max_length(Claim, "description"),
        "debtor_reference": _max_length(Debtor, "reference"),
    }
    for name in ("given_names", "surname", "organisation_name", "street", "house_number", "city", "phone", "email"):
        lengths[name] = _max_length(Debtor, name)
    _LIMITS.update(lengths)
    return lengths


# Filled from ``max_lengths()`` on first use (the models must be loaded first); read once per field and row.
_LIMITS: dict[str, int] = {}


class RowCheck:
    """Collects the errors of one row while its fields are converted."""

    __slots__ = ("errors", "row")

    def __init__(self, row: int) -> None:
        self.row = row
        self.errors: list[RowError] = []

    def fail(self, field: str, message: str, **params: str | int) -> None:
        """Record a problem; ``message`` is marked with ``gettext_noop`` and translated where it is shown."""
        self.errors.append(RowError(self.row, field, message, _params(params)))

    def text(self, field: str, value: str, *, required: bool = False) -> str:
        value = value.strip()
        if not value:
            if required:
                self.fail(field, _noop("is required"))
            return ""
        limit = _LIMITS.get(field) or max_lengths().get(field)
        if limit and len(value) > limit:
            self.fail(field, _noop("is longer than %(limit)s characters"), limit=limit)
        if "\x00" in value:
            # PostgreSQL cannot store it, and no real name or number holds one.
            self.fail(field, _noop("contains a NUL character"))
        return value

    def date(self, field: str, value: str, dialect: Dialect, *, required: bool = True) -> datetime.date | None:
        value = value.strip()
        if not value:
            if required:
                self.fail(field, _noop("is required"))
            return None
        try:
            if len(value) == 10 and value[4] == "-" and value[7] == "-" and _ISO_DATE.match(value):
                day = datetime.date.fromisoformat(value)
            else:
                day = _day_first(value, dialect)
        except ValueError:
            if dialect.day_first_dates:
                self.fail(field, _noop("%(value)s is not a date (YYYY-MM-DD or DD-MM-YYYY)"), value=repr(value))
            else:
                self.fail(field, _noop("%(value)s is not a date (YYYY-MM-DD)"), value=repr(value))
            return None
        if not date_plausible(day):
            self.fail(
                field,
                _noop("%(value)s is not between %(earliest)s and %(latest)s"),
                value=repr(value),
                earliest=EARLIEST_DATE.isoformat(),
                latest=LATEST_DATE.isoformat(),
            )
            return None
        return day

    def cents(self, field: str, value: str, dialect: Dialect) -> int | None:
        value = value.strip()
        if not value:
            self.fail(field, _noop("is required"))
            return None
        text = value
        if "," in value and dialect.decimal_comma and _DECIMAL_COMMA.match(value):
            text = value.replace(",", ".")
        try:
            cents = int(text.replace(".", "")) if _PLAIN_CENTS.fullmatch(text) else Money.parse(text).cents
        except MoneyError:
            if re.match(r"^-?\d+[.,]\d{3,}$", value):
                self.fail(field, _noop("%(value)s has more than two decimals"), value=repr(value))
            else:
                self.fail(field, _noop("%(value)s is not an amount (write e.g. 1250.00)"), value=repr(value))
            return None
        if cents <= 0:
            self.fail(field, _noop("%(value)s is not more than zero"), value=repr(value))
            return None
        if cents >= MAX_CENTS:
            self.fail(field, _noop("%(value)s is too large"), value=repr(value))
            return None
        return cents

    def currency(self, value: str) -> str:
        currency = value.strip().upper() or CURRENCY
        if currency != CURRENCY:
            self.fail(
                "currency",
                _noop("%(currency)s is not accepted: Incasso collects claims in euros (EUR) only"),
                currency=currency,
            )
        return CURRENCY

    def code(self, field: str, value: str, codes: dict[str, str], dutch: dict[str, str], dialect: Dialect) -> str:
        key = value.strip().lower()
        found = codes.get(key) or (dutch.get(key) if dialect.dutch_codes else None)
        if found is None:
            allowed = ", ".join([*codes, *(dutch if dialect.dutch_codes else {})])
            if key:
                self.fail(
                    field, _noop("%(value)s is not one of: %(allowed)s"), value=repr(value.strip()), allowed=allowed
                )
            else:
                self.fail(field, _noop("is required (one of: %(allowed)s)"), allowed=allowed)
            return ""
        return found


def _params(params: dict[str, str | int]) -> Params:
    return tuple(params.items())


def _day_first(value: str, dialect: Dialect) -> datetime.date:
    match = _DAY_FIRST.match(value) if dialect.day_first_dates else None
    if match is None:
        raise ValueError(value)
    day, month, year = (int(part) for part in match.groups())
    return datetime.date(year, month, day)


@lru_cache(maxsize=100_000)
def iban_valid(compact: str) -> bool:
    """Cached: a client's export repeats a debtor's IBAN on every invoice of that debtor."""
    try:
        IBAN(compact)
    except SchwiftyException:
        return False
    return True


@lru_cache(maxsize=100_000)
def dutch_postcode(value: str) -> str | None:
    """ "1234 AB" for a valid Dutch postcode, else None. Cached: many debtors share a postcode."""
    try:
        return str(nl_postcode.validate(value))  # validate() returns the "1234 AB" form
    except StdnumValidationError:
        return None


@lru_cache(maxsize=100_000)
def email_valid(value: str) -> bool:
    """Django's ``validate_email``, with the check of the part after the "@" (its costliest) cached per domain:
    a file's addresses share a handful of domains. The same steps as ``EmailValidator.__call__`` (tested)."""
    if not value or "@" not in value or len(value) > _EMAIL_MAX_LENGTH:
        return False
    user_part, domain_part = value.rsplit("@", 1)
    return bool(validate_email.user_regex.match(user_part)) and _email_domain_valid(domain_part)


# RFC 3696 section 3, as ``EmailValidator`` has it.
_EMAIL_MAX_LENGTH = 320


@lru_cache(maxsize=10_000)
def _email_domain_valid(domain_part: str) -> bool:
    return domain_part in validate_email.domain_allowlist or bool(validate_email.validate_domain_part(domain_part))
