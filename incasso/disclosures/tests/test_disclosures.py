from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from incasso.audit.models import AuditEvent
from incasso.disclosures import services
from incasso.disclosures.errors import TransferRefused
from incasso.disclosures.models import Agreement, AgreementKind, Disclosure, Recipient, RefusedDisclosure
from incasso.disclosures.selectors import disclosures_for_subject, recipients_overview
from incasso.disclosures.services import DisclosureEntry, disclosure_record, disclosures_record_bulk
from incasso.domain.data_map import DataCategory, LegalBasis, ProcessingPurpose
from incasso.parties.factories import DebtorFactory

ADDRESS = [DataCategory.NAME, DataCategory.CONTACT_ADDRESS]


def _recipient(name: str, country: str, category: str = "partner_agencies_abroad", *kinds: str) -> Recipient:
    recipient = Recipient.objects.create(name=name, category=category, country=country)
    for kind in kinds:
        Agreement.objects.create(recipient=recipient, kind=kind, signed_on=datetime.date(2024, 1, 1))
    return recipient


def _disclose(recipient: Recipient, debtor, case=None) -> Disclosure:
    return disclosure_record(
        recipient=recipient,
        subjects=[debtor],
        categories=[*ADDRESS, DataCategory.DEBT],
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        case=case,
        description="case handed over to a partner agency",
        actor="collector",
    )


def test_the_migration_seeds_one_recipient_per_category_and_a_refused_demo(db):
    assert Recipient.objects.filter(category="print_house").exists()
    overview = {row.name: row for row in recipients_overview(day=datetime.date(2026, 1, 1))}
    assert overview["US Recovery Partners Inc."].transfer_allowed
    assert overview["US Recovery Partners Inc."].safeguards == ("scc",)
    assert overview["Swiss Collect AG"].transfer_allowed
    assert not overview["Cobranzas Andinas S.A.S."].transfer_allowed


@pytest.mark.django_db
def test_a_transfer_to_the_us_without_scc_is_refused_and_logged(debtor):
    recipient = _recipient("Collect USA", "US")
    audit_before = AuditEvent.objects.count()
    with pytest.raises(
        TransferRefused, match="Collect USA refused: US: the adequacy decision covers only organisations certified"
    ):
        _disclose(recipient, debtor)
    assert not Disclosure.objects.exists()
    refusal = RefusedDisclosure.objects.get()
    assert refusal.subjects == [f"parties.Debtor:{debtor.pk}"]
    event = AuditEvent.objects.order_by("-sequence").first()
    assert AuditEvent.objects.count() == audit_before + 1
    assert event is not None
    assert event.action == "disclose"
    assert event.details["outcome"] == "refused"
    assert event.subject_id == str(debtor.pk)


@pytest.mark.django_db
def test_a_transfer_to_the_us_with_scc_on_file_is_allowed(debtor, case):
    recipient = _recipient("Collect USA", "US", "partner_agencies_abroad", AgreementKind.SCC)
    disclosure = _disclose(recipient, debtor, case)
    assert disclosure.transfer_basis == "safeguards"
    assert disclosure.case == case


@pytest.mark.django_db
def test_expired_scc_are_no_safeguard(debtor):
    recipient = _recipient("Collect USA", "US")
    Agreement.objects.create(
        recipient=recipient,
        kind=AgreementKind.SCC,
        signed_on=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2021, 1, 1),
    )
    with pytest.raises(TransferRefused):
        _disclose(recipient, debtor)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "basis"), [("DE", "eea"), ("CH", "adequacy"), ("GB", "adequacy"), ("JP", "adequacy")]
)
def test_eea_and_adequacy_countries_are_allowed(debtor, country, basis):
    assert _disclose(_recipient(f"Agency {country}", country), debtor).transfer_basis == basis


