"""A local SFTP server standing in for the print house, for tests and demos: real SSH, real SFTP, one directory.

It listens on 127.0.0.1 on a free port, presents a freshly generated RSA host key, and lets in only the client
key it was given. Files live under ``root``; paths the client sends are resolved inside it and cannot escape.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from pathlib import Path
from typing import Any

import paramiko
from paramiko.common import AUTH_FAILED, AUTH_SUCCESSFUL, OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED, OPEN_SUCCEEDED
from paramiko.sftp import SFTP_FAILURE, SFTP_OK
from paramiko.sftp_attr import SFTPAttributes
from paramiko.sftp_handle import SFTPHandle
from paramiko.sftp_si import SFTPServerInterface

HOST = "127.0.0.1"


class _Server(paramiko.ServerInterface):
    def __init__(self, username: str, client_key: paramiko.PKey) -> None:
        self._username, self._client_key = username, client_key

    def get_allowed_auths(self, username: str) -> str:
        return "publickey"

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        if username == self._username and key == self._client_key:
            return AUTH_SUCCESSFUL
        return AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return OPEN_SUCCEEDED
        return OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED


class _Handle(SFTPHandle):
    def __init__(self, flags: int, handle: Any) -> None:
        super().__init__(flags)
        self.readfile = handle
        self.writefile = handle

    def stat(self) -> SFTPAttributes | int:
        try:
            return SFTPAttributes.from_stat(os.fstat(self.readfile.fileno()))
        except OSError as exc:
            return SFTPServer.convert_errno(exc.errno or 1)


SFTPServer = paramiko.SFTPServer


class _Sftp(SFTPServerInterface):
    def __init__(self, server: paramiko.ServerInterface, *args: Any, root: Path, **kwargs: Any) -> None:
        super().__init__(server, *args, **kwargs)
        self._root = root.resolve()

    def _local(self, path: str) -> Path:
        local = (self._root / path.lstrip("/")).resolve()
        if local != self._root and self._root not in local.parents:
            raise PermissionError(path)
        return local

    def _errno(self, exc: OSError) -> int:
        return SFTPServer.convert_errno(exc.errno or 1)

    def canonicalize(self, path: str) -> str:
        relative = self._local(path).relative_to(self._root).as_posix()
        return "/" if relative == "." else f"/{relative}"

    def list_folder(self, path: str) -> list[SFTPAttributes] | int:
        try:
            local = self._local(path)
            entries = []
            for name in sorted(os.listdir(local)):
                attr = SFTPAttributes.from_stat(os.stat(local / name))
                attr.filename = name
                entries.append(attr)
            return entries
        except OSError as exc:
            return self._errno(exc)

    def stat(self, path: str) -> SFTPAttributes | int:
        try:
            return SFTPAttributes.from_stat(os.stat(self._local(path)))
        except OSError as exc:
            return self._errno(exc)

    lstat = stat

    def open(self, path: str, flags: int, attr: SFTPAttributes) -> SFTPHandle | int:
        try:
            local = self._local(path)
            fd = os.open(local, flags | getattr(os, "O_BINARY", 0), 0o640)
        except OSError as exc:
            return self._errno(exc)
        if flags & os.O_WRONLY:
            mode = "ab" if flags & os.O_APPEND else "wb"
        elif flags & os.O_RDWR:
            mode = "a+b" if flags & os.O_APPEND else "r+b"
        else:
            mode = "rb"
        return _Handle(flags, os.fdopen(fd, mode))

    def remove(self, path: str) -> int:
        try:
            os.remove(self._local(path))
        except OSError as exc:
            return self._errno(exc)
        return SFTP_OK

    def rename(self, oldpath: str, newpath: str) -> int:
        target = self._local(newpath)
        if target.exists():
            return SFTP_FAILURE  # SFTP v3 rename never overwrites (as OpenSSH)
        return self.posix_rename(oldpath, newpath)

    def posix_rename(self, oldpath: str, newpath: str) -> int:
        try:
            os.replace(self._local(oldpath), self._local(newpath))
        except OSError as exc:
            return self._errno(exc)
        return SFTP_OK

    def mkdir(self, path: str, attr: SFTPAttributes) -> int:
        try:
            os.mkdir(self._local(path))
        except OSError as exc:
            return self._errno(exc)
        return SFTP_OK

    def rmdir(self, path: str) -> int:
        try:
            os.rmdir(self._local(path))
        except OSError as exc:
            return self._errno(exc)
        return SFTP_OK

    def chattr(self, path: str, attr: SFTPAttributes) -> int:
        return SFTP_OK


class SftpDouble:
    """The print house's SFTP server on 127.0.0.1. Use as a context manager, or ``start()`` / ``stop()``."""

    def __init__(
        self, root: Path, *, client_key: paramiko.PKey, username: str = "incasso", host_key: paramiko.PKey | None = None
    ) -> None:
        self.root, self.username, self.client_key = root, username, client_key
        self.host_key: paramiko.PKey = host_key or paramiko.RSAKey.generate(2048)
        self.port = 0
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._transports: list[paramiko.Transport] = []
        self._stopping = threading.Event()

    def start(self, port: int = 0) -> SftpDouble:
        self._stopping.clear()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, port))
        listener.listen(8)
        listener.settimeout(0.2)
        self._listener, self.port = listener, listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="sftp-double", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._listener is not None:
            self._listener.close()
        for transport in self._transports:
            transport.close()
        self._transports.clear()
        self._listener, self._thread = None, None

    def __enter__(self) -> SftpDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def host_key_line(self) -> str:
        return f"{self.host_key.get_name()} {self.host_key.get_base64()}"

    def _serve(self) -> None:
        assert self._listener is not None  # noqa: S101 - set by start()
        while not self._stopping.is_set():
            try:
                connection, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            transport = paramiko.Transport(connection)
            transport.add_server_key(self.host_key)
            transport.set_subsystem_handler("sftp", paramiko.SFTPServer, _Sftp, root=self.root)
            self._transports.append(transport)
            with contextlib.suppress(paramiko.SSHException, EOFError, OSError):
                transport.start_server(server=_Server(self.username, self.client_key))
