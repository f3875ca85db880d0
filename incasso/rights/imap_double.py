"""A local IMAP4rev1 server for tests and demos: the subset the privacy mailbox uses, over TLS, on 127.0.0.1.

LOGIN, SELECT, SEARCH UNSEEN, FETCH (RFC822 or BODY.PEEK[] / BODY[]), STORE +FLAGS (\\Seen), CAPABILITY, NOOP,
STARTTLS and LOGOUT. Either IMAPS (TLS from the first byte) or a plain port that must be upgraded with STARTTLS
before LOGIN (LOGINDISABLED until then), as a real server would insist.
"""

from __future__ import annotations

import re
import socketserver
import ssl
import threading
from dataclasses import dataclass, field
from typing import Any, BinaryIO

_COMMAND = re.compile(rb"^(\S+) (\S+)(?: (.*))?$")


@dataclass
class StoredMessage:
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class Mailbox:
    user: str
    password: str
    messages: list[StoredMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver(self, raw: bytes) -> None:
        with self.lock:
            self.messages.append(StoredMessage(raw))


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def setup(self) -> None:
        if self.server.implicit_tls:
            self.request = self.server.tls.wrap_socket(self.request, server_side=True)
        super().setup()
        self.tls = self.server.implicit_tls
        self.authenticated = False
        self.selected = False

    def _send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        self._send("* OK IMAP4rev1 test double ready")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            match = _COMMAND.match(line.rstrip(b"\r\n"))
            if match is None:
                self._send("* BAD unparsable")
                continue
            tag, name, args = match.group(1).decode(), match.group(2).decode().upper(), (match.group(3) or b"").decode()
            if not self._command(tag, name, args):
                return

    def _capabilities(self) -> str:
        caps = "IMAP4rev1"
        if not self.tls:
            caps += " STARTTLS LOGINDISABLED"
        return caps

    def _command(self, tag: str, name: str, args: str) -> bool:
        box = self.server.mailbox
        if name == "CAPABILITY":
            self._send(f"* CAPABILITY {self._capabilities()}")
        elif name == "NOOP":
            pass
        elif name == "LOGOUT":
            self._send("* BYE logging out")
            self._send(f"{tag} OK LOGOUT completed")
            return False
        elif name == "STARTTLS" and not self.tls:
            self._send(f"{tag} OK begin TLS")
            self.wfile.flush()
            self.request = self.server.tls.wrap_socket(self.connection, server_side=True)
            self.connection = self.request
            self.rfile: BinaryIO = self.request.makefile("rb")  # type: ignore[assignment]
            self.wfile: BinaryIO = _Writer(self.request)  # type: ignore[assignment]
            self.tls = True
            return True
        elif name == "LOGIN":
            if not self.tls:
                self._send(f"{tag} NO LOGIN only over TLS")
                return True
            parts = [p.strip('"') for p in args.split(" ")]
            if parts[:2] != [box.user, box.password]:
                self._send(f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials")
                return True
            self.authenticated = True
        elif not self.authenticated:
            self._send(f"{tag} BAD log in first")
            return True
        elif name == "SELECT":
            self.selected = True
            self._send(f"* {len(box.messages)} EXISTS")
            self._send("* FLAGS (\\Seen)")
            self._send(f"{tag} OK [READ-WRITE] SELECT completed")
            return True
        elif not self.selected:
            self._send(f"{tag} BAD select a mailbox first")
            return True
        elif name == "SEARCH":
            with box.lock:
                unseen = [str(i + 1) for i, m in enumerate(box.messages) if "\\Seen" not in m.flags]
            self._send(("* SEARCH " + " ".join(unseen)).rstrip())
        elif name == "FETCH":
            number, _, item = args.partition(" ")
            message = box.messages[int(number) - 1]
            peek = "PEEK" in item.upper()
            self._send(f"* {number} FETCH (RFC822 {{{len(message.raw)}}}".encode())
            self.wfile.write(message.raw)
            self._send(")")
            if not peek:
                message.flags.add("\\Seen")
        elif name == "STORE":
            number, _, rest = args.partition(" ")
            with box.lock:
                message = box.messages[int(number) - 1]
                if "\\SEEN" in rest.upper():
                    message.flags.add("\\Seen")
            self._send(f"* {number} FETCH (FLAGS ({' '.join(sorted(message.flags))}))")
        else:
            self._send(f"{tag} BAD unknown command {name}")
            return True
        self._send(f"{tag} OK {name} completed")
        return True


class _Writer:
    """An unbuffered writer on a TLS socket after STARTTLS."""

    def __init__(self, sock: Any) -> None:
        self.sock = sock

    def write(self, data: bytes) -> int:
        self.sock.sendall(data)
        return len(data)

    closed = False

    def flush(self) -> None:
        return None

    def close(self) -> None:
        self.closed = True


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mailbox: Mailbox, tls: ssl.SSLContext, implicit_tls: bool) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mailbox = mailbox
        self.tls = tls
        self.implicit_tls = implicit_tls


class ImapDouble:
    """``with ImapDouble(mailbox, cert_file, key_file) as server: server.port`` — serves until the block ends."""

    def __init__(self, mailbox: Mailbox, cert_file: str, key_file: str, *, implicit_tls: bool = True) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        self._server = _Server(mailbox, context, implicit_tls)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def __enter__(self) -> ImapDouble:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
