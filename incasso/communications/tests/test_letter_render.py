"""A letter's PDF says what the law requires, with the amounts of the one quote and the lawful 14-day dates."""

from __future__ import annotations

import datetime
import re

import pytest

from incasso.cases.selectors import case_quote
from incasso.communications.formatting import money_text
from incasso.communications.letter_data import LetterDataError
from incasso.communications.models import Letter, LetterStatus
from incasso.communications.services import (
    ArrangementInstalment,
    LetterRequest,
    letter_render_single,
    letters_queue_bulk,
    print_batch_render,
)
from incasso.communications.tests.conftest import POSTED, pdf_text
from incasso.domain.money import Money, money_sum
from incasso.domain.payment_reference import rf_for_case, rf_grouped
from incasso.parties.factories import DebtorFactory

CODE = re.compile(r"\b[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}\b")
INSTALMENTS = (
    ArrangementInstalment(datetime.date(2024, 9, 15), 63_103),
    ArrangementInstalment(datetime.date(2024, 10, 15), 63_103),
)


def _print_one(case, kind, language="nl", **extra):
    letters_queue_bulk(requests=[LetterRequest(case_id=case.pk, kind=kind, language=language, **extra)], on=POSTED)
    batch = print_batch_render(on=POSTED)
    letter = Letter.objects.get(case=case, kind=kind)
    return letter, batch


def _batch_text(settings, batch):
    return pdf_text((settings.INCASSO_MEDIA_DIR / batch.pdf_path).read_bytes())


@pytest.mark.parametrize("language", ["nl", "en"])
def test_fourteen_day_letter_prints_the_quote_the_term_and_the_costs(letter_case, settings, language):
    letter, batch = _print_one(letter_case, "fourteen_day_letter", language)
    assert letter.status == LetterStatus.RENDERED, letter.error
    text = _batch_text(settings, batch)
    quote = case_quote(case=letter_case, as_of=POSTED)
    principal = money_sum([c.principal_outstanding for c in quote.claims])
    interest = money_sum([c.interest_outstanding for c in quote.claims])
    for amount in (principal, interest, quote.total_outstanding):
        assert money_text(amount, language) in text  # the one quote, to the cent
    # 800.00 for 59 days and 450.50 for 29 days at 7%: 9.05 + 2.51 interest; 1,262.06 in all.
    assert quote.total_outstanding == Money.parse("1262.06")
    # Costs over the summed principal 1,250.50: 15% = 187.575, plus 21% VAT (the client cannot deduct it).
    if language == "nl":
        assert "€ 1.262,06" in text and "€ 226,97" in text and "inclusief 21% btw" in text
        # LEGAL.md §2: posted Thursday 29 August 2024, received Saturday 31 August, last day Monday 16 September.
        assert "zaterdag 31 augustus 2024" in text
        assert "tot en met maandag 16 september 2024" in text
        assert "vanaf dinsdag 17 september 2024" in text
    else:
        assert "€1,262.06" in text and "€226.97" in text and "includes 21% VAT" in text
        assert "Saturday 31 August 2024" in text
        assert "up to and including Monday 16 September 2024" in text
    assert rf_grouped(rf_for_case("2024-000123")) in text
    assert letter.rf_reference == rf_for_case("2024-000123")
    assert letter.data["fourteen_day"]["last_day_iso"] == "2024-09-16"
    assert letter.data["fourteen_day"]["costs_cents"] == 22_697


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_letter_shows_the_agency_the_debtor_and_how_to_pay(letter_case, settings, language):
    settings.INCASSO_AGENCY_WKI_NUMBER = "WKI-2024-0042"
    settings.INCASSO_AGENCY_KVK_NUMBER = "12345678"
    letter, batch = _print_one(letter_case, "demand_letter", language)
    text = _batch_text(settings, batch)
    for shown in (
        "Incasso demo agency",  # identity
        "Voorbeeldstraat 1",  # address
        "WKI-2024-0042",  # Wki registration number
        "12345678",  # KvK
        "https://incasso.example/klachten",  # complaints procedure
        "Jan de Vries",
        "Kerkstraat 12",
        "1012 AB AMSTERDAM",
        "Energie Noord B.V.",
        "NL91 ABNA 0417 1643 00",  # where to pay
        "F-2024-0007",
        "F-2024-0011",
    ):
        assert shown in text, shown
    codes = CODE.findall(text)
    assert len(codes) == 1  # the portal code, printed once
    assert codes[0].replace("-", "") not in str(letter.data)  # and nowhere in the stored values


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(
    "kind", ["reminder_letter", "fourteen_day_letter", "demand_letter", "arrangement_confirmation", "legal_notice"]
)
def test_every_kind_renders_in_both_languages(letter_case, settings, kind, language):
    extra = {"instalments": INSTALMENTS} if kind == "arrangement_confirmation" else {}
    letter, batch = _print_one(letter_case, kind, language, **extra)
    assert letter.status == LetterStatus.RENDERED, letter.error
    assert letter.template.kind == kind and letter.template.language == language
    text = _batch_text(settings, batch)
    assert money_text(Money.parse("1262.06"), language) in text
    assert "WKI-DEMO-0000" in text
    if kind == "arrangement_confirmation":
        assert money_text(Money(63_103), language) in text
        assert ("15 september 2024" if language == "nl" else "15 September 2024") in text


