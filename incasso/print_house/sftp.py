"""The SFTP client for the print house (paramiko): verified host key, key-based log-in, timeouts, retries.

The server must present exactly the key in ``INCASSO_PRINT_HOUSE_HOST_KEY``; any other key, or none on file, is
refused (``RejectPolicy``; never ``AutoAddPolicy``). Every file is uploaded under a temporary name and renamed
into place, so the print house never sees half a file.

Connecting is retried with exponential back-off within a run (``INCASSO_PRINT_HOUSE_RETRIES`` /
``_BACKOFF``); a refused host key is never retried. A failure after that is the caller's to record: the work
stays queued for the next run.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import posixpath
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import paramiko

from incasso.print_house.config import PrintHouseSettings

logger = logging.getLogger(__name__)


class PrintHouseError(Exception):
    """The print house's server could not be reached, refused us, or a transfer failed."""


class HostKeyRefused(PrintHouseError):
    """The server's host key is not the one on file: maybe not the print house at all. Never retried."""


def host_key_parse(line: str) -> paramiko.PKey:
    """A public key written as in known_hosts without the host name: ``"ssh-rsa AAAA..."``."""
    parts = line.split()
    if len(parts) < 2:
        raise PrintHouseError("INCASSO_PRINT_HOUSE_HOST_KEY must read '<key type> <base64 key>'")
    try:
        return paramiko.PKey.from_type_string(parts[0], base64.b64decode(parts[1], validate=True))
    except (binascii.Error, paramiko.SSHException, ValueError) as exc:
        raise PrintHouseError(f"INCASSO_PRINT_HOUSE_HOST_KEY is not a valid public key: {exc}") from None


def host_key_line(key: paramiko.PKey) -> str:
    """The form ``host_key_parse`` reads, for configuring the setting from a server key."""
    return f"{key.get_name()} {key.get_base64()}"


class PrintHouseSftp:
    """An open SFTP session on the print house's server. Paths are relative to the log-in directory."""

    def __init__(self, sftp: paramiko.SFTPClient) -> None:
        self._sftp = sftp

    def directory_ensure(self, path: str) -> None:
        current = ""
        for part in [p for p in path.split("/") if p]:
            current = posixpath.join(current, part)
            try:
                self._sftp.stat(current)
            except FileNotFoundError:
                self._sftp.mkdir(current)

    def upload_atomic(self, path: str, data: bytes) -> None:
        """Write ``data`` to a temporary name beside ``path``, check its size, then rename it into place."""
        directory, name = posixpath.split(path)
        temporary = posixpath.join(directory, f".{name}.part")
        self._sftp.putfo(io.BytesIO(data), temporary, file_size=len(data), confirm=True)
        # posix-rename (OpenSSH's extension) replaces a file left by an earlier attempt; plain rename would not.
        self._sftp.posix_rename(temporary, path)

    def files_list(self, directory: str) -> list[str]:
        """The regular files in ``directory`` (not sub-directories, not hidden partial uploads), sorted."""
        try:
            entries = self._sftp.listdir_attr(directory)
        except FileNotFoundError:
            return []
        return sorted(
            e.filename
            for e in entries
            if e.st_mode is not None and stat.S_ISREG(e.st_mode) and not e.filename.startswith(".")
        )

    def read(self, path: str) -> bytes:
        buffer = io.BytesIO()
        self._sftp.getfo(path, buffer)
        return buffer.getvalue()

    def move(self, source: str, target: str) -> None:
        self._sftp.posix_rename(source, target)


def _client_connect(config: PrintHouseSettings, private_key: paramiko.PKey) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    # Only the key on file is trusted: an unknown or different key fails the connection.
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    known_as = config.host if config.port == 22 else f"[{config.host}]:{config.port}"
    expected = host_key_parse(config.host_key)
    client.get_host_keys().add(known_as, expected.get_name(), expected)
    try:
        client.connect(
            config.host,
            port=config.port,
            username=config.username,
            pkey=private_key,
            timeout=config.timeout,
            banner_timeout=config.timeout,
            auth_timeout=config.timeout,
            channel_timeout=config.timeout,
            allow_agent=False,
            look_for_keys=False,
        )
    except paramiko.BadHostKeyException as exc:
        client.close()
        raise HostKeyRefused(f"the server at {known_as} presented a host key that is not the one on file") from exc
    except paramiko.AuthenticationException as exc:
        client.close()
        raise PrintHouseError(f"the print house refused our key: {exc}") from exc
    except paramiko.SSHException as exc:
        client.close()
        if "known_hosts" in str(exc):  # RejectPolicy: the server offered a key type we hold no key of
            raise HostKeyRefused(f"the server at {known_as} presented a host key that is not on file") from exc
        raise PrintHouseError(f"SSH failed: {exc}") from exc
    except (OSError, EOFError) as exc:
        client.close()
        raise PrintHouseError(f"cannot reach {config.host}:{config.port}: {exc}") from exc
    return client


def _private_key(config: PrintHouseSettings) -> paramiko.PKey:
    try:
        return paramiko.PKey.from_path(config.key_file, password=config.key_passphrase)
    except (OSError, paramiko.SSHException, ValueError) as exc:
        raise PrintHouseError(f"cannot load the private key {config.key_file!r}: {exc}") from exc


@contextmanager
def print_house_connect(
    config: PrintHouseSettings, *, sleep: Callable[[float], None] = time.sleep
) -> Iterator[PrintHouseSftp]:
    """An SFTP session on the print house's server, connected with retries; raises ``PrintHouseError``."""
    private_key = _private_key(config)
    delay = config.backoff
    for attempt in range(config.retries + 1):
        try:
            client = _client_connect(config, private_key)
            break
        except HostKeyRefused:
            raise
        except PrintHouseError as exc:
            if attempt == config.retries:
                raise
            logger.warning("print house connect failed (attempt %d), retrying in %.1fs: %s", attempt + 1, delay, exc)
            sleep(delay)
            delay *= 2
    try:
        sftp = client.open_sftp()
        channel = sftp.get_channel()
        if channel is not None:
            channel.settimeout(config.timeout)
        try:
            yield PrintHouseSftp(sftp)
        finally:
            sftp.close()
    except (OSError, EOFError, paramiko.SSHException) as exc:
        raise PrintHouseError(f"SFTP failed: {exc}") from exc
    finally:
        client.close()
