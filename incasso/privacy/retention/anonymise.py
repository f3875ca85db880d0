"""What anonymisation writes: neutral values for a debtor and for the free text of its cases' rows.

Kept for statistics: the debtor's kind, country and region (the first two characters of the postcode); the cases'
amounts, dates (month), stages and outcomes are on cases and claims and stay. Everything else the data map
declares personal for ``parties.Debtor`` is replaced, and ``tests/test_retention.py`` checks that the two lists
together cover the map.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from incasso.cases.models import CaseHold, Claim, StaffTask, StageEvent
from incasso.communications.models import Communication, Letter, PortalAccessCode
from incasso.crypto.fields import instances_bulk_write
from incasso.decisions.models import Decision
from incasso.parties.models import Debtor

MARKER = "[anonymised]"
JSON_MARKER = {"anonymised": True}

DEBTOR_STATISTICS = ("kind", "country", "postcode")


def debtor_neutral() -> dict[str, Any]:
    """The neutral values of an anonymised debtor's fields (``None`` marks those set per row)."""
    return {
        # Unique per client: a neutral value that stays unique ("anon-<pk>", set per row).
        "reference": None,
        "given_names": "",
        "surname": MARKER,  # a person must have one (debtor_has_name)
        "organisation_name": MARKER,  # a company must have one
        "date_of_birth": None,
        "street": "",
        "house_number": "",
        "postcode": None,  # the region: its first two characters, set per row
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
    # The debtor's fields are encrypted per debtor (P-3): the neutral values are sealed under each debtor's own key
    # and written in one update per field set; a debtor whose key is already destroyed keeps its unreadable ciphertext.
    debtors = list(Debtor.objects.filter(pk__in=debtor_ids))
    readable = [debtor for debtor in debtors if not debtor.personal_data_erased]
    for debtor in readable:
        region = str(debtor.postcode)[:2]
        for name, value in debtor_neutral().items():
            setattr(debtor, name, region if name == "postcode" else value)
    for debtor in debtors:
        debtor.reference, debtor.kvk_number = f"anon-{debtor.pk}", ""
    instances_bulk_write(readable, ["reference", *DEBTOR_NEUTRAL_FIELDS])
    erased = [debtor for debtor in debtors if debtor.personal_data_erased]
    Debtor.objects.bulk_update(erased, ["reference", "kvk_number"])
    return len(debtors)
