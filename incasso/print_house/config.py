"""The print house's connection settings, read once per run.

A value set in Django's settings wins; otherwise it comes from the environment (``config.env`` readers, so a
malformed value stops the run with the variable's name). Nothing here has an insecure default: without a host
key the client refuses to connect rather than trust whatever answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from config.env import EnvError, env_secret, env_str


class PrintHouseNotConfigured(RuntimeError):
    """A setting the print house connection needs is missing."""


@dataclass(frozen=True, slots=True)
class PrintHouseSettings:
    host: str
    port: int
    username: str
    # The server's public key as in known_hosts without the host name: "ssh-rsa AAAA...".
    host_key: str
    key_file: str
    key_passphrase: str | None
    upload_dir: str
    reports_dir: str
    timeout: float  # seconds, for the TCP connect, the SSH banner, authentication and every SFTP request
    retries: int  # extra attempts to connect within one run
    backoff: float  # seconds before the first retry; doubled for each next one


def _value(name: str, default: str | None = None) -> str:
    configured: Any = getattr(settings, name, None)
    if configured is not None:
        return str(configured)
    try:
        return env_str(name, default)
    except EnvError:
        raise PrintHouseNotConfigured(f"{name} must be set to reach the print house") from None


def _number(name: str, default: str) -> float:
    raw = _value(name, default)
    try:
        return float(raw)
    except ValueError:
        raise PrintHouseNotConfigured(f"{name} must be a number, got {raw!r}") from None


def print_house_settings() -> PrintHouseSettings:
    configured_passphrase: Any = getattr(settings, "INCASSO_PRINT_HOUSE_KEY_PASSPHRASE", None)
    return PrintHouseSettings(
        host=_value("INCASSO_PRINT_HOUSE_HOST"),
        port=int(_number("INCASSO_PRINT_HOUSE_PORT", "22")),
        username=_value("INCASSO_PRINT_HOUSE_USERNAME"),
        host_key=_value("INCASSO_PRINT_HOUSE_HOST_KEY"),
        key_file=_value("INCASSO_PRINT_HOUSE_KEY_FILE"),
        key_passphrase=(
            str(configured_passphrase)
            if configured_passphrase is not None
            else env_secret("INCASSO_PRINT_HOUSE_KEY_PASSPHRASE")
        ),
        upload_dir=_value("INCASSO_PRINT_HOUSE_UPLOAD_DIR", "upload"),
        reports_dir=_value("INCASSO_PRINT_HOUSE_REPORTS_DIR", "reports"),
        timeout=_number("INCASSO_PRINT_HOUSE_TIMEOUT", "30"),
        retries=int(_number("INCASSO_PRINT_HOUSE_RETRIES", "3")),
        backoff=_number("INCASSO_PRINT_HOUSE_BACKOFF", "1"),
    )
