"""The backup file: an age file (https://age-encryption.org/v1, through ``pyrage``) whose plaintext is a one-line JSON
manifest followed by the database's own dump.

age seals the stream in 64 KiB chunks, each authenticated (ChaCha20-Poly1305), the last one marked as last, so a
changed, cut or foreign file fails to decrypt; both directions stream, so memory stays flat whatever the database's
size. The manifest is inside the encryption: the backup's time cannot be changed without the key either.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyrage

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

FORMAT = "incasso-backup/2"
# The first format recorded no schema: its backups were made by the code of the day the app was added, and are
# refused rather than guessed at (restore one with that code).
FORMATS_WITHOUT_SCHEMA = ("incasso-backup/1",)
MANIFEST_LIMIT = 64 * 1024


class BackupRefused(Exception):
    """A backup that cannot be made or restored as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    """What the backup holds: when it was taken (before the dump began), from which kind of database, the schema
    it has (the migrations applied, ``app.name``) and the version of the code that made it."""

    created_at: datetime
    vendor: str
    migrations: tuple[str, ...] = ()
    app_version: str = ""

    def encode(self) -> bytes:
        fields = {
            "format": FORMAT,
            "created_at": self.created_at.isoformat(),
            "vendor": self.vendor,
            "migrations": sorted(self.migrations),
            "app_version": self.app_version,
        }
        return json.dumps(fields, sort_keys=True).encode() + b"\n"

    @classmethod
    def decode(cls, line: bytes) -> Manifest:
        try:
            fields = json.loads(line)
            if fields["format"] in FORMATS_WITHOUT_SCHEMA:
                raise BackupRefused(
                    f"this backup ({fields['format']}) does not record its schema: restore it with the code version "
                    "that made it, then `incasso migrate`"
                )
            if fields["format"] != FORMAT:
                raise BackupRefused(f"not a backup of this kind: {fields['format']!r} (expected {FORMAT})")
            created_at = datetime.fromisoformat(fields["created_at"])
            vendor = str(fields["vendor"])
            migrations = tuple(str(name) for name in fields["migrations"])
            app_version = str(fields["app_version"])
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupRefused("the backup's manifest is unreadable") from exc
        if created_at.tzinfo is None:
            raise BackupRefused("the backup's time has no time zone")
        return cls(created_at=created_at, vendor=vendor, migrations=migrations, app_version=app_version)


def identity_parse(secret: str) -> Any:
    """The age identity (``AGE-SECRET-KEY-1...``) the backup key is."""
    try:
        return pyrage.x25519.Identity.from_str(secret.strip())
    except pyrage.IdentityError:
        raise BackupRefused("INCASSO_BACKUP_KEY is not an age secret key (AGE-SECRET-KEY-1...)") from None


def identity_generate() -> str:
    return str(pyrage.x25519.Identity.generate())


class _Prefixed(io.RawIOBase):
    """The manifest, then the dump as it is read: what is encrypted, without holding the dump in memory."""

    def __init__(self, prefix: bytes, rest: IO[bytes]) -> None:
        self._prefix = prefix
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        if self._prefix:
            size = min(len(view), len(self._prefix))
            view[:size], self._prefix = self._prefix[:size], self._prefix[size:]
            return size
        chunk = self._rest.read(len(view))
        view[: len(chunk)] = chunk
        return len(chunk)


def archive_write(*, out: Path, manifest: Manifest, dump: IO[bytes], identity: Any) -> None:
    """Encrypt the manifest and the dump, as it is read, to ``out`` (readable by its owner only)."""
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as target:
        pyrage.encrypt_io(_Prefixed(manifest.encode(), dump), target, [identity.to_public()])


class _ManifestSplitter(io.RawIOBase):
    """Receives the decrypted stream: the first line is the manifest, the rest goes to the payload file."""

    def __init__(self, payload: IO[bytes]) -> None:
        self._payload = payload
        self._head = bytearray()
        self.manifest_line: bytes | None = None
        # An error of our own (writing the payload): pyrage reports every failure as OSError, this tells them apart.
        self.error: BaseException | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        try:
            return self._write(data)
        except BaseException as exc:
            self.error = exc
            raise

    def _write(self, data: ReadableBuffer) -> int:
        chunk = bytes(data)
        if self.manifest_line is None:
            end = chunk.find(b"\n")
            if len(self._head) + (len(chunk) if end < 0 else end) > MANIFEST_LIMIT:
                raise BackupRefused("the backup has no manifest")
            if end < 0:
                self._head += chunk
                return len(chunk)
            self.manifest_line = bytes(self._head + chunk[:end])
            chunk = chunk[end + 1 :]
        self._payload.write(chunk)
        return memoryview(data).nbytes


def archive_read(*, path: Path, payload: Path, identity: Any) -> Manifest:
    """Decrypt the whole backup, checking every chunk, with the dump written to ``payload``; nothing is restored
    from a file that did not decrypt to its end."""
    try:
        source = path.open("rb")
    except OSError as exc:
        raise BackupRefused(f"cannot read {path}: {exc.strerror}") from None
    descriptor = os.open(payload, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with source, os.fdopen(descriptor, "wb") as target:
        splitter = _ManifestSplitter(target)
        try:
            pyrage.decrypt_io(source, splitter, [identity])
        except (pyrage.DecryptError, OSError) as exc:
            if splitter.error is not None:
                raise splitter.error from None
            raise BackupRefused(
                f"{path} cannot be decrypted with INCASSO_BACKUP_KEY: a different key, or the file was changed or "
                f"cut off ({exc})"
            ) from None
    if splitter.manifest_line is None:
        raise BackupRefused("the backup has no manifest")
    return Manifest.decode(splitter.manifest_line)
