"""Reads for letters, templates and the contact log; every bulk read is one query whatever the batch size."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from incasso.cases.models import Case
from incasso.communications.letter_data import Recipient
from incasso.communications.models import Communication, Letter, LetterKind, LetterTemplate
from incasso.parties.models import DebtorKind


@dataclass(frozen=True, slots=True)
class Addressee:
    """The case facts a letter prints besides the quote: who writes on whose behalf to whom."""

    case_id: int
    case_number: str
    creditor: str
    vat_uplift: bool
    recipient: Recipient
    email: str


def letter_addressees(*, case_ids: Iterable[int]) -> dict[int, Addressee]:
    """Case number, creditor and the debtor's postal address per case, in two queries (cases with their client and
    debtor, then the debtors' data keys: the personal fields are encrypted, P-3). A debtor whose data key was
    destroyed is addressed as "[erased]"."""
    cases = Case.objects.filter(pk__in=list(case_ids)).select_related("client", "debtor")
    result = {}
    for case in cases:
        debtor = case.debtor
        result[case.pk] = Addressee(
            case_id=case.pk,
            case_number=case.number,
            creditor=case.client.name,
            vat_uplift=not case.client.vat_deductible,
            recipient=Recipient(
                name=debtor.display_name,
                street=f"{debtor.street} {debtor.house_number}".strip(),
                postcode=debtor.postcode,
                city=debtor.city,
                country=debtor.country or "NL",
                consumer=debtor.kind == DebtorKind.CONSUMER,
            ),
            email=debtor.email,
        )
    return result


def active_templates(*, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], LetterTemplate]:
    """The active template per (kind, language) asked for, in one query; absent keys have none active."""
    wanted = set(keys)
    kinds = {kind for kind, _ in wanted}
    rows = LetterTemplate.objects.filter(active=True, kind__in=kinds)
    return {(t.kind, t.language): t for t in rows if (t.kind, t.language) in wanted}


def queued_post_letters(*, on: date, limit: int | None = None) -> list[Letter]:
    """Letters waiting for the print batch of ``on`` (and any left over from earlier days), oldest first."""
    rows = Letter.objects.filter(status="queued", channel="post", planned_for__lte=on).order_by("planned_for", "pk")
    return list(rows[:limit] if limit is not None else rows)


def case_letters(*, case_id: int) -> list[Letter]:
    return list(Letter.objects.filter(case_id=case_id).select_related("template").order_by("created_at", "pk"))


def case_communications(*, case_id: int) -> list[Communication]:
    """The contact log of a case, oldest first: what was sent and received, when, by whom (Wki case file)."""
    return list(Communication.objects.filter(case_id=case_id).select_related("letter", "actor"))


def fourteen_day_letters_posted(*, case_ids: Iterable[int]) -> dict[int, tuple[date, date]]:
    """Per case, the posting date and the printed last day of its latest posted 14-day letter.

    The case's costs-due date must follow the letter as actually posted: a letter printed a day later than
    planned gives a later term, and charging costs from the planned date would be too early.
    """
    rows = (
        Letter.objects.filter(case_id__in=list(case_ids), kind=LetterKind.FOURTEEN_DAY_LETTER, posted_on__isnull=False)
        .order_by("case_id", "posted_on")
        .values_list("case_id", "posted_on", "data")
    )
    latest: dict[int, tuple[date, date]] = {}
    for case_id, posted, data in rows:
        if posted is not None:  # filtered out above; narrows the type
            latest[case_id] = (posted, date.fromisoformat(data["fourteen_day"]["last_day_iso"]))
    return latest