@pytest.mark.django_db
def test_a_disclosure_writes_its_subjects_and_one_audit_event_per_subject(creditor):
    first, second = DebtorFactory(client=creditor), DebtorFactory(client=creditor)
    recipient = _recipient("Agency DE", "DE")
    disclosure = disclosure_record(
        recipient=recipient,
        subjects=[first, f"parties.Debtor:{second.pk}"],
        categories=ADDRESS,
        legal_basis=LegalBasis.CONTRACT,
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        description="joint debtors handed over",
        actor="collector",
    )
    events = AuditEvent.objects.filter(action="disclose", details__disclosure=disclosure.pk)
    assert sorted(events.values_list("subject_id", flat=True)) == sorted([str(first.pk), str(second.pk)])
    assert events.first().fields == ["user.name", "user.contact.address"]  # type: ignore[union-attr]
    [record] = disclosures_for_subject(first)
    assert record.recipient == "Agency DE"
    assert record.categories == ("user.name", "user.contact.address")
    assert disclosures_for_subject(f"parties.Debtor:{second.pk}") == [record]
    assert disclosures_for_subject("parties.Debtor:0") == []


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_neither_disclosure_nor_audit_event(debtor):
    recipient = _recipient("Agency DE", "DE")
    audit_before = AuditEvent.objects.count()

    def disclose_then_fail() -> None:
        with transaction.atomic():
            _disclose(recipient, debtor)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        disclose_then_fail()
    assert not Disclosure.objects.exists()
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.django_db
def test_a_failing_audit_write_leaves_no_disclosure(debtor, monkeypatch):
    def broken(entries):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "audit_record_bulk", broken)
    with pytest.raises(RuntimeError, match="audit down"):
        _disclose(_recipient("Agency DE", "DE"), debtor)
    assert not Disclosure.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("categories", ["user.favourite_colour"]), ("legal_basis", "6(1)(z)"), ("purpose", "fun"), ("description", " ")],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(debtor, field, value):
    arguments = {
        "recipient": _recipient("Agency DE", "DE"),
        "subjects": [debtor],
        "categories": ADDRESS,
        "legal_basis": LegalBasis.CONTRACT,
        "purpose": ProcessingPurpose.DEBT_COLLECTION,
        "description": "x",
        "actor": "collector",
        field: value,
    }
    with pytest.raises(ValueError, match=field.split("_")[-1] if field != "categories" else "categories"):
        disclosure_record(**arguments)
    assert not Disclosure.objects.exists()


def _batch(recipient: Recipient, debtors) -> list[DisclosureEntry]:
    return [
        DisclosureEntry(
            recipient, [debtor], ADDRESS, LegalBasis.LEGITIMATE_INTEREST, ProcessingPurpose.DEBT_COLLECTION, "letter"
        )
        for debtor in debtors
    ]


@pytest.mark.django_db
def test_the_bulk_disclosure_runs_a_constant_number_of_queries(creditor):
    printer = Recipient.objects.get(name="Drukkerij De Letterbak B.V.")
    debtors = DebtorFactory.create_batch(60, client=creditor)
    disclosures_record_bulk(entries=_batch(printer, debtors[:1]), actor="print run")  # the audit chain's head exists
    counts = []
    for size in (5, 60):
        with CaptureQueriesContext(connection) as queries:
            written = disclosures_record_bulk(entries=_batch(printer, debtors[:size]), actor="print run")
        assert len(written) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert AuditEvent.objects.filter(action="disclose").count() == 66


@pytest.mark.django_db
def test_a_bulk_with_one_refused_recipient_discloses_nothing(debtor):
    allowed, refused = _recipient("Agency DE", "DE"), _recipient("Cobranzas", "CO")
    with pytest.raises(TransferRefused, match="Cobranzas"):
        disclosures_record_bulk(entries=_batch(allowed, [debtor]) + _batch(refused, [debtor]), actor="run")
    assert not Disclosure.objects.exists()
    assert RefusedDisclosure.objects.get().recipient == refused


@pytest.mark.django_db
def test_the_overview_counts_actual_disclosures(debtor):
    recipient = _recipient("Agency DE", "DE", "partner_agencies_abroad", AgreementKind.JOINT_CONTROLLER)
    _disclose(recipient, debtor)
    _disclose(recipient, debtor)
    [row] = [r for r in recipients_overview(day=datetime.date(2026, 1, 1)) if r.name == "Agency DE"]
    assert row.disclosures == 2
    assert row.agreements == ("joint_controller",)
    assert row.last_disclosed_at is not None
