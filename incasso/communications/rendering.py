"""Letters to PDF with Typst: one compile for a whole batch, whatever the number of letters.

A batch document imports the shared layout and every template version the batch uses, reads the letters' values
as JSON through ``sys.inputs`` and lays each letter out with its own template. One compile lets Typst share
fonts and layout across letters, which is what makes a night's batch take seconds rather than minutes (issue 3
measured Typst at ~5,000 letters/s against 60 for WeasyPrint on a small batch). Where each letter landed, for the
print manifest, is read back with queries (see :func:`_letter_pages`).

Templates are Typst modules: ``#import "layout.typ": letter-page`` and ``#let letter(l) = letter-page(...)``.
Values arrive as strings, which Typst prints as text: a debtor named ``#sys.exit`` is just a name.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import typst

LETTERS_DIR = Path(__file__).resolve().parent / "letters"
LAYOUT = "layout.typ"
LETTERHEAD = "letterhead.typ"
STAMP = "stamp.typ"


class LetterRenderError(RuntimeError):
    """Typst could not compile the letters: a broken template, or values a template does not expect."""


@dataclass(frozen=True, slots=True)
class LetterPages:
    first: int  # 1-based page in the batch PDF
    count: int


@dataclass(frozen=True, slots=True)
class RenderedLetters:
    pdf: bytes
    pages: Mapping[int, LetterPages]  # by letter id


@cache
def _fonts() -> typst.Fonts:
    """The machine's fonts, scanned once per process: every compiler would otherwise scan them again (~10 ms
    each, three per print batch and one per letter rendered on its own)."""
    return typst.Fonts()


def _compiler(main: Path, root: Path) -> typst.Compiler:
    return typst.Compiler(str(main), root=str(root), font_paths=_fonts())


def shipped_template_source(kind: str, language: str) -> str:
    """The Typst source shipped for a kind and language (what the data migration loads as version 1)."""
    return (LETTERS_DIR / f"{kind}.{language}.typ").read_text(encoding="utf-8")


def _batch_source(template_ids: Sequence[int]) -> str:
    imports = "\n".join(f'#import "template_{tid}.typ" as template_{tid}' for tid in template_ids)
    table = ", ".join(f'"{tid}": template_{tid}.letter' for tid in template_ids)
    return (
        f'#import "{LAYOUT}": render-batch\n{imports}\n'
        "#let data = json(bytes(sys.inputs.data))\n"
        f"#render-batch(data.letters, ({table},))\n"
    )


def _payment_variant(letter: Mapping[str, Any]) -> str:
    """The stamp a letter's payment box uses: ``payment-variant`` in letters/layout.typ, in Python."""
    kind = "arrangement" if letter.get("arrangement") is not None else "amount"
    code = "code" if letter["portal"]["code"] is not None else "copy"
    return f"{letter['language']}-{kind}-{code}"


def _print_frames_write(root: Path, letters: Sequence[Mapping[str, Any]]) -> str:
    """What a print batch lays out once instead of on every letter (see letters/layout.typ), written to ``root``:
    a letterhead per language, from the agency printed on the letters (one agency), and a payment-box stamp per
    language and variant. Returns where the stamps want each value, as JSON for ``sys.inputs.stamps``."""
    compiler = _compiler(root / LETTERHEAD, root)
    for language in sorted({str(letter["language"]) for letter in letters}):
        sample = next(letter for letter in letters if letter["language"] == language)
        head = {"language": language, "agency": sample["agency"]}
        pdf = compiler.compile(format="pdf", sys_inputs={"data": json.dumps(head)}, pdf_tags=False)
        if not isinstance(pdf, bytes):
            raise LetterRenderError("Typst returned no letterhead")
        (root / f"letterhead-{language}.pdf").write_bytes(pdf)
    samples: dict[str, Mapping[str, Any]] = {}
    for letter in letters:
        samples.setdefault(_payment_variant(letter), letter)
    stamper = _compiler(root / STAMP, root)
    marks: dict[str, Any] = {}
    for variant, sample in sorted(samples.items()):
        pdf = stamper.compile(format="pdf", sys_inputs={"data": json.dumps(sample)}, pdf_tags=False)
        placed = json.loads(stamper.query("<incasso-stamp-marks>", field="value"))
        if not isinstance(pdf, bytes) or len(placed) != 1:
            raise LetterRenderError("Typst returned no payment stamp")
        (root / f"stamp-{variant}.pdf").write_bytes(pdf)
        marks[variant] = placed[0]
    return json.dumps(marks)


