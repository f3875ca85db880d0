"""Which rows hold a person's data: the data map's models, and the relation paths from each to the person.

The data map (``privacy.data_map``) says which fields are personal; this module finds, once per process, how
each declared model reaches a debtor or a client contact through its foreign keys (``case__debtor``,
``transaction__case__debtor``, ``request__debtors``…). A new model whose personal fields are declared and that
points at a case or a debtor is therefore in every export without anybody listing it here. Rows that name a
person by reference (the audit log, the disclosure log) are found by that reference.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.db import models
from django.db.models import Q

from incasso.domain.data_map import FieldDeclaration
from incasso.privacy.data_map import PERSONAL_FIELDS

DEBTOR = "parties.Debtor"
CLIENT_CONTACT = "parties.ClientContact"
SUBSCRIBER = "consent.Subscriber"
MAX_DEPTH = 4
# Rows about a person by "app_label.Model" + pk rather than by a foreign key: model -> (type field, id field).
BY_REFERENCE: dict[str, tuple[str, str]] = {
    "audit.AuditEvent": ("subject_type", "subject_id"),
    "disclosures.Disclosure": ("subjects__subject_type", "subjects__subject_id"),
    "disclosures.DisclosureSubject": ("subject_type", "subject_id"),
    "aml.AmlCheck": ("subject_type", "subject_id"),
}


@dataclass(frozen=True, slots=True)
class SubjectKeys:
    """What else identifies the person in rows without a foreign key: case numbers, e-mail addresses."""

    target: str
    ids: list[int]
    case_numbers: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    email_hashes: list[str] = field(default_factory=list)


_CONSENT_KINDS = {DEBTOR: "debtor", CLIENT_CONTACT: "client_contact", SUBSCRIBER: "subscriber"}
# Rows found by such a value: model -> the filter. A model listed here needs no foreign key to the person.
BY_VALUE: dict[str, Callable[[SubjectKeys], Q]] = {
    "debtor_portal.LoginAttempt": lambda k: Q(case_number__in=k.case_numbers),
    "debtor_portal.LoginLock": lambda k: Q(case_number__in=k.case_numbers),
    "integrations.SmimeCertificate": lambda k: Q(email__in=k.emails),
    "consent.Suppression": lambda k: Q(email_hash__in=k.email_hashes),
    "consent.ConsentRecord": lambda k: Q(
        subject_kind=_CONSENT_KINDS.get(k.target, "-"), subject_ref__in=[str(pk) for pk in k.ids]
    ),
}
# JSON fields that mention the person's case number (events sent to the client): model -> field.
CASE_NUMBER_TEXT: dict[str, str] = {"webhooks.WebhookDelivery": "payload"}
# Lists of such references in one JSON field: model -> field (a breach's affected subjects, a refused disclosure's).
REFERENCE_LISTS: dict[str, str] = {
    "disclosures.Breach": "affected_subjects",
    "disclosures.RefusedDisclosure": "subjects",
}
# Paths the forward walk cannot see because the link points the other way (a transaction is found by its entries).
EXTRA_PATHS: dict[str, dict[str, tuple[str, ...]]] = {
    DEBTOR: {"ledger.LedgerTransaction": ("entries__account__case__debtor",)},
}
# Never walked through: shared reference data, not the person's (a client's debtors are not the client's data).
NOT_THROUGH = frozenset({"parties.Client", "auth.User", "auth.Group", "contenttypes.ContentType"})


@dataclass(frozen=True, slots=True)
class DeclaredModel:
    label: str
    model: type[models.Model]
    fields: tuple[FieldDeclaration, ...]
    paths: tuple[str, ...]  # lookups that end at the target's primary key
    by_reference: tuple[str, str] | None
    reference_list: str | None
    by_value: Callable[[SubjectKeys], Q] | None = None
    case_number_text: str | None = None

    @property
    def text_field(self) -> str | None:
        """The JSON field searched as text, if any (annotated as ``<field>_text``)."""
        return self.reference_list or self.case_number_text


@cache
def declarations_by_model() -> dict[str, tuple[FieldDeclaration, ...]]:
    grouped: dict[str, list[FieldDeclaration]] = defaultdict(list)
    for declaration in PERSONAL_FIELDS:
        grouped[declaration.model].append(declaration)
    return {label: tuple(found) for label, found in grouped.items()}


def _relations(model: type[models.Model]) -> list[tuple[str, type[models.Model]]]:
    found: list[tuple[str, type[models.Model]]] = []
    for relation in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        target = relation.related_model
        if relation.is_relation and isinstance(target, type) and issubclass(target, models.Model):
            found.append((relation.name, target))
    return found


def _paths(model: type[models.Model], target: str) -> tuple[str, ...]:
    """Every forward path of foreign keys (and many-to-many) from ``model`` to ``target``, shortest first."""
    if model._meta.label == target:
        return ("pk",)
    paths: list[str] = []
    frontier: list[tuple[str, type[models.Model], frozenset[str]]] = [("", model, frozenset({model._meta.label}))]
    for _depth in range(MAX_DEPTH):
        following: list[tuple[str, type[models.Model], frozenset[str]]] = []
        for prefix, current, seen in frontier:
            for name, related in _relations(current):
                label = related._meta.label
                path = f"{prefix}{name}"
                if label == target:
                    paths.append(path)
                elif label not in seen and label not in NOT_THROUGH:
                    following.append((f"{path}__", related, seen | {label}))
        frontier = following
    return tuple(paths)


@cache
def declared_models(target: str) -> tuple[DeclaredModel, ...]:
    """The declared models that can hold data about a ``target`` (a debtor or a client contact)."""
    result = []
    for label, fields in sorted(declarations_by_model().items()):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        paths = _paths(model, target) + EXTRA_PATHS.get(target, {}).get(label, ())
        reference = BY_REFERENCE.get(label)
        listed = REFERENCE_LISTS.get(label)
        by_value = BY_VALUE.get(label)
        case_text = CASE_NUMBER_TEXT.get(label) if target == DEBTOR else None
        if paths or reference or listed or by_value or case_text:
            result.append(DeclaredModel(label, model, fields, paths, reference, listed, by_value, case_text))
    return tuple(result)


def rows_filter(declared: DeclaredModel, keys: SubjectKeys) -> Q:
    target, ids = keys.target, keys.ids
    condition = Q(pk__in=[])
    if declared.by_value is not None:
        condition |= declared.by_value(keys)
    if declared.case_number_text is not None:
        for number in keys.case_numbers:
            condition |= Q(**{f"{declared.case_number_text}_text__contains": f'"{number}"'})
    for path in declared.paths:
        condition |= Q(**{f"{path}__in": ids})
    if declared.by_reference is not None:
        type_field, id_field = declared.by_reference
        condition |= Q(**{type_field: target, f"{id_field}__in": [str(pk) for pk in ids]})
    if declared.reference_list is not None:
        # A text match narrows the rows in the database; ``holds_reference`` then checks each exactly.
        for pk in ids:
            condition |= Q(**{f"{declared.reference_list}_text__contains": f'"{target}:{pk}"'})
    return condition


def holds_reference(declared: DeclaredModel, row: dict[str, object], target: str, ids: list[int]) -> bool:
    if declared.reference_list is None or declared.paths or declared.by_reference or declared.by_value:
        return True
    listed = row.get(declared.reference_list)
    wanted = {f"{target}:{pk}" for pk in ids}
    return isinstance(listed, list) and bool(wanted & {str(item) for item in listed})
