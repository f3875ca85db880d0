"""Test helper: a row in every model the data map says can hold a debtor's data, with a distinct value planted in
each declared personal field, all linked to one person. Built from the data map and the models' own field
definitions, so a newly declared field is planted (and must then be found in the export) without editing this."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import models

from incasso.domain.data_map import CASE_PARTIES, FieldDeclaration, SubjectCategory
from incasso.privacy.data_map import PERSONAL_FIELDS

# The people a debtor's export covers: every role a case gives a person, and whoever paid.
PERSON_SUBJECTS = frozenset({*CASE_PARTIES, SubjectCategory.PAYER})
# Declared models that hold case parties' data without naming the person in a way that links a row to one person.
UNLINKABLE = {
    "admin.LogEntry": "Django admin's change log: a generic object id (the admin is read-only for personal data)",
    "intake.ImportBatch": "rejected rows of a claim file: they never became a debtor",
    "payments.StatementImport": "skipped lines of a bank statement: matched to nobody",
    "ledger.Payout": "a client's payout statement; its per-case items (ledger.PayoutItem) are exported",
    "disclosures.BreachNotification": "the breach's facts as told to a client; the breach itself is exported",
    "disclosures.Recipient": "a recipient organisation, not the person",
}
# Fields that carry the link to the person rather than a planted value.
REFERENCE_FIELDS = {
    ("audit.AuditEvent", "subject_id"),
    ("aml.AmlCheck", "subject_id"),
    ("consent.ConsentRecord", "subject_ref"),
    ("consent.Suppression", "email_hash"),
    ("integrations.SmimeCertificate", "email"),
    ("debtor_portal.LoginAttempt", "case_number"),
    ("debtor_portal.LoginLock", "case_number"),
    ("disclosures.DisclosureSubject", "subject_id"),
    ("disclosures.Breach", "affected_subjects"),
    ("disclosures.RefusedDisclosure", "subjects"),
}


def person_declarations() -> dict[str, list[FieldDeclaration]]:
    by_model: dict[str, list[FieldDeclaration]] = {}
    for declaration in PERSONAL_FIELDS:
        if declaration.subjects & PERSON_SUBJECTS and declaration.model not in UNLINKABLE:
            by_model.setdefault(declaration.model, []).append(declaration)
    return by_model


class Planter:
    """Creates linked rows; ``planted`` lists (model label, field, value) for every declared field it filled."""

    def __init__(
        self,
        pool: dict[type[models.Model], models.Model],
        person_ref: str,
        fixes: dict[str, Callable[[dict[str, Any]], None]] | None = None,
        creators: dict[str, Callable[[type[models.Model], dict[str, Any]], models.Model]] | None = None,
    ) -> None:
        self.pool = pool
        self.fixes = fixes or {}
        self.creators = creators or {}
        self.person_ref = person_ref
        self.counter = itertools.count(101)
        self.planted: list[tuple[str, str, Any]] = []

    def value(self, field: models.Field[Any, Any]) -> Any:
        n = next(self.counter)
        if field.choices:
            choices = [c[0] for c in field.flatchoices]
            return choices[n % len(choices)]
        internal = field.get_internal_type()
        if isinstance(field, models.EmailField) or field.name.endswith("email") or field.name == "emailed_to":
            return f"p{n}@planted.example"
        if internal in {"DateTimeField"}:
            return datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(hours=n)
        if internal == "DateField" or "Date" in type(field).__name__:
            return datetime.date(2025, 1, 1) + datetime.timedelta(days=n)
        if internal == "GenericIPAddressField":
            return f"10.0.{n // 256 % 256}.{n % 256}"
        if internal == "SmallIntegerField":
            return n % 100
        if internal.endswith("IntegerField"):
            return n
        if internal == "BooleanField":
            return True
        if internal == "JSONField":
            return {"planted": f"p{n}"}
        if internal == "DecimalField":
            return n
        limit = getattr(field, "max_length", None) or 200
        text = f"p{n}"
        return text if len(text) <= limit else str(n)[-limit:]

    def plant(self, label: str, declared: set[str], **overrides: Any) -> models.Model:
        """A row of ``label``; a fix of that label adjusts the planted values to the model's check constraints."""
        model = apps.get_model(label)
        values: dict[str, Any] = {}
        for field in model._meta.concrete_fields:
            if field.primary_key or field.name in overrides:
                continue
            if field.is_relation:
                target = field.related_model
                assert isinstance(target, type)
                if target._meta.label == "crypto.DataKey":
                    # A row's own data key, issued the way the services issue one.
                    from incasso.crypto.services import data_keys_issue

                    ((key_id, _cipher),) = data_keys_issue(subject_type=model._meta.label_lower, count=1)
                    values[field.attname] = key_id
                elif target in self.pool:
                    values[field.name] = self.pool[target]
                elif not field.null:
                    values[field.name] = self.plant(target._meta.label, set())
                continue
            if field.name in declared or (not field.has_default() and not field.null and not field.blank):
                values[field.name] = self.value(field)
        values.update(overrides)
        if label in self.fixes:
            self.fixes[label](values)
        create = self.creators.get(label)
        row = create(model, values) if create else model._default_manager.create(**values)
        for name in declared:
            self.planted.append((label, name, getattr(row, name)))
        return row
