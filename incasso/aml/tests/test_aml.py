"""AML checks against the local KvK and CIR doubles: minimal evidence, five-year retention, purge."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from incasso.aml.models import AmlCheck, AmlOutcome, AmlRole
from incasso.aml.services import aml_check, aml_checks_purge
from incasso.disclosures.models import Disclosure, Recipient
from incasso.integrations.cir.client import PersonSearch, Publication, PublicationKind
from incasso.integrations.cir.testing import LocalCir
from incasso.integrations.kvk.testing import LocalKvk
from incasso.integrations.resilience import Backoff
from incasso.parties.factories import ClientFactory, DebtorFactory

TODAY = datetime.date(2026, 11, 2)
FAST = Backoff(base_seconds=0.001, factor=2.0, max_seconds=0.01)


@pytest.fixture
def registers(db):
    Recipient.objects.create(name="Kamer van Koophandel", category="insolvency_register", country="NL")
    Recipient.objects.get_or_create(name="Centraal Insolventieregister", category="insolvency_register", country="NL")
    with LocalKvk() as kvk, LocalCir() as cir:
        kvk_client, cir_client = kvk.client(), cir.client()
        yield kvk, cir, {"kvk_client": kvk_client, "cir_client": cir_client, "backoff": FAST}
        kvk_client.close()
        cir_client.close()


def test_an_active_company_without_insolvency_is_clear_and_kept_five_years(registers):
    _kvk, _cir, clients = registers
    client = ClientFactory(kvk_number="68750110")
    check = aml_check(
        subject=client, role=AmlRole.CLIENT, actor="tester", today=TODAY, kvk_number="68750110", **clients
    )
    assert check.outcome == AmlOutcome.CLEAR
    assert check.evidence == {
        "kvk": {"registered": True, "active": True, "legal_form": "BeslotenVennootschap"},
        "insolvencies": [],
    }
    assert "Donald" not in str(check.evidence)  # no names kept
    assert check.retain_until == datetime.date(2031, 11, 2)
    assert Disclosure.objects.filter(purpose="aml").count() == 2  # KvK and CIR


def test_an_insolvent_company_needs_attention(registers):
    _kvk, cir, clients = registers
    cir.add_company(
        kvk_number="69599084",
        publication=Publication("F.13/26/1", "Rechtbank Amsterdam", PublicationKind.BANKRUPTCY, TODAY),
    )
    check = aml_check(
        subject=ClientFactory(), role=AmlRole.PARTNER, actor="tester", today=TODAY, kvk_number="69599084", **clients
    )
    assert check.outcome == AmlOutcome.ATTENTION and check.evidence["insolvencies"] == ["F.13/26/1"]


def test_an_unregistered_company_and_a_person_guarantor(registers):
    _kvk, _cir, clients = registers
    check = aml_check(
        subject=ClientFactory(), role=AmlRole.CLIENT, actor="tester", today=TODAY, kvk_number="12345678", **clients
    )
    assert check.outcome == AmlOutcome.NOT_FOUND
    guarantor = DebtorFactory(surname="Jansen", date_of_birth=datetime.date(1980, 1, 1))
    person = PersonSearch("Jansen", datetime.date(1980, 1, 1))
    check = aml_check(subject=guarantor, role=AmlRole.GUARANTOR, actor="tester", today=TODAY, person=person, **clients)
    assert check.outcome == AmlOutcome.CLEAR and "kvk" not in check.evidence


def test_a_register_down_keeps_nothing(registers):
    kvk, _cir, clients = registers
    kvk.fail_next = 10
    with pytest.raises(Exception, match="gave up"):
        aml_check(
            subject=ClientFactory(), role=AmlRole.CLIENT, actor="t", today=TODAY, kvk_number="68750110", **clients
        )
    assert not AmlCheck.objects.exists()
    with pytest.raises(ValueError, match="needs a KvK number"):
        aml_check(subject=ClientFactory(), role=AmlRole.CLIENT, actor="t", today=TODAY, **clients)


def test_expired_checks_are_purged(registers):
    _kvk, _cir, clients = registers
    aml_check(subject=ClientFactory(), role=AmlRole.CLIENT, actor="t", today=TODAY, kvk_number="68750110", **clients)
    assert aml_checks_purge(as_of=datetime.date(2031, 11, 1)) == 0
    assert aml_checks_purge(as_of=datetime.date(2031, 11, 2)) == 1
    assert not AmlCheck.objects.exists()


def test_the_command_checks_a_client_and_purges(registers, settings, capsys):
    kvk, cir, _clients = registers
    settings.INCASSO_KVK_URL, settings.INCASSO_KVK_API_KEY = kvk.url, kvk.api_key
    settings.INCASSO_CIR_URL, settings.INCASSO_CIR_USER, settings.INCASSO_CIR_PASSWORD = (
        cir.url,
        cir.username,
        cir.password,
    )
    client = ClientFactory(code="acme", kvk_number="68750110")
    call_command("aml", "check-client", "--client", "acme")
    assert "acme: clear" in capsys.readouterr().out
    assert AmlCheck.objects.get().subject_id == str(client.pk)
    call_command("aml", "purge", "--date", "2032-01-01")
    assert not AmlCheck.objects.exists()
