"""Model fields that store personal data sealed under the data subject's data key, and their blind indexes.

An encrypted field reads and writes like a plain one (``debtor.surname``): the column holds the sealed text, the
attribute gives the plaintext, decrypted on first access and kept on the instance. A value that cannot be read —
its data key destroyed (crypto-shredding), its master key gone, or its ciphertext tampered with — reads as an
``Unavailable`` string ("[erased]", translated), never as an exception, so every door that shows the field shows
that instead. Dates read as ``None`` then.

Writing goes through the model's ``save``/``bulk_create`` (``pre_save`` seals with the instance's key, creating the
subject's key if it has none) or through ``sealed_value`` for writers that build rows themselves. A plaintext given
to ``QuerySet.update`` or ``bulk_update`` is refused: there is no row to bind it to. An empty value is stored empty,
so "has a surname" stays checkable by the database; only emptiness is visible, not content. Filtering on the
column finds nothing useful: search through a ``BlindIndexField``.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable, Collection, Sequence
from typing import Any, Self

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django import forms
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import cached_property
from django.utils.translation import gettext

from incasso.core.bulk_update import rows_update
from incasso.crypto import keyring, primitives
from incasso.crypto.primitives import Sealed

logger = logging.getLogger(__name__)

# Where an instance keeps the plaintexts it has already decrypted.
_PLAIN = "_encrypted_plaintexts"
KEY_ATTNAME = "data_key_id"


class Unavailable(str):
    """An encrypted value that cannot be read. Renders as "[erased]"/"[gewist]"; carries the sealed original so that
    saving the row again keeps it."""

    sealed: str | None = None


class SubjectErased(Exception):
    """A new value was given for a subject whose data key is destroyed: nothing can be sealed for it any more."""


def unavailable(sealed: str | None = None) -> Unavailable:
    value = Unavailable(gettext("[erased]"))
    value.sealed = sealed
    return value


def is_unavailable(value: object) -> bool:
    return isinstance(value, Unavailable)


class EncryptedModel(models.Model):
    """Base of models with encrypted fields: every row read notes its data key, so keys load in one query."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str | None, field_names: Collection[str], values: Collection[Any]) -> Self:
        instance = super().from_db(db, field_names, values)
        keyring.key_note_pending(instance.__dict__.get(KEY_ATTNAME))
        return instance

    def encryption_row_key(self, key_id: uuid.UUID) -> str:
        """What binds a ciphertext to its row: the subject's own data key (one per subject row) unless a model with
        several rows per key says more."""
        return str(key_id)


def _row_ad(instance: models.Model, field_name: str, key_id: uuid.UUID) -> bytes:
    row_key = instance.encryption_row_key(key_id) if isinstance(instance, EncryptedModel) else str(key_id)
    return primitives.associated_data(instance._meta.label_lower, field_name, row_key)


