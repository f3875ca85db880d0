"""Anonymisation of debtors: what it writes, set-based, for the retention sweep and for erasure requests.

A debtor's personal fields are sealed under its own data key (P-3), so anonymising destroys that key
(crypto-shredding): every value sealed under it — the debtor's fields, its special-category records, copies in
backups once the master version is retired — becomes unreadable at once, and its blind-index entries go. Nothing
is re-sealed, so a chunk costs a fixed number of statements and one decryption per debtor (its region).

Kept for statistics: the debtor's kind and country, its region (the first two characters of the postcode, read
before the key goes and kept on ``privacy.AnonymisedSubject``), and the cases' amounts, dates, stages and outcomes,
which are on cases and claims and stay. Everything else the data map declares personal for ``parties.Debtor`` is
replaced, and ``tests/test_retention.py`` checks that the two lists together cover the map. Values about the debtor
kept in the clear on rows of its own (a rectification's old and new value) are blanked with the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from incasso.audit.field_sets import field_set_reference
from incasso.cases.models import Case, CaseHold, Claim, StaffTask, StageEvent
from incasso.communications.models import Communication, Letter, PortalAccessCode
from incasso.core.bulk_insert import AnyKey, rows_insert
from incasso.crypto.selectors import SubjectValue, subjects_field_values
from incasso.crypto.services import data_keys_destroy
from incasso.decisions.models import Decision
from incasso.parties.models import Debtor
from incasso.parties.sealing import INDEX_COLUMNS
from incasso.privacy.models import AnonymisedSubject, RetentionSweep
from incasso.rights.models import RectificationChange

MARKER = "[anonymised]"
JSON_MARKER = {"anonymised": True}

DEBTOR_STATISTICS = ("kind", "country")
REGION_LENGTH = 2


def debtor_neutral() -> dict[str, Any]:
    """What an anonymised debtor's personal fields are set to, for one UPDATE of all the chunk's debtors."""
    return {
        # Unique per client: a neutral value that stays unique.
        "reference": Concat(Value("anon-"), Cast(F("pk"), CharField())),
        "given_names": "",
        # A person must have a surname and a company a name (debtor_has_name). The data key is destroyed in the
        # same transaction, so the columns hold a constant instead of ciphertext and read as "[erased]"; the
        # encrypted field refuses plaintext, an expression is written as it is.
        "surname": Value(MARKER),
        "organisation_name": Value(MARKER),
        "date_of_birth": None,
        "street": "",
        "house_number": "",
        "postcode": "",  # the region is kept on AnonymisedSubject
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

# The debtor's own rows that hold its personal data in the clear, per model: (model, its updates). A rectification
# keeps the value it replaced and the one it wrote; the change itself (which field, when, by whom) stays.
DEBTOR_ROW_UPDATES: tuple[tuple[type[Any], dict[str, Any]], ...] = (
    (RectificationChange, {"old_value": MARKER, "new_value": MARKER}),
)


def audited_fields() -> list[str]:
    """The fields one anonymisation changes, as the audit entry names them."""
    names = [f"parties.Debtor.{name}" for name in DEBTOR_NEUTRAL_FIELDS]
    for model, updates in (*CASE_ROW_UPDATES, *DEBTOR_ROW_UPDATES):
        names += [f"{model._meta.label}.{name}" for name in updates]
    return [*names, "communications.PortalAccessCode (deleted)", "crypto.DataKey (destroyed)"]


# The audit log's name for ``audited_fields()`` (``audit.field_sets``): the sweep records it for every subject.
AUDITED_FIELD_SET = "retention.anonymise/2"


def audited_fields_named() -> list[str]:
    """``audited_fields()`` as one reference to the audit log's registered set, which must name the same fields (a
    changed anonymisation registers a new version of the set): an entry per subject of ~250 bytes, not ~1.3 KB."""
    return field_set_reference(AUDITED_FIELD_SET, fields=audited_fields())


def debtors_regions_read(debtor_ids: Sequence[int]) -> list[SubjectValue]:
    """The debtors' postcodes (``value``, None where unreadable) with their data keys, opened in one query: what
    ``anonymise_debtors`` needs to read before it destroys the keys. The sweep reads the next chunk's while the
    current one is written."""
    return subjects_field_values(model=Debtor, field_name="postcode", pks=debtor_ids)


def anonymise_debtors(
    debtor_ids: Sequence[int], *, sweep: RetentionSweep | None = None, regions: Sequence[SubjectValue] | None = None
) -> int:
    """Anonymise these debtors and their cases' rows, mark them anonymised (once) and destroy their data keys, in a
    fixed number of statements; runs inside the caller's transaction, which writes the audit entries.

    ``regions``: ``debtors_regions_read(debtor_ids)`` if the caller has read it already (else it is read here).
    """
    # Every statement reaches the chunk's rows through an index (AnyKey), never by scanning a whole table.
    cases = Case.objects.filter(AnyKey(F("debtor_id"), debtor_ids)).values("pk")
    for model, updates in CASE_ROW_UPDATES:
        model._default_manager.filter(AnyKey(F("case_id"), cases)).update(**updates)
    PortalAccessCode.objects.filter(AnyKey(F("case_id"), cases)).delete()
    for model, updates in DEBTOR_ROW_UPDATES:
        model._default_manager.filter(AnyKey(F("debtor_id"), debtor_ids)).update(**updates)
    # The region is read before the key goes; a debtor whose key is already destroyed has none left to keep.
    postcodes = debtors_regions_read(debtor_ids) if regions is None else regions
    Debtor.objects.filter(AnyKey(F("pk"), debtor_ids)).update(**debtor_neutral(), **dict.fromkeys(INDEX_COLUMNS, ""))
    data_keys_destroy(
        key_ids=[found.key_id for found in postcodes if found.key_id is not None], indexes_emptied=[Debtor]
    )
    now, sweep_id = timezone.now(), sweep.pk if sweep is not None else None
    rows_insert(
        AnonymisedSubject,
        ("debtor_id", "sweep_id", "at", "region"),
        [(found.pk, sweep_id, now, (found.value or "")[:REGION_LENGTH]) for found in postcodes],
        returning=False,
        ignore_conflicts=True,
    )
    return len(postcodes)
