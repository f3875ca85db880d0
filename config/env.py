"""Typed readers for settings that come from the environment.

Each reader fails loudly with the variable's name when a value is malformed, so a typo in production
stops the start-up instead of silently running with a default. A secret can also be given as
``NAME_FILE`` pointing at a file (Docker/Kubernetes secrets); the file wins over nothing, but setting both
is an error because it is ambiguous.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from pathlib import Path


class EnvError(ValueError):
    """A setting in the environment is missing or malformed."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    value = environ.get(name)
    if value is None:
        if default is None:
            raise EnvError(f"{name} must be set")
        return default
    return value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise EnvError(f"{name} must be one of {sorted(_TRUE | _FALSE - {''})}, got {raw!r}")


def env_int(name: str, default: int, *, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise EnvError(f"{name} must be an integer, got {raw!r}") from None


def env_list(name: str, default: list[str], *, environ: Mapping[str, str] | None = None) -> list[str]:
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, *, environ: Mapping[str, str] | None = None) -> str | None:
    """Return a secret from ``NAME`` or from the file named by ``NAME_FILE``; ``None`` when neither is set."""
    environ = os.environ if environ is None else environ
    direct = environ.get(name)
    file_name = environ.get(f"{name}_FILE")
    if direct is not None and file_name is not None:
        raise EnvError(f"set {name} or {name}_FILE, not both")
    if file_name is not None:
        path = Path(file_name)
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise EnvError(f"{name}_FILE={file_name!r} cannot be read: {exc.strerror}") from None
        if not value:
            raise EnvError(f"{name}_FILE={file_name!r} is empty")
        return value
    if direct is not None and not direct.strip():
        raise EnvError(f"{name} is set but empty")
    return direct


def env_keyring(name: str, *, environ: Mapping[str, str] | None = None, length: int = 32) -> list[tuple[str, bytes]]:
    """Versioned keys from ``NAME`` (or ``NAME_FILE``): ``version:base64key,version:base64key``; the first is current.

    Each key must decode to ``length`` bytes and each version name must be unique; an empty list when unset.
    """
    raw = env_secret(name, environ=environ)
    if raw is None:
        return []
    keys: list[tuple[str, bytes]] = []
    for item in (part.strip() for part in raw.split(",")):
        version, sep, encoded = item.partition(":")
        version = version.strip()
        if not sep or not version or not version.replace("-", "").replace("_", "").isalnum():
            raise EnvError(f"{name} must be comma-separated version:base64key pairs, got an item {version!r}")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise EnvError(f"{name}: the key of version {version!r} is not base64") from None
        if len(key) != length:
            raise EnvError(f"{name}: the key of version {version!r} must be {length} bytes, got {len(key)}")
        if any(version == known for known, _ in keys):
            raise EnvError(f"{name}: version {version!r} is given twice")
        keys.append((version, key))
    return keys
