"""SPEC P-2: the one retention sweep also enforces the AML (5 years) and bookkeeping (7 years after the end of the
calendar year) policies, with a dry run that agrees and a record of counts."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command

from incasso.aml.models import AmlCheck
from incasso.audit.models import AuditEvent
from incasso.cases.factories import CaseFactory
from incasso.payments.models import StatementEntry, StatementImport
from incasso.privacy.models import LegalHold
from incasso.privacy.retention.bookkeeping import PAYER_FIELDS
from incasso.privacy.retention.policies import retention_policies_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _policies():
    retention_policies_ensure()


def _check(checked_on):
    return AmlCheck.objects.create(
        subject_type="parties.Client",
        subject_id="7",
        role="client",
        checked_on=checked_on,
        outcome="clear",
        evidence={"kvk": {"registered": True}},
        retain_until=checked_on + datetime.timedelta(days=5 * 366),
        actor_label="x",
    )


def _entry(booked, case=None, n=[0]):  # noqa: B006 - a counter for unique keys
    n[0] += 1
    statement = StatementImport.objects.create(filename=f"s{n[0]}.xml", sha256=f"{n[0]:064d}")
    return StatementEntry.objects.create(
        statement_import=statement,
        entry_key=f"key-{n[0]}",
        position=1,
        booking_date=booked,
        amount_cents=12_500,
        currency="EUR",
        counterparty_name="J. Jansen",
        counterparty_iban="NL91ABNA0417164300",
        remittance="betaling dossier 2018-000001",
        status="matched" if case else "unmatched",
        case=case,
    )


def _run(purpose, day, *extra):
    out = io.StringIO()
    call_command("retention", "sweep", *extra, "--purpose", purpose, "--date", day, stdout=out)
    return json.loads(out.getvalue())


def test_aml_checks_go_five_years_after_the_check_and_the_dry_run_agrees():
    old, young = _check(datetime.date(2021, 3, 14)), _check(datetime.date(2021, 3, 16))

    assert _run("aml", "2026-03-15", "--dry-run") == {"aml": {"would_remove": 1}}
    assert AmlCheck.objects.count() == 2
    assert _run("aml", "2026-03-15") == {"aml": {"removed": 1}}

    assert list(AmlCheck.objects.values_list("pk", flat=True)) == [young.pk]
    event = AuditEvent.objects.get(action="delete", details__aml_check=old.pk)
    assert (event.subject_type, event.subject_id, event.purpose) == ("parties.Client", "7", "aml")
    assert _run("aml", "2026-03-15") == {"aml": {"removed": 0}}


def test_statement_entries_lose_the_payer_after_seven_years_from_the_end_of_the_calendar_year():
    old, young = _entry(datetime.date(2018, 12, 31)), _entry(datetime.date(2019, 1, 1))

    # Booked in 2018: kept until 2026-01-01 (7 years after 1 January 2019).
    assert _run("bookkeeping", "2025-12-31") == {"bookkeeping": {"removed": 0}}
    assert _run("bookkeeping", "2026-01-01", "--dry-run") == {"bookkeeping": {"would_remove": 1}}
    assert _run("bookkeeping", "2026-01-01") == {"bookkeeping": {"removed": 1}}

    old.refresh_from_db()
    assert all(getattr(old, name) == "" for name in PAYER_FIELDS)
    assert (old.amount_cents, old.booking_date, old.status) == (12_500, datetime.date(2018, 12, 31), "unmatched")
    assert StatementEntry.objects.get(pk=young.pk).counterparty_name == "J. Jansen"
    event = AuditEvent.objects.get(subject_type="payments.StatementEntry")
    assert event.subject_id == str(old.pk)
    assert "payments.StatementEntry.counterparty_iban" in event.fields
    assert _run("bookkeeping", "2026-01-01") == {"bookkeeping": {"removed": 0}}


def test_a_legal_hold_on_the_case_keeps_its_statement_entries():
    case = CaseFactory()
    held = _entry(datetime.date(2018, 5, 1), case=case)
    LegalHold.objects.create(case=case, reason="proceedings pending")

    assert _run("bookkeeping", "2026-01-01") == {"bookkeeping": {"removed": 0}}
    assert StatementEntry.objects.get(pk=held.pk).counterparty_iban == "NL91ABNA0417164300"