def test_a_fourteen_day_letter_to_a_company_fails_without_stopping_the_batch(letter_case, settings):
    company = DebtorFactory(company=True, client=letter_case.client)
    other = type(letter_case).objects.create(
        client=letter_case.client, debtor=company, number="2024-000200", opened_on=POSTED, interest_kind="commercial"
    )
    other.claims.create(
        client=letter_case.client,
        invoice_number="B-1",
        invoice_date=datetime.date(2024, 6, 1),
        due_date=datetime.date(2024, 7, 1),
        principal_cents=10_000,
    )
    letters_queue_bulk(
        requests=[
            LetterRequest(case_id=other.pk, kind="fourteen_day_letter"),
            LetterRequest(case_id=letter_case.pk, kind="fourteen_day_letter"),
        ],
        on=POSTED,
    )
    batch = print_batch_render(on=POSTED)
    assert batch is not None and batch.letter_count == 1
    failed = Letter.objects.get(case=other)
    assert failed.status == LetterStatus.FAILED and "consumers only" in failed.error
    assert Letter.objects.get(case=letter_case).status == LetterStatus.RENDERED


def test_no_fourteen_day_letter_before_the_debtor_is_in_default(letter_case):
    letter_case.claims.update(due_date=POSTED)
    letter, batch = _print_one(letter_case, "fourteen_day_letter")
    assert batch is None
    assert letter.status == LetterStatus.FAILED and "not in default" in letter.error


def test_single_render_reproduces_the_letter_without_its_code(letter_case, settings):
    letter, _ = _print_one(letter_case, "fourteen_day_letter")
    text = pdf_text(letter_render_single(letter=letter))
    assert "€ 1.262,06" in text and "maandag 16 september 2024" in text
    assert "staat in de brief die wij u per post stuurden" in text
    assert not CODE.search(text)


def test_a_queued_letter_can_be_previewed(letter_case):
    letters_queue_bulk(
        requests=[LetterRequest(case_id=letter_case.pk, kind="reminder_letter", language="en")], on=POSTED
    )
    letter = Letter.objects.get(case=letter_case)
    text = pdf_text(letter_render_single(letter=letter))
    assert "Reminder" in text and "2024-000123" in text
    letter.refresh_from_db()
    assert letter.status == LetterStatus.QUEUED and letter.data == {}  # a preview changes nothing


def test_a_preview_that_cannot_be_written_says_why(letter_case):
    letter_case.claims.all().delete()
    letters_queue_bulk(requests=[LetterRequest(case_id=letter_case.pk, kind="reminder_letter")], on=POSTED)
    with pytest.raises(LetterDataError, match="no claims"):
        letter_render_single(letter=Letter.objects.get(case=letter_case))
