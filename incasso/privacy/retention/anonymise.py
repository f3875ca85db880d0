"""What anonymisation writes: neutral values for a debtor and for the free text of its cases' rows.

Kept for statistics: the debtor's kind, country and region (the first two characters of the postcode); the cases'
amounts, dates (month), stages and outcomes are on cases and claims and stay. Everything else the data map
declares personal for ``parties.Debtor`` is replaced, and ``tests/test_retention.py`` checks that the two lists
together cover the map.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, Substr

from incasso.cases.models import CaseHold, Claim, StaffTask, StageEvent
from incasso.communications.models import Communication, Letter, PortalAccessCode
from incasso.decisions.models import Decision
from incasso.parties.models import Debtor

MARKER = "[anonymised]"
JSON_MARKER = {"anonymised": True}

DEBTOR_STATISTICS = ("kind", "country", "postcode")


def debtor_neutral() -> dict[str, Any]:
    """The update of an anonymised debtor's fields (expressions, so one UPDATE serves a whole chunk)."""
    return {
        # Unique per client: a neutral value that stays unique.
        "reference": Concat(Value("anon-"), Cast("pk", output_field=CharField())),
        "given_names": "",
        "surname": MARKER,  # a person must have one (debtor_has_name)
        "organisation_name": MARKER,  # a company must have one
        "date_of_birth": None,
        "street": "",
        "house_number": "",
        "postcode": Substr("postcode", 1, 2),  # the region
        "city": "",
        "email": "",
        "phone": "",
        "iban": "",
        "kvk_number": "",
    }


DEBTOR_NEUTRAL_FIELDS = tuple(debtor_neutral())

# The free text of a case's rows, per model: (model, its updates). Amounts, dates, stages and outcomes stay.
CASE_ROW_UPDATES: tuple[tuple[type[Any], dict[str, Any]], ...] = (
    (StageEvent, {"reason": MARKER}),
    (Letter, {"data": JSON_MARKER, "error": ""}),
    (Communication, {"subject": MARKER, "summary": ""}),
    (
        Decision,
        {
            "inputs": JSON_MARKER,
            "explanation_nl": MARKER,
            "explanation_en": MARKER,
            "contest_reason": "",
            "review_outcome": "",
        },
    ),
    (StaffTask, {"title": MARKER, "details": "", "outcome": ""}),
    (CaseHold, {"reason": MARKER, "lift_reason": ""}),
    (Claim, {"description": ""}),
)


def audited_fields() -> list[str]:
    """The fields one anonymisation changes, as the audit entry names them."""
    names = [f"parties.Debtor.{name}" for name in DEBTOR_NEUTRAL_FIELDS]
    for model, updates in CASE_ROW_UPDATES:
        names += [f"{model._meta.label}.{name}" for name in updates]
    return [*names, "communications.PortalAccessCode (deleted)"]


def anonymise_debtors(debtor_ids: Sequence[int]) -> int:
    """Replace the personal data of these debtors and of their cases' rows; a fixed number of statements."""
    for model, updates in CASE_ROW_UPDATES:
        model._default_manager.filter(case__debtor_id__in=debtor_ids).update(**updates)
    PortalAccessCode.objects.filter(case__debtor_id__in=debtor_ids).delete()
    return Debtor.objects.filter(pk__in=debtor_ids).update(**debtor_neutral())
