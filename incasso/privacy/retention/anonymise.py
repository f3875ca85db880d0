"""Anonymisation of debtors: what it writes, set-based, for the retention sweep and for erasure requests.

A debtor's personal fields are sealed under its own data key (P-3), so anonymising destroys that key
(crypto-shredding): every value sealed under it — the debtor's fields, its special-category records, copies in
backups once the master version is retired — becomes unreadable at once, and its blind-index entries go. Nothing
is re-sealed and nothing is opened, so a chunk costs a fixed number of statements and no work per debtor in Python.

Kept for statistics: the debtor's kind and country, its region (``Debtor.postcode_region``, the first two characters
of the postcode, derived when the postcode is written, docs/adr/0009, and copied to ``privacy.AnonymisedSubject``),
and the cases' amounts, dates, stages and outcomes, which are on cases and claims and stay. Everything else the data
map declares personal for ``parties.Debtor`` is replaced, and ``tests/test_retention.py`` checks that the two lists
together cover the map. Values about the debtor kept in the clear on rows of its own (a rectification's old and new
value) are blanked with the rest.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, CharField, DateTimeField, F, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from incasso.audit.field_sets import field_set_reference
from incasso.cases.models import Case, CaseHold, Claim, StaffTask, StageEvent
from incasso.communications.models import Communication, Letter, PortalAccessCode
from incasso.core.bulk_insert import AnyKey, keys_once
from incasso.core.bulk_update import rows_update
from incasso.crypto.fields import KEY_ATTNAME
from incasso.crypto.selectors import SubjectValue, subjects_field_values
from incasso.crypto.services import data_keys_destroy
from incasso.decisions.models import Decision
from incasso.parties.models import Debtor
from incasso.parties.sealing import INDEX_COLUMNS
from incasso.privacy.models import AnonymisedSubject, RetentionSweep
from incasso.rights.models import RectificationChange

MARKER = "[anonymised]"
JSON_MARKER = {"anonymised": True}

DEBTOR_STATISTICS = ("kind", "country", "postcode_region")
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
        "postcode": "",  # its region stays in postcode_region
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
    """The debtors' postcodes (``value``, None where unreadable) with their data keys, opened in one query: for
    debtors whose region was never derived (``Debtor.postcode_region`` NULL, rows written before it existed), what
    ``anonymise_debtors`` must read before it destroys the keys."""
    return subjects_field_values(model=Debtor, field_name="postcode", pks=debtor_ids)


def anonymise_debtors(
    debtor_ids: Sequence[int],
    *,
    sweep: RetentionSweep | None = None,
    regions: Sequence[SubjectValue] | None = None,
    key_ids: Sequence[uuid.UUID] | None = None,
) -> int:
    """Anonymise these debtors and their cases' rows, mark them anonymised (once) and destroy their data keys, in a
    fixed number of statements and no work per debtor in Python; runs inside the caller's transaction, which writes
    the audit entries. Returns how many debtors there were.

    The region statistics keep is the debtor's ``postcode_region``, written with the postcode. ``regions``: the region
    (or the postcode, of which the region is taken) of debtors for whom the caller knows better: those whose region
    was never derived, opened before the keys go (``debtors_regions_read``; else read here), or a restored backup's,
    what the live record kept. ``key_ids``: the debtors' data-key ids if the caller has read them.
    """
    keys = keys_once(Debtor, debtor_ids)
    debtors = Debtor.objects.filter(AnyKey(F("pk"), keys))
    if regions is None:
        underived = list(debtors.filter(postcode_region__isnull=True).values_list("pk", flat=True))
        regions = debtors_regions_read(underived) if underived else []
    if regions:
        rows_update(
            Debtor, ["postcode_region"], {found.pk: ((found.value or "")[:REGION_LENGTH],) for found in regions}
        )
    if key_ids is None:
        key_ids = [key for key in debtors.values_list(KEY_ATTNAME, flat=True) if key is not None]
    # Every statement reaches the chunk's rows through an index (AnyKey), never by scanning a whole table.
    cases = Case.objects.filter(AnyKey(F("debtor_id"), keys)).values("pk")
    for model, updates in CASE_ROW_UPDATES:
        model._default_manager.filter(AnyKey(F("case_id"), cases)).update(**updates)
    PortalAccessCode.objects.filter(AnyKey(F("case_id"), cases)).delete()
    for model, updates in DEBTOR_ROW_UPDATES:
        model._default_manager.filter(AnyKey(F("debtor_id"), keys)).update(**updates)
    count = debtors.update(**debtor_neutral(), **dict.fromkeys(INDEX_COLUMNS, ""))
    data_keys_destroy(key_ids=key_ids, indexes_emptied=[Debtor])
    _anonymised_subjects_insert(debtors, sweep_id=sweep.pk if sweep is not None else None)
    return count


def _anonymised_subjects_insert(debtors: QuerySet[Debtor], *, sweep_id: int | None) -> None:
    """One ``AnonymisedSubject`` per debtor not marked yet, with its region, in one INSERT ... SELECT."""
    select = debtors.values_list(
        "pk",
        Cast(Value(sweep_id), BigIntegerField()),
        Cast(Value(timezone.now()), DateTimeField()),
        Coalesce("postcode_region", Value("")),
    )
    sql, params = select.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in ("debtor_id", "sweep_id", "at", "region"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(AnonymisedSubject._meta.db_table)} ({columns}) {sql} "
            f"ON CONFLICT ({quote('debtor_id')}) DO NOTHING",
            params,
        )
