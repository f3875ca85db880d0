"""Validators for the identifiers parties carry: IBANs and Dutch postcodes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.nl import postcode as nl_postcode


def normalize_iban(value: str) -> str:
    """The compact upper-case form IBANs are stored in ("NL91 abna 0417..." becomes "NL91ABNA0417...")."""
    return "".join(value.split()).upper()


def validate_iban(value: str) -> None:
    try:
        IBAN(value)
    except SchwiftyException:
        raise ValidationError(
            _("%(value)s is not a valid IBAN."), code="invalid_iban", params={"value": value}
        ) from None


def normalize_dutch_postcode(value: str) -> str:
    """The form Dutch postcodes are stored and printed in: "1234 AB"."""
    compact = nl_postcode.compact(value)
    return f"{compact[:4]} {compact[4:]}" if len(compact) == 6 else value.strip()


def validate_dutch_postcode(value: str) -> None:
    if not nl_postcode.is_valid(value):
        raise ValidationError(
            _("%(value)s is not a valid Dutch postcode."), code="invalid_postcode", params={"value": value}
        )
