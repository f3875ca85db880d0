"""Turn letters into the values they print, for any number of letters in a fixed number of queries.

Shared by the print batch, the single-letter render and e-mail, so a letter reads the same whichever way it
goes out. The quote comes from the one quote of the legal core (``cases.selectors.case_quote_requests`` with
``domain.quote.quote_calculate``), computed once per case however many letters the case has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings

from incasso.cases.selectors import case_quote_requests
from incasso.communications.letter_data import Agency, LetterDataError, LetterFacts, letter_data_build
from incasso.communications.models import Letter, LetterTemplate
from incasso.communications.selectors import Addressee, active_templates, letter_addressees
from incasso.domain.quote import Quote, QuoteError, quote_calculate
from incasso.legal.services import interest_rate_tables


def agency_from_settings() -> Agency:
    return Agency(
        name=settings.INCASSO_AGENCY_NAME,
        address_lines=tuple(settings.INCASSO_AGENCY_ADDRESS),
        wki_number=settings.INCASSO_AGENCY_WKI_NUMBER,
        kvk_number=settings.INCASSO_AGENCY_KVK_NUMBER,
        iban=settings.INCASSO_AGENCY_IBAN,
        complaints_url=settings.INCASSO_AGENCY_COMPLAINTS_URL,
        portal_url=settings.INCASSO_AGENCY_PORTAL_URL,
        phone=settings.INCASSO_AGENCY_PHONE,
        email=settings.INCASSO_AGENCY_EMAIL,
    )


@dataclass(frozen=True, slots=True)
class PreparedLetter:
    letter: Letter
    template: LetterTemplate
    addressee: Addressee
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Preparation:
    ready: list[PreparedLetter]
    failed: dict[int, str]  # letter id -> why it cannot be written


def letters_prepare(letters: Sequence[Letter], *, posted: date) -> Preparation:
    """The printed values of each letter as posted on ``posted``, with the active template of its kind.

    Four queries in all (addressees, cases, claims, templates), none per letter. A letter that cannot be
    written (no claims, no active template, a 14-day letter to a company) is reported, not raised, so one bad
    case never stops a night's batch.
    """
    case_ids = {letter.case_id for letter in letters}
    addressees = letter_addressees(case_ids=case_ids)
    requests = case_quote_requests(case_ids=case_ids, as_of=posted)
    templates = active_templates(keys={(letter.kind, letter.language) for letter in letters})
    tables = interest_rate_tables()
    agency = agency_from_settings()
    quotes: dict[int, Quote | str] = {}
    ready: list[PreparedLetter] = []
    failed: dict[int, str] = {}
    for letter in letters:
        try:
            template = templates.get((letter.kind, letter.language))
            if template is None:
                raise LetterDataError(f"no active {letter.kind} template in {letter.language}")
            if letter.case_id not in quotes:
                request = requests.get(letter.case_id)
                try:
                    quotes[letter.case_id] = quote_calculate(request, tables) if request else "the case has no claims"
                except QuoteError as exc:
                    quotes[letter.case_id] = f"no quote: {exc}"
            quote = quotes[letter.case_id]
            if isinstance(quote, str):
                raise LetterDataError(quote)
            addressee = addressees[letter.case_id]
            facts = LetterFacts(
                letter_id=letter.pk,
                kind=letter.kind,
                language=letter.language,
                case_number=addressee.case_number,
                creditor=addressee.creditor,
                rf_reference=letter.rf_reference,
                recipient=addressee.recipient,
                posted=posted,
                request=requests[letter.case_id],
                quote=quote,
                vat_uplift=addressee.vat_uplift,
                details=letter.details,
            )
            ready.append(PreparedLetter(letter, template, addressee, letter_data_build(facts, agency)))
        except LetterDataError as exc:
            failed[letter.pk] = str(exc)
    return Preparation(ready=ready, failed=failed)
