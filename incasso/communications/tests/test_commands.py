"""``incasso print-batch`` and ``incasso letter-preview``, and the deploy check on the agency's identity."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from incasso.communications import services
from incasso.communications.checks import agency_identity_check
from incasso.communications.services import LetterRequest, letters_queue_bulk
from incasso.communications.tests.conftest import POSTED, pdf_text


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_print_batch_prints_a_summary(letter_case, settings):
    letters_queue_bulk(requests=[LetterRequest(case_id=letter_case.pk, kind="demand_letter")], on=POSTED)
    summary = _run("print-batch", "--date", POSTED.isoformat())
    assert summary["letters"] == 1 and summary["failed"] == 0
    assert (settings.INCASSO_MEDIA_DIR / summary["pdf"]).exists()
    assert _run("print-batch", "--date", POSTED.isoformat())["batch"] is None


def test_a_night_larger_than_a_batch_goes_out_as_several_batches(letter_case, settings, monkeypatch):
    monkeypatch.setattr(services, "PRINT_BATCH_MAX_LETTERS", 2)
    kinds = ["demand_letter", "reminder_letter", "legal_notice"]
    letters_queue_bulk(requests=[LetterRequest(case_id=letter_case.pk, kind=kind) for kind in kinds], on=POSTED)
    out = io.StringIO()
    call_command("print-batch", "--date", POSTED.isoformat(), stdout=out)
    batches = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [batch["letters"] for batch in batches] == [2, 1]
    assert len({batch["pdf"] for batch in batches}) == 2
    assert all((settings.INCASSO_MEDIA_DIR / batch["manifest"]).exists() for batch in batches)


def test_a_limit_renders_one_batch(letter_case, monkeypatch):
    kinds = ["demand_letter", "reminder_letter", "legal_notice"]
    letters_queue_bulk(requests=[LetterRequest(case_id=letter_case.pk, kind=kind) for kind in kinds], on=POSTED)
    assert _run("print-batch", "--date", POSTED.isoformat(), "--limit", "2")["letters"] == 2
    assert _run("print-batch", "--date", POSTED.isoformat(), "--limit", "2")["letters"] == 1


@pytest.mark.parametrize("args", [["--date", "29-08-2024"], ["--limit", "0"]])
def test_print_batch_refuses_bad_input(db, args):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("print-batch", *args, stdout=out)
    assert exit_.value.code == 2
    assert json.loads(out.getvalue())["error"] == "invalid_input"


def test_letter_preview_writes_a_pdf_and_stores_nothing(letter_case, tmp_path):
    target = tmp_path / "preview.pdf"
    call_command("letter-preview", "2024-000123", "--kind", "legal_notice", "--language", "en", "--output", str(target))
    text = pdf_text(target.read_bytes())
    assert "Last chance" in text and "2024-000123" in text
    assert letter_case.letters.count() == 0


def test_letter_preview_of_an_unknown_case(db):
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("letter-preview", "1999-999999", "--kind", "reminder_letter", stdout=out)
    assert json.loads(out.getvalue())["field"] == "case_number"


def test_the_deploy_check_refuses_the_demo_identity(settings):
    ids = {error.id for error in agency_identity_check()}
    assert {"incasso.E101"} <= ids
    settings.INCASSO_AGENCY_NAME = "Incasso Noord B.V."
    settings.INCASSO_AGENCY_WKI_NUMBER = "WKI-2024-0042"
    settings.INCASSO_AGENCY_KVK_NUMBER = "12345678"
    settings.INCASSO_AGENCY_IBAN = "NL02ABNA0123456789"
    settings.INCASSO_AGENCY_COMPLAINTS_URL = "https://noord.example/klachten"
    settings.INCASSO_AGENCY_PORTAL_URL = "https://noord.example/mijn"
    assert agency_identity_check() == []
    settings.INCASSO_AGENCY_IBAN = "NL00ABNA0123456789"
    settings.EMAIL_USE_TLS = False
    assert {error.id for error in agency_identity_check()} == {"incasso.E102", "incasso.E103"}
