"""Reads of the crypto app: the state of the data keys and master keys, for `incasso keys status`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from incasso.crypto import keyring
from incasso.crypto.models import DataKey


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
