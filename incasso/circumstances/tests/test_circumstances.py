"""The debtor's circumstances: sealed under the debtor's key, recorded and read only by the roles that need them,
every write and read audited, in the data subject's export (C-6, C-7)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from incasso.accounts.factories import UserFactory
from incasso.accounts.roles import Role
from incasso.audit.models import AuditEvent
from incasso.circumstances.models import FinancialSituation, SituationSource, VulnerabilityFlag
from incasso.circumstances.selectors import (
    case_circumstances,
    debtors_situation_facts,
    debtors_vulnerable,
    situation_facts,
)
from incasso.circumstances.services import (
    financial_situation_from_credit_report,
    financial_situation_record,
    vulnerability_flag_lift,
    vulnerability_flag_set,
)
from incasso.crypto import keyring
from incasso.crypto.services import subject_key_shred
from incasso.domain.money import Money
from incasso.domain.protected_income import Household, protected_income, shipped_protected_income_table
from incasso.integrations.credit.port import CreditReport
from incasso.rights.datamap_walk import DEBTOR
from incasso.rights.export import subject_records

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 2)


def user_with(username, *roles):
    user = UserFactory(username=username)
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def collector():
    return user_with("collector@example.com", Role.COLLECTOR)


def record(user, case, **extra):
    values = {
        "source": SituationSource.DEBTOR_STATEMENT,
        "obtained_on": TODAY,
        "net_income": Money(145_000),
        "household": Household.SINGLE,
        "living_situation": "tenant",
        "other_debts": 2,
        "attachments": 1,
        "source_reference": "call 2026-11-02",
    }
    return financial_situation_record(actor=user, debtor=case.debtor, **{**values, **extra})


def test_a_situation_is_sealed_under_the_debtors_key_and_the_write_audited(collector, case):
    stored = record(collector, case)
    with connection.cursor() as cursor:
        cursor.execute("SELECT net_income_cents, household, other_debts FROM circumstances_financialsituation")
        raw = cursor.fetchone()
    assert all(value.startswith("e1.") for value in raw) and "145000" not in raw[0]
    assert stored.data_key_id == case.debtor.data_key_id
    keyring.keys_cache_clear()
    read = FinancialSituation.objects.get(pk=stored.pk)
    assert (read.net_income_cents, read.household, read.other_debts, read.attachments) == (145_000, "single", 2, 1)
    event = AuditEvent.objects.filter(action="create", details__situation=str(stored.pk)).get()
    assert (event.subject_type, event.subject_id) == ("parties.Debtor", str(case.debtor_id))


def test_shredding_the_debtor_makes_the_situation_and_flags_unreadable(collector, case):
    record(collector, case)
    vulnerability_flag_set(actor=collector, debtor=case.debtor, reason="other", note="lost job in October")
    subject_key_shred(subject=case.debtor, actor=collector, reason="erasure")
    keyring.keys_cache_clear()
    situation = FinancialSituation.objects.get()
    assert situation.net_income_cents is None and "145000" not in str(situation.household)
    assert "lost job" not in str(VulnerabilityFlag.objects.get().note)
    facts = debtors_situation_facts(debtor_ids=[case.debtor_id], on=TODAY)[case.debtor_id]
    assert (facts.income_known, facts.income_below_protected, facts.attachments) == (False, False, False)


def test_below_the_protected_income_follows_the_shipped_table(collector, case):
    norm = protected_income(
        on=TODAY,
        household=Household.SINGLE,
        net_income=Money(10_000_000),
        housing_costs=None,
        health_premium=None,
        table=shipped_protected_income_table(),
    ).amount
    at_norm = situation_facts(record(collector, case, net_income=norm), on=TODAY)
    above = situation_facts(record(collector, case, net_income=norm + Money(1)), on=TODAY)
    no_household = situation_facts(record(collector, case, household=""), on=TODAY)
    assert (at_norm.income_known, at_norm.income_below_protected) == (True, True)
    assert (above.income_known, above.income_below_protected) == (True, False)
    assert (no_household.income_known, no_household.income_below_protected) == (True, False)


def test_the_newest_situation_counts(collector, case):
    record(collector, case, obtained_on=TODAY - datetime.timedelta(days=30), attachments=3, other_debts=5)
    record(collector, case, obtained_on=TODAY, attachments=0, other_debts=1)
    record(collector, case, obtained_on=TODAY - datetime.timedelta(days=1), attachments=2, other_debts=2)
    facts = debtors_situation_facts(debtor_ids=[case.debtor_id], on=TODAY)[case.debtor_id]
    assert (facts.attachments, facts.other_debts) == (False, 1)


def test_a_credit_report_is_a_source(case):
    report = CreditReport(reference="BKR-77", score=420, negative_registrations=3)
    stored = financial_situation_from_credit_report(debtor=case.debtor, report=report, obtained_on=TODAY)
    assert (stored.source, stored.source_reference, stored.other_debts, stored.net_income_cents) == (
        "credit_bureau",
        "BKR-77",
        3,
        "",
    )
    assert AuditEvent.objects.filter(action="create", source="credit-bureau").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"source": "neighbour"}, "source"),
        ({"household": "commune"}, "household"),
        ({"living_situation": "castle"}, "living_situation"),
        ({"net_income": Money(-1)}, "net_income"),
        ({"attachments": -1}, "attachments"),
        ({"purpose": "marketing"}, "purpose"),
        ({"legal_basis": "6(1)(a)"}, "legal_basis"),
        ({"obtained_on": datetime.date(2999, 1, 1)}, "obtained_on"),
    ],
)
def test_nothing_invalid_is_stored(collector, case, changes, field):
    with pytest.raises(ValidationError) as error:
        record(collector, case, **changes)
    assert field in error.value.message_dict
    assert not FinancialSituation.objects.exists()


@pytest.mark.parametrize("roles", [(Role.FINANCE,), (Role.AUDITOR,), (Role.CLIENT_USER,), (Role.ADMINISTRATOR,), ()])
def test_roles_that_do_not_need_them_neither_record_nor_read(case, roles):
    user = user_with("someone@example.com", *roles)
    with pytest.raises(PermissionDenied):
        record(user, case)
    with pytest.raises(PermissionDenied):
        vulnerability_flag_set(actor=user, debtor=case.debtor, reason="language")
    with pytest.raises(PermissionDenied):
        case_circumstances(user=user, case=case, source="test")
    assert not FinancialSituation.objects.exists() and not VulnerabilityFlag.objects.exists()


def test_a_superuser_without_the_role_is_refused_too(case):
    boss = UserFactory(username="root@example.com", is_superuser=True)
    with pytest.raises(PermissionDenied):
        case_circumstances(user=boss, case=case, source="test")


def test_flags_are_set_and_lifted_and_reads_are_audited(collector, case):
    officer = user_with("privacy@example.com", Role.PRIVACY_OFFICER)
    flag = vulnerability_flag_set(actor=collector, debtor=case.debtor, reason="debt_counselling")
    assert debtors_vulnerable(debtor_ids=[case.debtor_id]) == {case.debtor_id}
    with pytest.raises(ValidationError):
        vulnerability_flag_set(actor=collector, debtor=case.debtor, reason="health")  # not a reason here
    with pytest.raises(PermissionDenied):
        vulnerability_flag_lift(actor=officer, flag=flag)  # the privacy officer reads, does not record
    vulnerability_flag_lift(actor=collector, flag=flag)
    with pytest.raises(ValidationError):
        vulnerability_flag_lift(actor=collector, flag=flag)
    assert debtors_vulnerable(debtor_ids=[case.debtor_id]) == set()
    reads = AuditEvent.objects.filter(action="read").count()
    shown = case_circumstances(user=officer, case=case, source="test")
    assert shown.situation is None and [f.pk for f in shown.flags] == [flag.pk] and shown.active_flags == []
    assert AuditEvent.objects.filter(action="read").count() == reads + 1
    assert AuditEvent.objects.filter(action="update", details__flag=str(flag.pk)).exists()


def test_the_access_export_includes_them(collector, case):
    stored = record(collector, case)
    vulnerability_flag_set(actor=collector, debtor=case.debtor, reason="other", note="caring for a parent")
    records = subject_records(target=DEBTOR, ids=[case.debtor_id])
    by_model = {item["model"]: item for item in records}
    situation = by_model["circumstances.FinancialSituation"]
    assert situation["pk"] == str(stored.pk)
    assert situation["fields"]["net_income_cents"] == 145_000 and situation["fields"]["source"] == "debtor_statement"
    assert by_model["circumstances.VulnerabilityFlag"]["fields"]["note"] == "caring for a parent"
