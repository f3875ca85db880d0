"""Whether the data map covers every field of every installed model (SPEC P-1); see ``domain.data_map``."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import models

from incasso.domain.data_map import MapCheck, ModelField, check_data_map
from incasso.privacy.data_map import PERSONAL_FIELDS
from incasso.privacy.not_personal import NOT_PERSONAL_FIELDS


def model_fields(model_classes: Iterable[type[models.Model]] | None = None) -> list[ModelField]:
    """The concrete fields of the given models (default: every installed model), as plain values."""
    classes = apps.get_models() if model_classes is None else model_classes
    return [
        ModelField(
            model=model._meta.label,
            field=field.name,
            primary_key=bool(field.primary_key),
            relation=bool(field.is_relation),
            timestamp=isinstance(field, models.DateTimeField),
        )
        for model in classes
        for field in model._meta.concrete_fields
    ]


def data_map_check(model_classes: Iterable[type[models.Model]] | None = None) -> MapCheck:
    return check_data_map(model_fields(model_classes), PERSONAL_FIELDS, NOT_PERSONAL_FIELDS)
