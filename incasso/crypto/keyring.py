"""Master keys from the settings and the per-process cache of unwrapped data keys.

Reading N subjects costs one key query, not N: every subject row built from the database (directly, through
``select_related`` or a prefetch) notes its key id as pending, and the first key lookup that misses the cache loads
all pending keys with one query. The cache is bounded in size and age; a destroyed key is cached as destroyed.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from incasso.crypto import primitives
from incasso.crypto.models import DataKey, RetiredMasterKey

logger = logging.getLogger(__name__)

# Keys loaded per query when many are pending (a parameter list SQLite and PostgreSQL both take).
LOAD_BATCH = 2_000


@dataclass(frozen=True, slots=True)
class MasterKeys:
    current_version: str
    keys: dict[str, bytes]

    def key(self, version: str) -> bytes | None:
        return self.keys.get(version)


def master_keys() -> MasterKeys:
    configured: list[tuple[str, bytes]] = settings.INCASSO_MASTER_KEYS
    return MasterKeys(current_version=configured[0][0], keys=dict(configured))


def retired_versions() -> set[str]:
    return set(RetiredMasterKey.objects.values_list("version", flat=True))


@functools.cache
def _index_key(root: bytes, purpose: str) -> bytes:
    return primitives.index_key_derive(root, purpose)


def index_key(purpose: str) -> bytes:
    return _index_key(settings.INCASSO_BLIND_INDEX_KEY, purpose)


@functools.cache
def _indexer(root: bytes, purpose: str) -> primitives.BlindIndexer:
    return primitives.BlindIndexer(_index_key(root, purpose))


def indexer(purpose: str) -> primitives.BlindIndexer:
    """``blind_index`` of one purpose as a callable, for callers that index many values."""
    return _indexer(settings.INCASSO_BLIND_INDEX_KEY, purpose)


def blind_index(purpose: str, normalised: str) -> str:
    return indexer(purpose)(normalised)


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: OrderedDict[uuid.UUID, tuple[AESGCM | None, float]] = OrderedDict()
        self.local = threading.local()

    def pending(self) -> set[uuid.UUID]:
        found: set[uuid.UUID] | None = getattr(self.local, "pending", None)
        if found is None:
            found = self.local.pending = set()
        return found

    def get(self, key_id: uuid.UUID) -> tuple[bool, AESGCM | None]:
        with self.lock:
            entry = self.entries.get(key_id)
            if entry is None or entry[1] < time.monotonic():
                return False, None
            self.entries.move_to_end(key_id)
            return True, entry[0]

    def put(self, key_id: uuid.UUID, cipher: AESGCM | None) -> None:
        expires = time.monotonic() + settings.INCASSO_DATA_KEY_CACHE_SECONDS
        with self.lock:
            self.entries[key_id] = (cipher, expires)
            self.entries.move_to_end(key_id)
            while len(self.entries) > settings.INCASSO_DATA_KEY_CACHE_SIZE:
                self.entries.popitem(last=False)

    def forget(self, key_id: uuid.UUID) -> None:
        with self.lock:
            self.entries.pop(key_id, None)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
        self.pending().clear()


_cache = _Cache()


def key_note_pending(key_id: uuid.UUID | None) -> None:
    """Called for each subject row read from the database; bounded so a long-lived process never hoards ids."""
    if key_id is not None:
        pending = _cache.pending()
        if len(pending) < settings.INCASSO_DATA_KEY_CACHE_SIZE:
            pending.add(key_id)


def key_remember(key_id: uuid.UUID, data_key: bytes) -> None:
    _cache.put(key_id, AESGCM(data_key))


def key_forget(key_id: uuid.UUID) -> None:
    _cache.forget(key_id)


def keys_cache_clear() -> None:
    _cache.clear()


def cipher_for(key_id: uuid.UUID) -> AESGCM | None:
    """The AES-GCM cipher of a data key; None when the key is destroyed, unknown or its master key is gone."""
    hit, cipher = _cache.get(key_id)
    if hit:
        return cipher
    pending = _cache.pending()
    wanted = [key_id, *(other for other in pending if other != key_id)][:LOAD_BATCH]
    pending.difference_update(wanted)
    # One query: a key wrapped under a retired master version is as good as gone, whatever the environment says.
    loaded = {
        row.pk: row
        for row in DataKey.objects.filter(pk__in=wanted).exclude(
            master_version__in=RetiredMasterKey.objects.values("version")
        )
    }
    masters = master_keys()
    for wanted_id in wanted:
        row = loaded.get(wanted_id)
        _cache.put(wanted_id, _unwrap(row, masters) if row is not None else None)
    return _cache.get(key_id)[1]


def data_keys_unwrap(rows: Iterable[tuple[uuid.UUID, bytes | None, str]]) -> dict[uuid.UUID, AESGCM | None]:
    """The ciphers of many data keys the caller has read itself (id, wrapped key, master version), for a bulk job
    that opens each key once: the cache is neither read nor filled. As ``cipher_for``: a destroyed key, one wrapped
    under a retired or unconfigured master version, or one that does not unwrap gives None."""
    masters = master_keys()
    retired = retired_versions()
    ciphers = {version: AESGCM(key) for version, key in masters.keys.items() if version not in retired}
    opened: dict[uuid.UUID, AESGCM | None] = {}
    for key_id, wrapped, version in rows:
        master = ciphers.get(version)
        if wrapped is None or master is None:
            opened[key_id] = None
            continue
        try:
            opened[key_id] = AESGCM(primitives.key_unwrap_with(master, key_id, bytes(wrapped)))
        except primitives.DecryptionFailed:
            logger.error("data key %s does not unwrap under master key %r", key_id, version)
            opened[key_id] = None
    return opened


def _unwrap(row: DataKey, masters: MasterKeys) -> AESGCM | None:
    if row.wrapped_key is None:
        return None
    master = masters.key(row.master_version)
    if master is None:
        logger.error("data key %s is wrapped under master key %r, which is not available", row.pk, row.master_version)
        return None
    try:
        return AESGCM(primitives.key_unwrap(master, row.pk, bytes(row.wrapped_key)))
    except primitives.DecryptionFailed:
        logger.error("data key %s does not unwrap under master key %r", row.pk, row.master_version)
        return None


def data_key_new(subject_type: str) -> tuple[DataKey, bytes]:
    """A new, unsaved data key wrapped under the current master key, and its plain key (cached)."""
    masters = master_keys()
    key_id = uuid.uuid4()
    plain = primitives.data_key_generate()
    wrapped = primitives.key_wrap(masters.keys[masters.current_version], key_id, plain)
    key_remember(key_id, plain)
    return DataKey(
        id=key_id, subject_type=subject_type, wrapped_key=wrapped, master_version=masters.current_version
    ), plain