class _EncryptedAttribute(DeferredAttribute):
    field: EncryptedTextField

    def __get__(self, instance: models.Model | None, cls: type | None = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if not isinstance(value, Sealed):
            return value
        opened: dict[str, Any] = instance.__dict__.setdefault(_PLAIN, {})
        attname = self.field.attname
        if attname not in opened:
            opened[attname] = self.field.open(instance, value)
        return opened[attname]

    def __set__(self, instance: models.Model, value: Any) -> None:
        if isinstance(value, Unavailable) and value.sealed is not None:
            value = Sealed(value.sealed)
        instance.__dict__[self.field.attname] = value
        instance.__dict__.get(_PLAIN, {}).pop(self.field.attname, None)


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text sealed with AES-GCM under the data key named by the model's ``data_key`` foreign key."""

    descriptor_class = _EncryptedAttribute

    def from_db_value(self, value: str | None, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        return Sealed(value) if value else value

    def get_prep_value(self, value: Any) -> Any:
        return value

    def get_db_prep_save(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        if value is None or value == "" or isinstance(value, Sealed):
            return None if value is None else str(value)
        if hasattr(value, "resolve_expression"):  # bulk_update's CASE: each of its values comes back through here
            return value
        if isinstance(value, str) and value.startswith(primitives.PREFIX):
            return value  # a sealed value restored by a fixture or serialized_rollback (see value_to_string)
        raise ValueError(
            f"{self.model._meta.label}.{self.name} is encrypted: write it with save() or bulk_create(), "
            "not with update() or bulk_update()"
        )

    def value_to_string(self, obj: models.Model) -> str:
        """Serialised (dumpdata, fixtures) as stored: sealed, restorable together with the data keys."""
        value = obj.__dict__.get(self.attname)
        if isinstance(value, Sealed) or value is None or value == "":
            return "" if value is None else str(value)
        return str(self.pre_save(obj, add=False))

    @cached_property
    def validators(self) -> list[Callable[..., None]]:
        found = list(super().validators)
        if self.max_length is not None:
            found.append(MaxLengthValidator(self.max_length))
        return found

    def encode(self, value: Any) -> str:
        return str(value)

    def decode(self, text: str) -> Any:
        return text

    def unreadable(self, sealed: str) -> Any:
        return unavailable(sealed)

    def open(self, instance: models.Model, sealed: str) -> Any:
        # A queryset with .only() may have deferred the key: reading it then costs a query per row, so list it.
        key_id = instance.__dict__[KEY_ATTNAME] if KEY_ATTNAME in instance.__dict__ else getattr(instance, KEY_ATTNAME)
        cipher = keyring.cipher_for(key_id) if key_id is not None else None
        if key_id is None or cipher is None:
            return self.unreadable(sealed)
        try:
            return self.decode(primitives.unseal(cipher, sealed, _row_ad(instance, self.name, key_id)))
        except primitives.DecryptionFailed:
            logger.error("%s.%s of %s does not authenticate", instance._meta.label, self.name, instance.pk)
            return self.unreadable(sealed)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname)
        if value is None or value == "" or isinstance(value, Sealed):
            return value
        if isinstance(value, Unavailable):
            raise SubjectErased(f"{model_instance._meta.label}.{self.name}: an unavailable value cannot be stored")
        key_id = model_instance.__dict__.get(KEY_ATTNAME) or _key_issue(model_instance)
        sealed = sealed_value(model_instance, self.name, key_id, value)
        model_instance.__dict__[self.attname] = sealed
        model_instance.__dict__.setdefault(_PLAIN, {})[self.attname] = value
        return sealed


class EncryptedDateField(EncryptedTextField):
    """A date sealed as ISO text; reads as ``None`` when unavailable."""

    # What django-stubs' plugin reads as the attribute's types.
    _pyi_private_set_type: datetime.date | str | None  # type: ignore[assignment]
    _pyi_private_get_type: datetime.date | None  # type: ignore[assignment]

    def decode(self, text: str) -> Any:
        return datetime.date.fromisoformat(text)

    def encode(self, value: Any) -> str:
        return self.to_python(value).isoformat()  # type: ignore[no-any-return]

    def unreadable(self, sealed: str) -> Any:
        return None

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, datetime.date):
            return value
        return forms.DateField().to_python(value)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return models.Field.formfield(self, form_class=form_class or forms.DateField, **kwargs)


def _key_issue(instance: models.Model) -> uuid.UUID:
    key, _plain = keyring.data_key_new(instance._meta.label_lower)
    key.save(force_insert=True)
    instance.__dict__[KEY_ATTNAME] = key.pk
    return key.pk


def seal_with(model: type[models.Model], field_name: str, key_id: uuid.UUID, cipher: AESGCM, value: Any) -> Any:
    """``value`` sealed for a new row of ``model`` whose data key (``key_id``, ``cipher``) the caller holds; empty
    values stay empty. For writers that insert rows without model instances."""
    if value is None or value == "":
        return value
    field = model._meta.get_field(field_name)
    assert isinstance(field, EncryptedTextField)  # noqa: S101 - a programming error, not input
    ad = primitives.associated_data(model._meta.label_lower, field_name, str(key_id))
    return Sealed(primitives.seal(cipher, field.encode(value), ad))


def sealed_value(
    instance_or_model: models.Model | type[models.Model], field_name: str, key_id: uuid.UUID, value: Any
) -> Sealed:
    """``value`` sealed for ``field_name`` of a row with data key ``key_id`` (bulk writers pass the model class,
    which works when the model's row key is the data key, as for debtors)."""
    field = instance_or_model._meta.get_field(field_name)
    assert isinstance(field, EncryptedTextField)  # noqa: S101 - a programming error, not input
    cipher = keyring.cipher_for(key_id)
    if cipher is None:
        raise SubjectErased(f"data key {key_id} is destroyed")
    if isinstance(instance_or_model, models.Model):
        ad = _row_ad(instance_or_model, field_name, key_id)
    else:
        ad = primitives.associated_data(instance_or_model._meta.label_lower, field_name, str(key_id))
    return Sealed(primitives.seal(cipher, field.encode(value), ad))


NORMALISERS: dict[str, Callable[..., str]] = {
    "compact": primitives.normalise_compact,
    "email": primitives.normalise_email,
    "name": primitives.normalise_name,
}


class EncryptedCountField(EncryptedTextField):
    """A whole number (cents, a count) sealed as text; reads as ``None`` when unavailable."""

    # What django-stubs' plugin reads as the attribute's types.
    _pyi_private_set_type: int | str | None  # type: ignore[assignment]
    _pyi_private_get_type: int | None  # type: ignore[assignment]

    def decode(self, text: str) -> Any:
        return int(text)

    def encode(self, value: Any) -> str:
        return str(int(value))

    def unreadable(self, sealed: str) -> Any:
        return None


class BlindIndexField(models.CharField):  # type: ignore[type-arg]
    """A keyed, truncated HMAC of one or more encrypted fields, kept up to date on every save, for exact-match
    search. Empty when the value is empty or unreadable (a shredded subject has no index entries)."""

    def __init__(
        self, *args: Any, purpose: str = "", sources: tuple[str, ...] = (), normaliser: str = "compact", **kwargs: Any
    ) -> None:
        self.purpose, self.sources, self.normaliser = purpose, tuple(sources), normaliser
        kwargs.setdefault("max_length", primitives.INDEX_BYTES * 2)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(purpose=self.purpose, sources=self.sources, normaliser=self.normaliser)
        for key in ("max_length", "blank", "default", "editable"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def compute(self, *values: Any) -> str:
        """The index entry of plaintext source values, in the order of ``sources``."""
        if any(value is None or isinstance(value, Unavailable) for value in values):
            return ""
        return keyring.blind_index(self.purpose, NORMALISERS[self.normaliser](*(str(v) for v in values)))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = self.compute(*(getattr(model_instance, source) for source in self.sources))
        setattr(model_instance, self.attname, value)
        return value


def instances_bulk_write(objs: Sequence[models.Model], names: list[str], *, batch_size: int = 5_000) -> None:
    """Write fields of many instances of one model in one UPDATE per batch, sealing the plaintexts set on them and
    bringing their blind indexes up to date — ``bulk_update`` for models with encrypted fields (it would read the
    plaintext through the attribute). Every instance must already have its data key, as rows read do."""
    if not objs:
        return
    model = type(objs[0])
    fields = model._meta.concrete_fields
    sealed = [field for field in fields if isinstance(field, EncryptedTextField) and field.name in names]
    # Blind indexes, and values derived from the fields written (``derived_from``, a debtor's postcode region).
    indexes = [
        field
        for field in fields
        if isinstance(field, BlindIndexField) or set(getattr(field, "derived_from", ())) & set(names)
    ]
    for obj in objs:
        for field in (*sealed, *indexes):
            field.pre_save(obj, add=False)
    written = [model._meta.get_field(name) for name in names] + [f for f in indexes if f.name not in names]
    attnames = list(dict.fromkeys(field.attname for field in written if isinstance(field, models.Field)))
    # One set-based UPDATE ... FROM unnest(...) (core.bulk_update): a CASE WHEN per row costs the ORM far more
    # than the database's work (the retention sweep writes hundreds of thousands of rows this way).
    for start in range(0, len(objs), batch_size):
        batch = objs[start : start + batch_size]
        rows_update(model, attnames, {obj.pk: tuple(obj.__dict__[name] for name in attnames) for obj in batch})
