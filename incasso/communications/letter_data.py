"""The values a letter prints, built from plain values: the quote, the dates, the agency, the addressee.

Everything a template shows is computed here and handed over as finished text, so a template can word and lay out
a letter but cannot get an amount or a date wrong. The result is stored on the letter as the record of what was
sent (the portal code excepted: it is added for printing only, see :func:`with_portal_code`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from babel import Locale

from incasso.communications.formatting import date_long_text, date_text, iban_text, money_text
from incasso.domain.costs_policy import CostsSettings, DebtorCategory, costs_for_case
from incasso.domain.fourteen_day_letter import FourteenDayTerm, fourteen_day_term, is_valid_stated_last_day
from incasso.domain.money import Money, money_sum
from incasso.domain.payment_reference import rf_grouped
from incasso.domain.quote import Quote, QuoteRequest

DATA_FORMAT = 1  # bump when the keys change, so stored letters say which shape they have
FOURTEEN_DAY_LETTER = "fourteen_day_letter"
ARRANGEMENT_CONFIRMATION = "arrangement_confirmation"


class LetterDataError(ValueError):
    """This letter cannot be written for this case (e.g. a 14-day letter to a company); the letter fails."""


@dataclass(frozen=True, slots=True)
class Agency:
    """Who sends the letter: Wki requires identity, address, registration number and complaints procedure."""

    name: str
    address_lines: tuple[str, ...]
    wki_number: str
    kvk_number: str
    iban: str
    complaints_url: str
    portal_url: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str
    street: str
    postcode: str
    city: str
    country: str  # ISO 3166 alpha-2
    consumer: bool


@dataclass(frozen=True, slots=True)
class LetterFacts:
    """Everything one letter needs to know, as loaded by the services in a few set-based queries."""

    letter_id: int
    kind: str
    language: str
    case_number: str
    creditor: str
    rf_reference: str
    recipient: Recipient
    posted: date
    request: QuoteRequest
    quote: Quote
    vat_uplift: bool  # the client cannot deduct VAT: costs carry VAT and the letter says so
    details: Mapping[str, Any]


@cache
def _country_name(code: str) -> str:
    # International mail wants the destination country in capitals on the last line, in English or French.
    return str(Locale.parse("en").territories.get(code, code)).upper()


def address_lines(recipient: Recipient) -> list[str]:
    """The lines in the envelope window, PostNL style (postcode, two spaces, city in capitals)."""
    lines = [recipient.name, recipient.street]
    if recipient.country == "NL":
        lines.append(f"{recipient.postcode}  {recipient.city.upper()}")
    else:
        lines.extend([f"{recipient.postcode} {recipient.city}".strip(), _country_name(recipient.country)])
    return [line for line in lines if line.strip()]


def _agency_data(agency: Agency) -> dict[str, Any]:
    return {
        "name": agency.name,
        "address_lines": list(agency.address_lines),
        "wki_number": agency.wki_number,
        "kvk_number": agency.kvk_number,
        "complaints_url": agency.complaints_url,
        "portal_url": agency.portal_url,
        "phone": agency.phone,
        "email": agency.email,
    }


def _breakdown(facts: LetterFacts) -> tuple[list[dict[str, str]], dict[str, Money]]:
    lang = facts.language
    due_dates = {claim.id: claim.due_date for claim in facts.request.claims}
    rows = [
        {
            "invoice": claim.id,
            "due_date": date_text(due_dates[claim.id], lang),
            "principal": money_text(claim.principal_outstanding, lang),
            "interest": money_text(claim.interest_outstanding, lang),
        }
        for claim in facts.quote.claims
    ]
    principal = money_sum([claim.principal_outstanding for claim in facts.quote.claims])
    interest = money_sum([claim.interest_outstanding for claim in facts.quote.claims])
    costs = facts.quote.costs.outstanding if facts.quote.costs is not None else Money.zero()
    if principal + interest + costs != facts.quote.total_outstanding:  # the letter must add up, to the cent
        raise LetterDataError(f"case {facts.case_number}: the breakdown does not add up to the quote's total")
    return rows, {"principal": principal, "interest": interest, "costs": costs, "total": facts.quote.total_outstanding}


def _fourteen_day(facts: LetterFacts, term: FourteenDayTerm) -> dict[str, Any]:
    """The 14-day letter's own content (BW 6:96 lid 6, LEGAL.md §2): the term and the concrete costs."""
    if not facts.recipient.consumer:
        raise LetterDataError("a 14-day letter is for consumers only (BW 6:96 lid 6)")
    not_due = [claim.id for claim in facts.request.claims if claim.due_date >= facts.posted]
    if not_due:
        raise LetterDataError(f"the debtor is not in default yet for {', '.join(not_due)}: no 14-day letter")
    # Never print a last day earlier than the law allows: such a letter is void, and the costs with it.
    if not is_valid_stated_last_day(facts.posted, term.term_last_day):
        raise LetterDataError(f"refusing to print {term.term_last_day}: too early for a letter posted {facts.posted}")
    unpaid_original = [claim.principal_outstanding - claim.capitalised_outstanding for claim in facts.quote.claims]
    capitalised = money_sum([claim.capitalised_outstanding for claim in facts.quote.claims])
    costs = costs_for_case(
        category=DebtorCategory.CONSUMER,
        unpaid_principals=unpaid_original,
        capitalised_interest=capitalised,
        settings=CostsSettings(vat_uplift=facts.vat_uplift),
    )
    lang = facts.language
    return {
        "received": date_long_text(term.presumed_received, lang),
        "first_day": date_long_text(term.term_first_day, lang),
        "last_day": date_long_text(term.term_last_day, lang),
        "last_day_iso": term.term_last_day.isoformat(),
        "costs_due_from": date_long_text(term.costs_due_from, lang),
        "costs": money_text(costs, lang),
        "costs_cents": costs.cents,
        "vat_included": facts.vat_uplift,
    }


