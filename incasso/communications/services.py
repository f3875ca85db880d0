"""Writes for letters and the contact log: queue, render a print batch, render one letter, e-mail one letter.

Set-based throughout: a batch of any size costs a fixed number of queries and one Typst compile. Every letter
that goes out is logged as a Communication of its case, with the values it printed on the letter itself.

Import every service from here; some live beside this module to keep it small: e-mail in ``emailing``,
template versions in ``templates``, the contact log in ``recording``.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from incasso.cases.models import Case
from incasso.communications import portal_codes
from incasso.communications.emailing import LetterEmailOutcome, letter_email_send
from incasso.communications.letter_data import LetterDataError, with_portal_code
from incasso.communications.models import (
    Letter,
    LetterChannel,
    LetterKind,
    LetterLanguage,
    LetterStatus,
    PortalAccessCode,
    PrintBatch,
)
from incasso.communications.preparation import PreparedLetter, letters_prepare
from incasso.communications.print_files import ManifestRow, manifest_csv, print_files_write
from incasso.communications.recording import (
    communication_log,
    letters_mark_failed,
    letters_printable,
    letters_record_sent,
)
from incasso.communications.rendering import RenderedLetters, letters_compile
from incasso.communications.selectors import active_templates, letter_held
from incasso.communications.templates import letter_template_activate, letter_template_create
from incasso.core.bulk_insert import AnyOf, rows_insert
from incasso.domain.payment_reference import rf_for_case

__all__ = [
    "ArrangementInstalment",
    "LetterEmailOutcome",
    "LetterRequest",
    "communication_log",
    "letter_email_send",
    "letter_render_single",
    "letter_template_activate",
    "letter_template_create",
    "letters_queue_bulk",
    "portal_code_verify",
    "print_batch_render",
]


@dataclass(frozen=True, slots=True)
class ArrangementInstalment:
    due: date
    amount_cents: int


@dataclass(frozen=True, slots=True)
class LetterRequest:
    """Queue one letter. ``kind`` takes the letter values of ``cases.MeasureKind`` as they are."""

    case_id: int
    kind: str
    language: str = LetterLanguage.DUTCH
    channel: str = LetterChannel.POST
    instalments: tuple[ArrangementInstalment, ...] = ()  # arrangement confirmations only


_LETTER_COLUMNS = (
    "case_id",
    "kind",
    "language",
    "channel",
    "planned_for",
    "rf_reference",
    "details",
    "idempotency_key",
)


def letters_queue_bulk(*, requests: Sequence[LetterRequest], on: date) -> int:
    """Queue letters for posting on ``on``; returns how many are new. The same letter twice is one letter.

    Refuses (ValueError) an unknown kind, language or case, and a kind without an active template: better the
    daily run stops loudly than that letters silently never go out.
    """
    if not requests:
        return 0
    for request in requests:
        if request.kind not in LetterKind.values or request.language not in LetterLanguage.values:
            raise ValueError(f"no letter of kind {request.kind!r} in language {request.language!r}")
        if request.channel not in LetterChannel.values:
            raise ValueError(f"unknown letter channel {request.channel!r}")
    wanted = {(r.kind, r.language) for r in requests}
    missing = wanted - set(active_templates(keys=wanted))
    if missing:
        raise ValueError(f"no active template for {sorted(missing)}")
    numbers = dict(Case.objects.filter(AnyOf(F("pk"), {r.case_id for r in requests})).values_list("pk", "number"))
    unknown = {r.case_id for r in requests} - set(numbers)
    if unknown:
        raise ValueError(f"unknown cases {sorted(unknown)}")
    letters: dict[str, tuple[object, ...]] = {}
    for r in requests:
        key = f"{r.case_id}:{r.kind}:{on.isoformat()}"
        if key in letters:
            continue
        details = {"instalments": [{"due": i.due.isoformat(), "amount_cents": i.amount_cents} for i in r.instalments]}
        letters[key] = (
            r.case_id,
            r.kind,
            r.language,
            r.channel,
            on,
            rf_for_case(numbers[r.case_id]),
            details if r.instalments else {},
            key,
        )
    existing = set(
        Letter.objects.filter(AnyOf(F("idempotency_key"), list(letters))).values_list("idempotency_key", flat=True)
    )
    new = [letter for key, letter in letters.items() if key not in existing]
    rows_insert(Letter, _LETTER_COLUMNS, new, returning=False, ignore_conflicts=True)
    return len(new)


def _manifest(ready: Sequence[PreparedLetter], rendered: RenderedLetters) -> bytes:
    return manifest_csv(
        [
            ManifestRow(
                letter_id=p.letter.pk,
                case_number=p.addressee.case_number,
                kind=p.letter.kind,
                language=p.letter.language,
                name=p.addressee.recipient.name,
                address_lines=p.data["recipient"]["lines"],
                postcode=p.addressee.recipient.postcode,
                city=p.addressee.recipient.city,
                country=p.addressee.recipient.country,
                first_page=rendered.pages[p.letter.pk].first,
                page_count=rendered.pages[p.letter.pk].count,
                rf_reference=p.letter.rf_reference,
            )
            for p in ready
        ]
    )


# Letters per print batch at most: Typst holds the whole batch while it lays it out (~0.35 MB a letter), so a night
# of tens of thousands of letters goes out as several batches of this size, each one PDF and one manifest.
PRINT_BATCH_MAX_LETTERS = 5_000


@transaction.atomic
def print_batch_render(*, on: date, limit: int | None = None) -> PrintBatch | None:
    """Render the queued postal letters due by ``on`` (the oldest first, at most ``limit`` and at most
    ``PRINT_BATCH_MAX_LETTERS``) into one PDF and a CSV manifest, posted on ``on``.

    Letters that cannot be written are marked failed with the reason; the rest are marked rendered, get a
    portal code each, and are logged on their cases. Returns None when nothing was left to print. On
    PostgreSQL, concurrent calls (``limit`` each) share the queue: locked letters are skipped.
    """
    now = timezone.now()
    queued = (
        Letter.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=LetterStatus.QUEUED, channel=LetterChannel.POST, planned_for__lte=on)
        .exclude(letter_held(on=on))  # a closed case's or a case on hold's letters wait
        .order_by("planned_for", "pk")
    )
    letters = list(queued[: min(limit or PRINT_BATCH_MAX_LETTERS, PRINT_BATCH_MAX_LETTERS)])
    if not letters:
        return None
    preparation = letters_prepare(letters, posted=on)
    if preparation.failed:
        letters_mark_failed(preparation.failed, now)
    ready = preparation.ready
    if not ready:
        return None
    batch = PrintBatch.objects.create(for_date=on, letter_count=len(ready))
    codes = {p.letter.pk: portal_codes.portal_code_generate() for p in ready}
    templates = {p.template.pk: p.template.source for p in ready}
    # Typst releases the GIL: the bulk writes run while it lays the batch out (a failed compile raises below
    # and rolls the writes back with the transaction).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="typst") as pool:
        compiling = pool.submit(letters_compile, templates=templates, letters=letters_printable(ready, codes))
        letters_record_sent(ready, codes, now=now, posted=on, status=LetterStatus.RENDERED, batch=batch)
        rendered = compiling.result()
    files = print_files_write(
        media_dir=settings.INCASSO_MEDIA_DIR,
        batch_id=batch.pk,
        on=on,
        pdf=rendered.pdf,
        manifest=_manifest(ready, rendered),
    )
    batch.pdf_path, batch.manifest_path = files.pdf_path, files.manifest_path
    batch.pdf_sha256, batch.manifest_sha256 = files.pdf_sha256, files.manifest_sha256
    batch.save(update_fields=["pdf_path", "manifest_path", "pdf_sha256", "manifest_sha256"])
    return batch


def letter_render_single(*, letter: Letter) -> bytes:
    """One letter as an accessible PDF: a sent letter exactly as it went out, a queued one as a preview.

    The portal code is never reproduced (it was printed once and only its hash is kept); the letter then says
    where to find it. A preview uses today's date and today's quote.
    """
    if letter.data and letter.template is not None:
        prepared_data, template = letter.data, letter.template
    else:
        preparation = letters_prepare([letter], posted=max(letter.planned_for, timezone.localdate()))
        if not preparation.ready:
            raise LetterDataError(preparation.failed[letter.pk])
        prepared_data, template = preparation.ready[0].data, preparation.ready[0].template
    printable = {**with_portal_code(prepared_data, None), "template_id": template.pk}
    return letters_compile(templates={template.pk: template.source}, letters=[printable], tagged=True).pdf


def portal_code_verify(*, case_number: str, code: str) -> Case | None:
    """The case whose letter printed ``code``, or None. Any unrevoked code of the case's letters is accepted."""
    normalised = portal_codes.portal_code_normalise(code)
    if len(normalised) != portal_codes.LENGTH:
        return None
    hashes = PortalAccessCode.objects.filter(case__number=case_number.strip(), revoked_at__isnull=True).values_list(
        "case_id", "code_hash"
    )
    for case_id, stored in hashes:
        if portal_codes.portal_code_matches(normalised, stored):
            return Case.objects.get(pk=case_id)
    return None
