"""The hand-over package: everything the recipient needs to take the case on, as one JSON document.

The case, its debtor, its claims, the quote from the one quote function (``cases.selectors.case_quote``), and the
letters sent with the values they printed (the documents of the file; their PDFs are rendered from these). It is
built, encrypted and uploaded in memory: the plaintext never touches disk.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from incasso.cases.models import Case
from incasso.cases.selectors import case_quote
from incasso.communications.models import Letter
from incasso.domain.data_map import DataCategory
from incasso.domain.quote_io import render_quote

FORMAT = "incasso-handover/1"

# What the package holds, for the disclosure log.
PACKAGE_CATEGORIES = (
    DataCategory.NAME,
    DataCategory.CONTACT_ADDRESS,
    DataCategory.CONTACT_EMAIL,
    DataCategory.CONTACT_PHONE,
    DataCategory.DATE_OF_BIRTH,
    DataCategory.UNIQUE_ID,
    DataCategory.DEBT,
    DataCategory.PAYMENT,
    DataCategory.CORRESPONDENCE,
)


def handover_package_build(*, case: Case, role: str, as_of: datetime.date) -> dict[str, Any]:
    case = Case.objects.select_related("client", "debtor").get(pk=case.pk)
    debtor = case.debtor
    quote: dict[str, Any] | None
    try:
        quote = render_quote(case_quote(case=case, as_of=as_of))
    except ValueError:  # no claims: nothing to quote
        quote = None
    return {
        "format": FORMAT,
        "purpose": role,
        "as_of": as_of.isoformat(),
        "case": {
            "number": case.number,
            "stage": case.stage,
            "opened_on": case.opened_on.isoformat(),
            "interest_kind": case.interest_kind,
            "creditor": case.client.name,
        },
        "debtor": {
            "kind": debtor.kind,
            "given_names": debtor.given_names,
            "surname": debtor.surname,
            "organisation_name": debtor.organisation_name,
            "date_of_birth": debtor.date_of_birth.isoformat() if debtor.date_of_birth else None,
            "street": debtor.street,
            "house_number": debtor.house_number,
            "postcode": debtor.postcode,
            "city": debtor.city,
            "country": debtor.country,
            "email": debtor.email,
            "phone": debtor.phone,
            "kvk_number": debtor.kvk_number,
        },
        "claims": [
            {
                "invoice_number": claim.invoice_number,
                "invoice_date": claim.invoice_date.isoformat(),
                "due_date": claim.due_date.isoformat(),
                "principal_cents": claim.principal_cents,
                "currency": claim.currency,
                "description": claim.description,
            }
            for claim in case.claims.order_by("due_date", "pk")
        ],
        "quote": quote,
        "documents": [
            {
                "kind": letter.kind,
                "language": letter.language,
                "posted_on": letter.posted_on.isoformat() if letter.posted_on else None,
                "printed_values": letter.data,
            }
            for letter in Letter.objects.filter(case=case, posted_on__isnull=False).order_by("posted_on", "pk")
        ],
    }


def package_bytes(package: dict[str, Any]) -> bytes:
    return json.dumps(package, sort_keys=True, ensure_ascii=False).encode()
