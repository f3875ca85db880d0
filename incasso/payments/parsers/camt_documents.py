"""Several XML documents in one file, one after another: some banks' exports (and files joined by hand) do that.

An XML parser stops at the second ``<?xml`` declaration; this splitter hands the camt reader one document at a
time, as a stream, so the whole file is never held in memory. A declaration can only start a document (inside
one it is a syntax error), so each one after the first begins the next document.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

DECLARATION = b"<?xml"
CHUNK = 1 << 16


class _Splitter:
    """The shared read-ahead of one file: bytes read but not yet handed to a document stay in ``_buffer``."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._buffer = b""
        self._eof = False
        self._ended = False
        self._started = False

    def _fill(self, size: int) -> None:
        while not self._eof and len(self._buffer) < size:
            chunk = self._stream.read(max(CHUNK, size - len(self._buffer)))
            if not chunk:
                self._eof = True
            self._buffer += chunk

    def start(self) -> bool:
        """Begin the next document; False when only whitespace (or nothing) is left."""
        self._fill(len(DECLARATION) + len(codecs.BOM_UTF8))
        while True:
            stripped = self._buffer.removeprefix(codecs.BOM_UTF8).lstrip()
            if stripped or self._eof:
                break
            self._buffer = b""
            self._fill(CHUNK)
        self._buffer = stripped
        self._ended, self._started = not stripped, bool(stripped)
        return bool(stripped)

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes of the current document, never past the next document's declaration."""
        if self._ended:
            return b""
        size = size if size > 0 else CHUNK
        self._fill(size + len(DECLARATION))
        skip = len(DECLARATION) if self._started and self._buffer.startswith(DECLARATION) else 0
        self._started = False
        found = self._buffer.find(DECLARATION, skip, size + len(DECLARATION))
        if 0 <= found <= size:
            part, self._buffer = self._buffer[:found], self._buffer[found:]
            self._ended = True
            return part
        keep = 0 if self._eof else len(DECLARATION) - 1
        end = max(min(size, len(self._buffer) - keep), 1 if self._buffer else 0)
        part, self._buffer = self._buffer[:end], self._buffer[end:]
        if not part:
            self._ended = True
        return part


class Document:
    """A file-like view of one document (all lxml's ``iterparse`` needs is ``read``)."""

    def __init__(self, splitter: _Splitter) -> None:
        self._splitter = splitter

    def read(self, size: int = -1) -> bytes:
        return self._splitter.read(size)


def split_documents(stream: BinaryIO) -> Iterator[Document]:
    """Each XML document in ``stream``, in order; a file of one document gives that one (an empty file: none is
    given, and the reader then reports the file as holding no XML)."""
    splitter = _Splitter(stream)
    first = True
    while splitter.start() or first:
        first = False
        yield Document(splitter)
        while splitter.read(CHUNK):  # whatever the reader left unread of this document
            pass
