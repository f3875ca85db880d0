"""Reads for letters, templates and the contact log; every bulk read is one query whatever the batch size."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, F, OuterRef, Q

from incasso.cases.models import Case, CaseHold
from incasso.communications.letter_data import Recipient
from incasso.communications.models import Communication, Letter, LetterKind, LetterTemplate
from incasso.core.bulk_insert import AnyOf
from incasso.domain.case_stages import Stage
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
    # The debtor's data key: the letter's printed recipient is sealed under it.
    data_key_id: uuid.UUID | None = None


# What an addressee is made of: the rest of the case, client and debtor rows is neither read nor built.
_ADDRESSEE_FIELDS = (
    "number",
    "client__name",
    "client__vat_deductible",
    "debtor__kind",
    "debtor__data_key",
    "debtor__given_names",
    "debtor__surname",
    "debtor__organisation_name",
    "debtor__street",
    "debtor__house_number",
    "debtor__postcode",
    "debtor__city",
    "debtor__country",
    "debtor__email",
)


def letter_addressees(*, case_ids: Iterable[int]) -> dict[int, Addressee]:
    """Case number, creditor and the debtor's postal address per case, in two queries (cases with their client and
    debtor, then the debtors' data keys: the personal fields are encrypted, P-3). A debtor whose data key was
    destroyed is addressed as "[erased]"."""
    cases = (
        Case.objects.filter(AnyOf(F("pk"), list(case_ids))).select_related("client", "debtor").only(*_ADDRESSEE_FIELDS)
    )
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
            data_key_id=debtor.data_key_id,
        )
    return result


def active_templates(*, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], LetterTemplate]:
    """The active template per (kind, language) asked for, in one query; absent keys have none active."""
    wanted = set(keys)
    kinds = {kind for kind, _ in wanted}
    rows = LetterTemplate.objects.filter(active=True, kind__in=kinds)
    return {(t.kind, t.language): t for t in rows if (t.kind, t.language) in wanted}


def letter_held(*, on: date) -> Q:
    """Matches a letter whose case is closed or on hold on ``on`` (a restriction, dispute, insolvency, legal hold
    ...). Such a letter stays queued: it is neither printed nor e-mailed until the hold is lifted."""
    holds = CaseHold.objects.filter(case_id=OuterRef("case_id"), lifted_at__isnull=True).filter(
        Q(until__isnull=True) | Q(until__gte=on)
    )
    return Q(Exists(holds)) | Q(case__stage=Stage.CLOSED.value)


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
