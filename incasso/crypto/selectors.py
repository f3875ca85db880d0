"""Reads of the crypto app: the state of the data keys and master keys (`incasso keys status`), and one sealed field
of many subjects opened in bulk."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F

from incasso.core.bulk_insert import AnyKey
from incasso.crypto import keyring, primitives
from incasso.crypto.fields import KEY_ATTNAME, EncryptedModel, EncryptedTextField
from incasso.crypto.models import DataKey

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KeysStatus:
    current_version: str
    configured_versions: list[str]
    retired_versions: list[str]
    live_by_version: dict[str, int]
    destroyed: int
    # Retired versions still in the environment: they must be removed (and destroyed) for shredding to reach backups.
    retired_still_configured: list[str]
    # Live keys wrapped under a version that is not configured: unreadable until that key is configured again.
    unreadable: int

    def as_dict(self) -> dict[str, object]:
        return {
            "current_version": self.current_version,
            "configured_versions": self.configured_versions,
            "retired_versions": self.retired_versions,
            "live_by_version": self.live_by_version,
            "destroyed": self.destroyed,
            "retired_still_configured": self.retired_still_configured,
            "unreadable": self.unreadable,
        }


def keys_status() -> KeysStatus:
    masters = keyring.master_keys()
    live = dict(
        DataKey.objects.filter(destroyed_at__isnull=True)
        .values_list("master_version")
        .annotate(count=Count("pk"))
        .order_by("master_version")
        .values_list("master_version", "count")
    )
    retired = sorted(keyring.retired_versions())
    return KeysStatus(
        current_version=masters.current_version,
        configured_versions=list(masters.keys),
        retired_versions=retired,
        live_by_version=live,
        destroyed=DataKey.objects.filter(destroyed_at__isnull=False).count(),
        retired_still_configured=[version for version in retired if version in masters.keys],
        unreadable=sum(count for version, count in live.items() if version not in masters.keys),
    )


@dataclass(frozen=True, slots=True)
class SubjectValue:
    pk: Any
    key_id: uuid.UUID | None
    # The plaintext; None when it cannot be read (no key, key destroyed, ciphertext does not authenticate) or empty.
    value: Any


def subjects_field_values(*, model: type[EncryptedModel], field_name: str, pks: Sequence[Any]) -> list[SubjectValue]:
    """One encrypted field of many subjects, with their data-key ids, opened without building model instances: one
    query reads the sealed values together with the wrapped keys, and each key is unwrapped once, outside the cache
    (a bulk job such as the retention sweep opens each key once). For models whose rows are bound to their own data
    key, as debtors are (``EncryptedModel.encryption_row_key`` not overridden)."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, EncryptedTextField) or model.encryption_row_key is not EncryptedModel.encryption_row_key:
        raise TypeError(f"{model._meta.label}.{field_name} is not an encrypted field bound to its subject's own key")
    key = KEY_ATTNAME.removesuffix("_id")
    rows = list(
        model._default_manager.filter(AnyKey(F("pk"), pks)).values_list(
            "pk", KEY_ATTNAME, field.attname, f"{key}__wrapped_key", f"{key}__master_version"
        )
    )
    ciphers = keyring.data_keys_unwrap((key_id, wrapped, version) for _, key_id, _, wrapped, version in rows if key_id)
    label = model._meta.label_lower
    found = []
    for pk, key_id, sealed, _, _ in rows:
        cipher = ciphers.get(key_id) if key_id else None
        value = None
        if sealed and cipher is not None:
            try:
                value = field.decode(
                    primitives.unseal(cipher, sealed, primitives.associated_data(label, field_name, str(key_id)))
                )
            except primitives.DecryptionFailed:
                logger.error("%s.%s of %s does not authenticate", model._meta.label, field_name, pk)
        found.append(SubjectValue(pk, key_id, value))
    return found
