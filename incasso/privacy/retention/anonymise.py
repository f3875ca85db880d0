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
value) are blanked with the rest, and so is the free text of the case file's other rows (notes, complaints, plans'
review reasons, the client's reasons on legal steps, hand-over and print-house notes) and the files the debtor
uploaded with a dispute (``dispute_files``: deleted from storage once the transaction commits). What stays of those
rows is what statistics need and identifies nobody: amounts, dates, statuses and outcomes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.db.models import BigIntegerField, CharField, DateTimeField, F, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from incasso.audit.field_sets import field_set_reference
from incasso.cases.models import Case
from incasso.communications.models import Letter, PortalAccessCode
from incasso.core.bulk_insert import AnyKey, keys_once
from incasso.core.bulk_update import rows_update
from incasso.crypto.fields import KEY_ATTNAME
from incasso.crypto.selectors import SubjectValue, subjects_field_values
from incasso.crypto.services import data_keys_destroy
from incasso.parties.models import Debtor
from incasso.parties.sealing import INDEX_COLUMNS
from incasso.privacy.models import AnonymisedSubject, RetentionSweep
from incasso.privacy.retention.dispute_files import DISPUTE_FILE, dispute_files_anonymise, gone_path

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

# Each table below: (model label, its updates). Labels, not classes: some of these models belong to interfaces the
# privacy app may not import. Amounts, dates, stages, statuses and outcomes stay.
RowUpdates = tuple[tuple[str, dict[str, Any]], ...]

# The free text of a case's rows (version 1 of the audit field set).
CASE_ROW_UPDATES: RowUpdates = (
    ("cases.StageEvent", {"reason": MARKER}),
    ("communications.Letter", {"data": JSON_MARKER, "error": ""}),
    ("communications.Communication", {"subject": MARKER, "summary": ""}),
    (
        "decisions.Decision",
        {
            "inputs": JSON_MARKER,
            "explanation_nl": MARKER,
            "explanation_en": MARKER,
            "contest_reason": "",
            "review_outcome": "",
        },
    ),
    ("cases.StaffTask", {"title": MARKER, "details": "", "outcome": ""}),
    ("cases.CaseHold", {"reason": MARKER, "lift_reason": ""}),
    ("cases.Claim", {"description": ""}),
)

# The debtor's own rows that hold its personal data in the clear (version 2). A rectification keeps the value it
# replaced and the one it wrote; the change itself (which field, when, by whom) stays.
DEBTOR_ROW_UPDATES: RowUpdates = (("rights.RectificationChange", {"old_value": MARKER, "new_value": MARKER}),)

# The free text of the rest of the case file (version 3), each declared personal free text in the data map. Kept: a
# complaint's channel, status and dates (the Wki procedure's figures), a plan's amounts and status, whether the
# client approved legal steps, a hand-over's status and dates. A hand-over's partner reference goes too: it is the
# key to the partner's own file about the person, and no statistic needs it.
CASE_FILE_UPDATES: RowUpdates = (
    ("backoffice.CaseNote", {"text": MARKER}),
    ("complaints.Complaint", {"text": MARKER, "answer": ""}),
    ("arrangements.Arrangement", {"review_reasons": ""}),
    ("client_portal.LegalStepsDecision", {"reason": ""}),
    ("handover.Handover", {"partner_reference": "", "status_note": ""}),
)

# Rows about the cases' letters (version 3): a print house's return reason may say where the debtor went. Whether
# the letter was delivered stays.
LETTER_ROW_UPDATES: RowUpdates = (("print_house.DeliveryLine", {"reason": ""}),)


def dispute_file_updates() -> dict[str, Any]:
    """What a dispute file's row becomes (version 3): its uploaded name and hash go, its stored path names no file
    (the file is deleted, ``dispute_files``). Its type, size and date stay."""
    return {"original_name": MARKER, "sha256": "", "stored_path": gone_path()}


DISPUTE_FILE_FIELDS = tuple(dispute_file_updates())

# Every model whose rows an anonymisation changes or deletes: a restore that anonymises again reaches them.
ANONYMISED_MODELS: tuple[str, ...] = (
    *(label for label, _updates in (*CASE_ROW_UPDATES, *DEBTOR_ROW_UPDATES, *CASE_FILE_UPDATES, *LETTER_ROW_UPDATES)),
    DISPUTE_FILE,
)


def _manager(label: str) -> models.Manager[Any]:
    manager: models.Manager[Any] = apps.get_model(label)._default_manager
    return manager


def audited_fields() -> list[str]:
    """The fields one anonymisation changes, as the audit entry names them."""
    names = [f"parties.Debtor.{name}" for name in DEBTOR_NEUTRAL_FIELDS]
    for label, updates in (*CASE_ROW_UPDATES, *DEBTOR_ROW_UPDATES, *CASE_FILE_UPDATES, *LETTER_ROW_UPDATES):
        names += [f"{label}.{name}" for name in updates]
    names += [f"{DISPUTE_FILE}.{name}" for name in DISPUTE_FILE_FIELDS]
    return [
        *names,
        f"{DISPUTE_FILE} (stored file deleted)",
        "communications.PortalAccessCode (deleted)",
        "crypto.DataKey (destroyed)",
    ]


# The audit log's name for ``audited_fields()`` (``audit.field_sets``): the sweep records it for every subject.
AUDITED_FIELD_SET = "retention.anonymise/3"


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
    cases = _chunk_cases(keys)
    for label, updates in (*CASE_ROW_UPDATES, *CASE_FILE_UPDATES):
        _manager(label).filter(AnyKey(F("case_id"), cases)).update(**updates)
    letters = Letter.objects.filter(AnyKey(F("case_id"), cases)).values("pk")
    for label, updates in LETTER_ROW_UPDATES:
        _manager(label).filter(AnyKey(F("letter_id"), letters)).update(**updates)
    dispute_files_anonymise(cases, updates=dispute_file_updates())
    PortalAccessCode.objects.filter(AnyKey(F("case_id"), cases)).delete()
    for label, updates in DEBTOR_ROW_UPDATES:
        _manager(label).filter(AnyKey(F("debtor_id"), keys)).update(**updates)
    count = debtors.update(**debtor_neutral(), **dict.fromkeys(INDEX_COLUMNS, ""))
    data_keys_destroy(key_ids=key_ids, indexes_emptied=[Debtor])
    _anonymised_subjects_insert(debtors, sweep_id=sweep.pk if sweep is not None else None)
    return count


def _chunk_cases(debtor_keys: Any) -> Any:
    """The chunk's cases, as ``AnyKey``'s right-hand side for the dozen statements that reach rows by case. On
    PostgreSQL looked up once, into an array literal the database writes itself (no id passes through Python): each
    statement then probes its table's index with the ids instead of looking the cases up again, which for the many
    debtors without notes, complaints or plans is most of what the statement costs. Elsewhere the subquery."""
    cases = Case.objects.filter(AnyKey(F("debtor_id"), debtor_keys)).values_list("pk")
    if connection.vendor != "postgresql":
        return cases
    sql, params = cases.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(array_agg(id)::text, '{{}}') FROM ({sql}) AS chunk(id)", params)  # noqa: S608 - the ORM's own SQL
        (ids,) = cursor.fetchone()
    pk_type = Case._meta.get_field("id").db_type(connection)
    return RawSQL(f"SELECT unnest(%s::{pk_type}[])", [ids])  # noqa: S611 - the type is the model's, the ids a parameter


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