def _arrangement(facts: LetterFacts) -> dict[str, Any]:
    instalments = facts.details.get("instalments") or []
    if not instalments:
        raise LetterDataError("an arrangement confirmation needs the instalments of the arrangement")
    lang = facts.language
    amounts = [Money(int(item["amount_cents"])) for item in instalments]
    return {
        "instalments": [
            {
                "number": str(i),
                "due": date_long_text(date.fromisoformat(item["due"]), lang),
                "amount": money_text(a, lang),
            }
            for i, (item, a) in enumerate(zip(instalments, amounts, strict=True), start=1)
        ],
        "count": len(instalments),
        "total": money_text(money_sum(amounts), lang),
        "first_due": date_long_text(date.fromisoformat(instalments[0]["due"]), lang),
    }


def letter_data_build(facts: LetterFacts, agency: Agency) -> dict[str, Any]:
    """The printed values of one letter, as JSON-ready text (and the key amounts in cents for machines)."""
    lang = facts.language
    term = fourteen_day_term(facts.posted)
    rows, amounts = _breakdown(facts)
    # One safe payment term for every letter: the 14-day letter's. A later date than needed is never wrong.
    pay_by = term.term_last_day
    data: dict[str, Any] = {
        "format": DATA_FORMAT,
        "letter_id": facts.letter_id,
        "kind": facts.kind,
        "language": lang,
        "case_number": facts.case_number,
        "creditor": facts.creditor,
        "date": date_text(facts.posted, lang),
        "posted_on": facts.posted.isoformat(),
        "agency": _agency_data(agency),
        "recipient": {"name": facts.recipient.name, "lines": address_lines(facts.recipient)},
        "claims": rows,
        "amounts": {name: money_text(value, lang) for name, value in amounts.items()},
        "cents": {name: value.cents for name, value in amounts.items()},
        "pay_by": date_long_text(pay_by, lang),
        "pay_by_iso": pay_by.isoformat(),
        "payment": {
            "iban": iban_text(agency.iban),
            "beneficiary": agency.name,
            "reference": rf_grouped(facts.rf_reference),
        },
        "portal": {"url": agency.portal_url, "code": None},
        "fourteen_day": _fourteen_day(facts, term) if facts.kind == FOURTEEN_DAY_LETTER else None,
        "arrangement": _arrangement(facts) if facts.kind == ARRANGEMENT_CONFIRMATION else None,
        "warnings": list(facts.quote.warnings),
    }
    return data


def with_portal_code(data: Mapping[str, Any], code: str | None) -> dict[str, Any]:
    """``data`` with the portal code filled in for printing; ``None`` prints a placeholder (copies, previews)."""
    return {**data, "portal": {**data["portal"], "code": code}}
