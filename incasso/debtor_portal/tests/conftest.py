"""Fixtures of the portal tests: a consumer's case with a letter whose code we know, and a logged-in portal."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.communications import portal_codes
from incasso.communications.models import Letter, LetterKind, LetterStatus, PortalAccessCode
from incasso.domain.case_stages import Stage
from incasso.domain.payment_reference import rf_for_case
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.parties.models import ProcessorAgreement

CODE = "ABCD2345"
POSTCODE = "1012 AB"
BORN = datetime.date(1980, 5, 17)


def issue_code(case, code: str = CODE) -> Letter:
    """What a print batch does for one letter: the letter went out with ``code`` printed on it."""
    today = timezone.localdate()
    letter = Letter.objects.create(
        case=case,
        kind=LetterKind.REMINDER,
        language="nl",
        status=LetterStatus.RENDERED,
        planned_for=today,
        posted_on=today,
        rf_reference=rf_for_case(case.number),
        idempotency_key=f"test:{case.pk}:{code}",
    )
    PortalAccessCode.objects.create(case=case, letter=letter, code_hash=portal_codes.portal_code_hash(code))
    return letter


def owing_case(client, *, number: str, principal_cents: int = 60_000, **debtor_fields):
    debtor = DebtorFactory(client=client, postcode=POSTCODE, date_of_birth=BORN, **debtor_fields)
    case = CaseFactory(
        debtor=debtor,
        number=number,
        stage=Stage.AMICABLE.value,
        opened_on=datetime.date(2026, 1, 5),
        costs_due_from=datetime.date(2026, 2, 1),
    )
    ClaimFactory(
        case=case,
        invoice_date=datetime.date(2025, 11, 1),
        due_date=datetime.date(2025, 12, 1),
        principal_cents=principal_cents,
    )
    return case


@pytest.fixture(autouse=True)
def _media_dir(settings, tmp_path):
    settings.INCASSO_MEDIA_DIR = tmp_path / "media"


@pytest.fixture
def energy(db):
    """A client that cannot deduct VAT (so VAT is charged on the costs) and allows plans of 12 months, 25 euros."""
    client = ClientFactory(code="energie", name="Energie Noord B.V.", vat_deductible=False)
    ProcessorAgreement.objects.create(
        client=client,
        version=1,
        signed_on=datetime.date(2025, 1, 1),
        valid_from=datetime.date(2025, 1, 1),
        allowed_measures=["reminder_letter", "arrangement_offer"],
        legal_steps_need_approval=True,
        settlement_authority_bp=0,
        plan_max_months=12,
        plan_min_instalment_cents=2_500,
    )
    return client


@pytest.fixture
def portal_case(energy):
    case = owing_case(energy, number="2026-000777")
    issue_code(case)
    return case


def portal_login_post(http, case_number: str, code: str = CODE, second_factor: str = POSTCODE, ip: str = "10.0.0.1"):
    return http.post(
        reverse("debtor_portal:login"),
        {"case_number": case_number, "code": code, "second_factor": second_factor},
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def debtor_client(client, portal_case):
    """pytest-django's HTTP client, logged in to the portal as the debtor of ``portal_case``."""
    response = portal_login_post(client, portal_case.number)
    assert response.status_code == 302
    return client


@pytest.fixture
def local_provider():
    """The payment provider double on 127.0.0.1; its webhooks are recorded, not sent (the tests sync)."""
    from incasso.paylinks.testing import LocalPaymentProvider

    with LocalPaymentProvider(webhook_sender=lambda url, payment_id: None) as double:
        yield double