# The page tree's page count in the PDF Typst writes (one flat /Pages node; the largest count is the root's).
_PAGE_COUNT = re.compile(rb"/Type/Pages/Count (\d+)")


def _page_count(pdf: bytes) -> int | None:
    counts = [int(count) for count in _PAGE_COUNT.findall(pdf)]
    return max(counts) if counts else None


def _letter_pages(
    compiler: typst.Compiler, pdf: bytes, letter_ids: Sequence[int], *, inputs: dict[str, str], tagged: bool
) -> tuple[bytes, dict[int, LetterPages]]:
    """The PDF and where each letter landed in it: first page and page count, by letter id.

    Each letter starts on a page of its own. So when every letter marked its start once, in order, and the PDF
    has as many pages as letters, letter n is page n (and a lone letter has all pages): no second layout pass.
    Otherwise (a letter runs onto a second page) the batch is compiled again with the page map on; Typst reuses
    most of the first compile's layout from its cache.
    """
    starts = [int(value) for value in json.loads(compiler.query("<incasso-letter-start>", field="value"))]
    count = _page_count(pdf)
    if starts == list(letter_ids) and count is not None:
        if count == len(letter_ids):
            return pdf, {letter_id: LetterPages(n, 1) for n, letter_id in enumerate(letter_ids, start=1)}
        if len(letter_ids) == 1:
            return pdf, {letter_ids[0]: LetterPages(1, count)}
    mapped = compiler.compile(format="pdf", sys_inputs={**inputs, "page-map": "yes"}, pdf_tags=tagged)
    placed = json.loads(compiler.query("<incasso-pages>", field="value"))
    if not isinstance(mapped, bytes) or len(placed) != 1:
        raise LetterRenderError("Typst returned no PDF or no page map")
    first_last = [(int(p["letter"]), int(p["first"]), int(p["last"])) for p in placed[0]]
    return mapped, {letter: LetterPages(first, last - first + 1) for letter, first, last in first_last}


def letters_compile(
    *, templates: Mapping[int, str], letters: Sequence[Mapping[str, Any]], tagged: bool = False
) -> RenderedLetters:
    """One PDF with ``letters`` in order; each letter's ``template_id`` names its source in ``templates``.

    ``tagged`` writes an accessible (tagged) PDF with the header and footer as live text, for letters a debtor
    reads on screen (e-mail, portal). Print batches are untagged, which is several times faster, and lay a
    pre-rendered letterhead under each page and a pre-rendered payment box under its values (see
    letters/layout.typ).
    """
    if not letters:
        raise ValueError("nothing to render")
    missing = {int(letter["template_id"]) for letter in letters} - set(templates)
    if missing:
        raise ValueError(f"letters refer to templates that were not given: {sorted(missing)}")
    ids = sorted(templates)
    with tempfile.TemporaryDirectory(prefix="incasso-letters-") as tmp:
        root = Path(tmp)
        for shipped in (LAYOUT, LETTERHEAD, STAMP):
            (root / shipped).write_text((LETTERS_DIR / shipped).read_text(encoding="utf-8"), encoding="utf-8")
        for tid in ids:
            (root / f"template_{tid}.typ").write_text(templates[tid], encoding="utf-8")
        main = root / "batch.typ"
        main.write_text(_batch_source(ids), encoding="utf-8")
        inputs = {"data": json.dumps({"letters": list(letters)}, ensure_ascii=False)}
        try:
            if not tagged:
                inputs["stamps"] = _print_frames_write(root, letters)
                inputs["letterhead"] = "yes"
            compiler = _compiler(main, root)
            pdf = compiler.compile(format="pdf", sys_inputs=inputs, pdf_tags=tagged)
            if not isinstance(pdf, bytes):
                raise LetterRenderError("Typst returned no PDF")
            letter_ids = [int(letter["letter_id"]) for letter in letters]
            pdf, pages = _letter_pages(compiler, pdf, letter_ids, inputs=inputs, tagged=tagged)
        except typst.TypstError as exc:
            raise LetterRenderError(f"{exc.message}: {exc.diagnostic}".strip()) from exc
    if len(pages) != len(letters):
        raise LetterRenderError(f"{len(letters)} letters in, {len(pages)} placed: a template must call letter-page")
    return RenderedLetters(pdf=pdf, pages=pages)
