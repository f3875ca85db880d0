"""Recording letters that went out: status and printed values, portal codes, the contact log of the case.

Shared by the print batch and e-mail, so a letter is recorded the same way whichever way it goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import connection

from incasso.cases.models import Case
from incasso.communications import portal_codes
from incasso.communications.letter_data import with_portal_code
from incasso.communications.models import (
    Communication,
    CommunicationChannel,
    Direction,
    Letter,
    LetterKind,
    LetterStatus,
    PortalAccessCode,
    PrintBatch,
)
from incasso.communications.preparation import PreparedLetter
from incasso.communications.sealing import printed_values_sealed
from incasso.core.bulk_insert import rows_insert
from incasso.core.bulk_update import rows_update


def letters_mark_failed(failed: dict[int, str], now: datetime) -> None:
    """Letters that cannot be written: failed, with the reason, so staff see it on the case."""
    rows = Letter.objects.filter(pk__in=list(failed))
    for letter in rows:
        letter.status, letter.error, letter.rendered_at = LetterStatus.FAILED, failed[letter.pk], now
    Letter.objects.bulk_update(rows, ["status", "error", "rendered_at"], batch_size=500)


def letters_printable(prepared: Sequence[PreparedLetter], codes: dict[int, str]) -> list[dict[str, object]]:
    """The values to compile: the stored values plus the portal code and the template to use."""
    return [
        {
            **with_portal_code(p.data, portal_codes.portal_code_display(codes[p.letter.pk])),
            "template_id": p.template.pk,
        }
        for p in prepared
    ]


def _fourteen_day_terms_store(ready: Sequence[PreparedLetter], posted: date) -> None:
    """The case's 14-day term follows its letter as actually posted (print batch made, e-mail sent), not the day
    it was queued: a letter printed three days late gives a term three days later, and costs charged from the
    queued day would be charged too early (BW 6:96 lid 6, LEGAL.md section 2). One set-based update."""
    terms = {
        p.letter.case_id: (posted, date.fromisoformat(p.data["fourteen_day"]["last_day_iso"]) + timedelta(days=1))
        for p in ready
        if p.letter.kind == LetterKind.FOURTEEN_DAY_LETTER
    }
    rows_update(Case, ("fourteen_day_letter_posted_on", "costs_due_from"), terms)


def _letters_values_store(ready: Sequence[PreparedLetter]) -> None:
    """Each letter's printed values, its recipient sealed under the debtor's data key, and template version: one
    parametrised UPDATE, executed for all rows.

    Django's bulk_update builds a CASE expression per row and took seconds for a night's batch; the field's own
    ``get_db_prep_save`` keeps the JSON encoding exactly what the ORM would write, on SQLite and PostgreSQL. Sealing
    is one AES-GCM call per letter with keys already cached (the addressees' names were read with them).
    """
    field = Letter._meta.get_field("data")
    key_field = Letter._meta.get_field("data_key")
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(Letter._meta.db_table)} SET {quote('data')} = %s, {quote('template_id')} = %s, "  # noqa: S608 - names from the model, values bound
        f"{quote('data_key_id')} = %s WHERE {quote('id')} = %s"
    )
    params = []
    for p in ready:
        key_id = p.addressee.data_key_id
        sealed = printed_values_sealed(p.letter, key_id, p.data)
        key = key_field.get_db_prep_save(key_id, connection)
        params.append((field.get_db_prep_save(sealed, connection), p.template.pk, key, p.letter.pk))
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def letters_record_sent(
    ready: Sequence[PreparedLetter],
    codes: dict[int, str],
    *,
    now: datetime,
    posted: date,
    status: str,
    batch: PrintBatch | None = None,
) -> None:
    """Mark letters as gone out, store their printed values, issue their portal codes, log them on their cases."""
    sent_at = now if status == LetterStatus.SENT else None
    for p in ready:  # keep the callers' objects in step with the rows
        letter = p.letter
        letter.status, letter.posted_on, letter.template, letter.data = status, posted, p.template, p.data
        letter.data_key_id = p.addressee.data_key_id
        letter.batch, letter.rendered_at, letter.error = batch, now, ""
        letter.sent_at = sent_at or letter.sent_at
    shared = Letter.objects.filter(pk__in=[p.letter.pk for p in ready])
    shared.update(status=status, posted_on=posted, batch=batch, rendered_at=now, error="")
    if sent_at is not None:
        shared.update(sent_at=sent_at)
    _letters_values_store(ready)
    _fourteen_day_terms_store(ready, posted)
    # Multi-row inserts (COPY on PostgreSQL): bulk_create built thousands of model instances and compiled every
    # value through the ORM, the largest Python cost of a print batch after the letter values.
    rows_insert(
        PortalAccessCode,
        ("case_id", "letter_id", "code_hash", "issued_at"),
        [
            (p.letter.case_id, p.letter.pk, portal_codes.portal_code_hash(codes[p.letter.pk]), now)
            for p in ready
            if p.letter.pk in codes
        ],
        returning=False,
    )
    channel = (CommunicationChannel.LETTER if batch is not None else CommunicationChannel.EMAIL).value
    subjects = {kind: str(label) for kind, label in LetterKind.choices}
    rows_insert(
        Communication,
        ("case_id", "channel", "direction", "occurred_at", "subject", "summary", "letter_id", "actor_id"),
        [
            (
                p.letter.case_id,
                channel,
                Direction.OUT.value,
                now,
                subjects[p.letter.kind],
                # No sentence fixed in one language: ``contact_notes`` words the line from the letter when shown.
                "",
                p.letter.pk,
                None,
            )
            for p in ready
        ],
        returning=False,
    )


def communication_log(
    *,
    case_id: int,
    channel: str,
    direction: str,
    occurred_at: datetime,
    subject: str,
    summary: str = "",
    letter: Letter | None = None,
    actor_id: int | None = None,
) -> Communication:
    """Record one contact on the case file: a call, an SMS, an incoming e-mail, a portal message."""
    return Communication.objects.create(
        case_id=case_id,
        channel=channel,
        direction=direction,
        occurred_at=occurred_at,
        subject=subject,
        summary=summary,
        letter=letter,
        actor_id=actor_id,
    )
