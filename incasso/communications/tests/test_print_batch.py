"""Queuing is idempotent; a print batch is one PDF with a manifest, in a fixed number of queries."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
import shutil
import subprocess

import pytest

from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.cases.services import case_hold_lift, case_hold_place
from incasso.communications import portal_codes, rendering
from incasso.communications.models import Communication, Letter, LetterStatus, LetterTemplate, PortalAccessCode
from incasso.communications.preparation import letters_prepare
from incasso.communications.print_files import MANIFEST_COLUMNS
from incasso.communications.recording import letters_printable
from incasso.communications.services import LetterRequest, letters_queue_bulk, print_batch_render
from incasso.communications.tests.conftest import POSTED
from incasso.domain.case_lifecycle import HoldKind
from incasso.domain.payment_reference import is_valid_rf
from incasso.parties.factories import ClientFactory, DebtorFactory


def _pdf_pages(path) -> int:
    info = subprocess.run(
        [shutil.which("pdfinfo") or "/usr/bin/pdfinfo", str(path)], capture_output=True, check=True, text=True
    ).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_queuing_the_same_letter_twice_is_one_letter(letter_case):
    request = LetterRequest(case_id=letter_case.pk, kind="reminder_letter")
    assert letters_queue_bulk(requests=[request, request], on=POSTED) == 1
    assert letters_queue_bulk(requests=[request], on=POSTED) == 0
    assert Letter.objects.count() == 1
    # Another day or another kind is another letter.
    assert letters_queue_bulk(requests=[request], on=POSTED + datetime.timedelta(days=1)) == 1
    assert letters_queue_bulk(requests=[LetterRequest(case_id=letter_case.pk, kind="demand_letter")], on=POSTED) == 1


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (LetterRequest(case_id=0, kind="postcard"), "no letter of kind"),
        (LetterRequest(case_id=0, kind="reminder_letter", language="de"), "no letter of kind"),
        (LetterRequest(case_id=0, kind="reminder_letter", channel="pigeon"), "channel"),
        (LetterRequest(case_id=987_654, kind="reminder_letter"), "unknown cases"),
    ],
)
def test_queuing_refuses_what_it_cannot_send(db, request_, message):
    with pytest.raises(ValueError, match=message):
        letters_queue_bulk(requests=[request_], on=POSTED)


def test_queuing_a_kind_without_an_active_template_is_refused(letter_case):
    LetterTemplate.objects.filter(kind="legal_notice", language="en").update(active=False)
    with pytest.raises(ValueError, match="no active template"):
        letters_queue_bulk(
            requests=[LetterRequest(case_id=letter_case.pk, kind="legal_notice", language="en")], on=POSTED
        )


@pytest.fixture
def two_hundred_cases(db):
    client = ClientFactory(code="batch", vat_deductible=True)
    cases = []
    for i in range(200):
        case = CaseFactory(debtor=DebtorFactory(client=client), number=f"2024-{i + 1:06d}", opened_on=POSTED)
        ClaimFactory(
            case=case,
            invoice_date=datetime.date(2024, 5, 1),
            due_date=datetime.date(2024, 6, 1),
            principal_cents=10_000 + i * 137,
        )
        cases.append(case)
    return cases


def test_a_batch_of_200_letters_is_one_pdf_with_a_200_row_manifest(
    two_hundred_cases, settings, django_assert_max_num_queries
):
    kinds = ["reminder_letter", "fourteen_day_letter", "demand_letter", "legal_notice"]
    requests = [
        LetterRequest(case_id=case.pk, kind=kinds[i % 4], language="en" if i % 5 == 0 else "nl")
        for i, case in enumerate(two_hundred_cases)
    ]
    assert letters_queue_bulk(requests=requests, on=POSTED) == 200
    # Set-based: the query count does not grow with the number of letters (bulk writes come in chunks).
    with django_assert_max_num_queries(20):
        batch = print_batch_render(on=POSTED)
    assert batch is not None and batch.letter_count == 200
    pdf_file = settings.INCASSO_MEDIA_DIR / batch.pdf_path
    manifest_file = settings.INCASSO_MEDIA_DIR / batch.manifest_path
    assert hashlib.sha256(pdf_file.read_bytes()).hexdigest() == batch.pdf_sha256
    assert hashlib.sha256(manifest_file.read_bytes()).hexdigest() == batch.manifest_sha256
    rows = list(csv.DictReader(io.StringIO(manifest_file.read_text(encoding="utf-8"))))
    assert len(rows) == 200
    assert tuple(rows[0]) == MANIFEST_COLUMNS
    assert [int(r["sequence"]) for r in rows] == list(range(1, 201))
    # The pages follow each other without gaps and add up to the PDF.
    expected_first = 1
    for row in rows:
        assert int(row["first_page"]) == expected_first
        expected_first += int(row["page_count"])
    assert _pdf_pages(pdf_file) == expected_first - 1
    assert all(is_valid_rf(r["rf_reference"]) for r in rows)
    numbers = {c.pk: c.number for c in two_hundred_cases}
    letters = {letter.pk: letter for letter in Letter.objects.all()}
    for row in rows:
        letter = letters[int(row["letter_id"])]
        assert row["case_number"] == numbers[letter.case_id]
        assert row["address_line_3"].startswith("1012 AB")
    assert all(letter.status == LetterStatus.RENDERED and letter.posted_on == POSTED for letter in letters.values())
    assert all(letter.batch_id == batch.pk and letter.template_id for letter in letters.values())
    assert Communication.objects.filter(channel="letter", direction="out").count() == 200
    assert PortalAccessCode.objects.count() == 200
    assert print_batch_render(on=POSTED) is None  # nothing left to print


def test_limit_leaves_the_rest_for_the_next_batch(two_hundred_cases):
    letters_queue_bulk(
        requests=[LetterRequest(case_id=c.pk, kind="reminder_letter") for c in two_hundred_cases[:5]], on=POSTED
    )
    first = print_batch_render(on=POSTED, limit=3)
    second = print_batch_render(on=POSTED)
    assert (first.letter_count, second.letter_count) == (3, 2)


def test_letters_planned_later_wait(letter_case):
    letters_queue_bulk(requests=[LetterRequest(case_id=letter_case.pk, kind="reminder_letter")], on=POSTED)
    assert print_batch_render(on=POSTED - datetime.timedelta(days=1)) is None
    assert Letter.objects.get().status == LetterStatus.QUEUED


def test_email_letters_stay_out_of_the_print_batch(letter_case):
    letters_queue_bulk(
        requests=[LetterRequest(case_id=letter_case.pk, kind="reminder_letter", channel="email")], on=POSTED
    )
    assert print_batch_render(on=POSTED) is None


def test_letters_of_a_restricted_case_wait_until_the_restriction_is_lifted(two_hundred_cases):
    held, free = two_hundred_cases[:2]
    letters_queue_bulk(requests=[LetterRequest(case_id=c.pk, kind="reminder_letter") for c in (held, free)], on=POSTED)
    hold = case_hold_place(case=held, kind=HoldKind.RESTRICTION, reason="art. 18 GDPR")

    batch = print_batch_render(on=POSTED)

    assert batch.letter_count == 1
    assert Letter.objects.get(case=held).status == LetterStatus.QUEUED
    case_hold_lift(hold=hold, reason="restriction lifted")
    assert print_batch_render(on=POSTED).letter_count == 1


def _pages_text(path, first: int, last: int) -> str:
    pdftotext = shutil.which("pdftotext") or "/usr/bin/pdftotext"
    out = subprocess.run(
        [pdftotext, "-enc", "UTF-8", "-f", str(first), "-l", str(last), str(path), "-"], capture_output=True, check=True
    )
    return " ".join(out.stdout.decode("utf-8").split())


def test_each_letter_of_a_batch_is_on_its_own_pages_in_manifest_order(db, settings):
    client = ClientFactory(code="pages", vat_deductible=True)
    cases = []
    for i, claims in enumerate([1, 40, 2, 1]):  # the second letter's breakdown runs onto a second page
        debtor = DebtorFactory(client=client, given_names=f"Debtor{i}", surname=f"Pagecheck{i}")
        case = CaseFactory(debtor=debtor, number=f"2024-0009{i:02d}", opened_on=POSTED)
        for n in range(claims):
            ClaimFactory(
                case=case,
                invoice_number=f"P{i}-{n:03d}",
                invoice_date=datetime.date(2024, 5, 1),
                due_date=datetime.date(2024, 6, 1),
                principal_cents=10_000 + n,
            )
        cases.append(case)
    kinds = ["reminder_letter", "demand_letter", "legal_notice", "reminder_letter"]
    letters_queue_bulk(
        requests=[
            LetterRequest(case_id=c.pk, kind=kind, language="en" if i == 2 else "nl")
            for i, (c, kind) in enumerate(zip(cases, kinds, strict=True))
        ],
        on=POSTED,
    )

    batch = print_batch_render(on=POSTED)

    pdf_file = settings.INCASSO_MEDIA_DIR / batch.pdf_path
    rows = list(csv.DictReader(io.StringIO((settings.INCASSO_MEDIA_DIR / batch.manifest_path).read_text("utf-8"))))
    assert [r["case_number"] for r in rows] == [c.number for c in cases]  # queued order is print order
    assert [int(r["page_count"]) for r in rows][1] >= 2 and _pdf_pages(pdf_file) == sum(
        int(r["page_count"]) for r in rows
    )
    for i, row in enumerate(rows):
        first, count = int(row["first_page"]), int(row["page_count"])
        text = _pages_text(pdf_file, first, first + count - 1)
        assert f"Debtor{i} Pagecheck{i}" in text and row["case_number"] in text
        assert " ".join(row["rf_reference"][j : j + 4] for j in range(0, len(row["rf_reference"]), 4)) in text
        assert all(f"Pagecheck{other}" not in text for other in range(len(rows)) if other != i)
        assert f"P{i}-{(40 if i == 1 else 1) - 1:03d}" in text  # the letter's last invoice is on its own pages
        # The payment box: its fixed text comes from a stamp laid out once per batch, its values from the letter.
        labels = (
            ("How to pay", "Payment reference", "Your log-in code")
            if i == 2
            else ("Zo betaalt u", "Betalingskenmerk", "Uw inlogcode")
        )
        assert all(label in text for label in labels)
        assert "NL91 ABNA 0417 1643 00" in text and re.search(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b", text)


def _printable_batch(cases, kinds):
    """The values a print batch compiles for ``cases`` (one letter each, ``kinds`` in turn), and the templates."""
    letters_queue_bulk(
        requests=[
            LetterRequest(case_id=c.pk, kind=kinds[i % len(kinds)], language="en" if i % 3 == 0 else "nl")
            for i, c in enumerate(cases)
        ],
        on=POSTED,
    )
    ready = letters_prepare(list(Letter.objects.order_by("pk")), posted=POSTED).ready
    codes = {p.letter.pk: portal_codes.portal_code_generate() for p in ready}
    return letters_printable(ready, codes), {p.template.pk: p.template.source for p in ready}


@pytest.mark.parametrize("claims", [[1] * 12, [1, 40, 2, 1, 3, 1]])
def test_the_page_map_without_a_second_pass_is_the_page_map_typst_locates(db, monkeypatch, claims):
    # A batch of one-page letters is mapped from the start marks and the page count; a batch where a letter runs
    # onto more pages, and any batch whose page count cannot be read, from Typst's own locations. Both ways agree.
    client = ClientFactory(code="map", vat_deductible=True)
    cases = []
    for i, count in enumerate(claims):
        case = CaseFactory(debtor=DebtorFactory(client=client), number=f"2024-0008{i:02d}", opened_on=POSTED)
        for n in range(count):
            ClaimFactory(
                case=case,
                invoice_date=datetime.date(2024, 5, 1),
                due_date=datetime.date(2024, 6, 1),
                principal_cents=10_000 + 97 * n + i,
            )
        cases.append(case)
    letters, templates = _printable_batch(cases, ["reminder_letter", "demand_letter", "legal_notice"])

    fast = rendering.letters_compile(templates=templates, letters=letters)
    monkeypatch.setattr(rendering, "_page_count", lambda pdf: None)  # as if unreadable: Typst locates the letters
    located = rendering.letters_compile(templates=templates, letters=letters)

    assert fast.pages == located.pages
    assert [fast.pages[int(letter["letter_id"])].first for letter in letters] == sorted(
        p.first for p in fast.pages.values()
    )
    multi_page = any(count > 10 for count in claims)
    assert (
        max(p.count for p in fast.pages.values()) > 1
        if multi_page
        else all(p == rendering.LetterPages(n, 1) for n, p in enumerate(fast.pages.values(), start=1))
    )


def test_a_template_that_skips_the_letter_layout_is_refused(db):
    client = ClientFactory(code="skip", vat_deductible=True)
    cases = [CaseFactory(debtor=DebtorFactory(client=client), number=f"2024-0007{i:02d}") for i in range(3)]
    for case in cases:
        ClaimFactory(case=case, invoice_date=datetime.date(2024, 5, 1), due_date=datetime.date(2024, 6, 1))
    letters, templates = _printable_batch(cases, ["reminder_letter"])
    # A page of its own, but no letter-page: the page count matches, the start marks do not.
    broken = dict.fromkeys(templates, "#let letter(l) = page[#l.case_number]")
    with pytest.raises(rendering.LetterRenderError, match="must call letter-page"):
        rendering.letters_compile(templates=broken, letters=letters)
