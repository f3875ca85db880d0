"""Damage done to a valid file the ways files arrive damaged or hostile: the one strategy every reader's fuzz test
uses (claims CSV and UBL here, bank statements in payments), with a test that each kind of damage happens.

A mutation is chosen, then its place and content: cut short, bytes flipped or put in, the text re-encoded (UTF-16
with and without byte order mark, Latin-1), a BOM put in front, line ends made CR LF or CR, one line blown up to a
huge field, lines repeated, the file emptied or replaced by binary junk.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

# The suite runs a few dozen fixed (derandomized) examples per test, in seconds; a longer, random campaign for
# hunting crashes: INCASSO_FUZZ_SCALE=100 pytest incasso/intake/tests/test_fuzz_intake.py ...
SCALE = int(os.environ.get("INCASSO_FUZZ_SCALE", "1"))
DERANDOMIZE = SCALE == 1
# A field far longer than any reader keeps, yet small enough that a hundred examples take seconds.
HUGE = 200_000
Mutation = Callable[[bytes], bytes]


def _recode(codec: str, bom: bytes = b"") -> Mutation:
    def recode(content: bytes) -> bytes:
        return bom + content.decode("utf-8", errors="replace").encode(codec, errors="replace")

    return recode


def _line_ends(end: bytes) -> Mutation:
    return lambda content: content.replace(b"\r\n", b"\n").replace(b"\n", end)


@st.composite
def mutated(draw: st.DrawFn, bases: list[bytes]) -> bytes:
    """One of ``bases`` with one to three kinds of damage."""
    content = draw(st.sampled_from(bases))
    for _ in range(draw(st.integers(1, 3))):
        content = draw(_damage(content))
    return content


@st.composite
def _damage(draw: st.DrawFn, content: bytes) -> bytes:
    kind = draw(st.sampled_from(KINDS))
    size = len(content)
    if kind == "truncate":
        return content[: draw(st.integers(0, size))]
    if kind == "flip" and size:
        position = draw(st.integers(0, size - 1))
        return content[:position] + bytes([content[position] ^ draw(st.integers(1, 255))]) + content[position + 1 :]
    if kind == "insert":
        position = draw(st.integers(0, size))
        return content[:position] + draw(st.binary(min_size=1, max_size=16)) + content[position:]
    if kind == "huge":
        lines = content.split(b"\n")
        index = draw(st.integers(0, len(lines) - 1))
        lines[index] += draw(st.sampled_from([b"A", b"9", b" ", b"<", b";", b'"', b"/"])) * HUGE
        return b"\n".join(lines)
    if kind == "repeat":
        lines = content.split(b"\n")
        index = draw(st.integers(0, len(lines) - 1))
        return b"\n".join(lines[:index] + [lines[index]] * draw(st.integers(2, 50)) + lines[index:])
    if kind == "junk":
        return draw(st.binary(min_size=0, max_size=512))
    if kind == "empty":
        return draw(st.sampled_from([b"", b" ", b"\n\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE]))
    return RECODINGS.get(kind, lambda content: content)(content)


RECODINGS: dict[str, Mutation] = {
    "utf16": _recode("utf-16"),
    "utf16le": _recode("utf-16-le"),
    "utf16be-bom": _recode("utf-16-be", codecs.BOM_UTF16_BE),
    "latin1": _recode("latin-1"),
    "utf8-bom": lambda content: codecs.BOM_UTF8 + content,
    "crlf": _line_ends(b"\r\n"),
    "cr": _line_ends(b"\r"),
}
KINDS = ("truncate", "flip", "insert", "huge", "repeat", "junk", "empty", *RECODINGS)


SAMPLE = "Factuur;Bedrag\r\nF-1;12,50 café\n".encode()


def test_each_recoding_changes_the_bytes():
    for kind, recode in RECODINGS.items():
        assert recode(SAMPLE) != SAMPLE, kind
    assert RECODINGS["cr"](SAMPLE).count(b"\r") == 2
    assert b"\n" not in RECODINGS["cr"](SAMPLE)
    assert RECODINGS["utf16"](SAMPLE).startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def test_the_strategy_produces_every_kind_of_damage():
    seen: list[bytes] = []

    @settings(max_examples=200, derandomize=True, deadline=None, database=None)
    @given(mutated([SAMPLE]))
    def collect(content: bytes) -> None:
        seen.append(content)

    collect()
    assert len(set(seen)) > 100
    assert any(len(content) > HUGE for content in seen)
    assert b"" in seen
    assert any(content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) for content in seen)
    assert any(len(content) < len(SAMPLE) for content in seen)
