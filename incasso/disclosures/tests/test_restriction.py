"""GDPR art. 18: nothing about a debtor whose processing is restricted leaves the system, but for a legal claim."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incasso.audit.models import AuditAction, AuditEvent
from incasso.cases.factories import CaseFactory
from incasso.cases.models import CaseHold
from incasso.cases.services import case_hold_place
from incasso.disclosures.errors import SubjectRestricted, TransferRefused
from incasso.disclosures.models import Disclosure, Recipient, RefusedDisclosure
from incasso.disclosures.services import DisclosureEntry, disclosure_check, disclosure_record, disclosures_record_bulk
from incasso.domain.case_lifecycle import HoldKind
from incasso.domain.data_map import DataCategory, LegalBasis, ProcessingPurpose
from incasso.parties.factories import DebtorFactory

pytestmark = pytest.mark.django_db
ADDRESS = [DataCategory.NAME, DataCategory.CONTACT_ADDRESS]


def _printer() -> Recipient:
    return Recipient.objects.get(name="Drukkerij De Letterbak B.V.")


def _restricted_debtor(creditor):
    case = CaseFactory(client=creditor, debtor=DebtorFactory(client=creditor))
    case_hold_place(case=case, kind=HoldKind.RESTRICTION, reason="art. 18 request")
    return case.debtor


def _fields(debtor, **kwargs):
    return {
        "recipient": _printer(),
        "subjects": [debtor],
        "categories": ADDRESS,
        "legal_basis": LegalBasis.LEGITIMATE_INTEREST,
        "purpose": ProcessingPurpose.DEBT_COLLECTION,
        "description": "reminder letter",
        "actor": "collector",
        **kwargs,
    }


def test_a_disclosure_about_a_restricted_debtor_is_refused_and_logged_like_a_refused_transfer(creditor):
    debtor = _restricted_debtor(creditor)
    with pytest.raises(SubjectRestricted, match=rf"parties.Debtor:{debtor.pk} is restricted \(GDPR art. 18\)"):
        disclosure_record(**_fields(debtor))
    assert issubclass(SubjectRestricted, TransferRefused)  # every caller that handles a refused transfer copes
    assert not Disclosure.objects.exists()
    refusal = RefusedDisclosure.objects.get()
    assert refusal.subjects == [f"parties.Debtor:{debtor.pk}"] and "art. 18" in refusal.reason
    event = AuditEvent.objects.get(action=AuditAction.DISCLOSE, subject_id=str(debtor.pk))
    assert event.details["outcome"] == "refused" and event.details["refused_disclosure"] == refusal.pk


def test_the_check_before_an_upload_refuses_the_same_way_and_writes_nothing_else(creditor, debtor):
    disclosure_check(**_fields(debtor))  # not restricted: passes, writes nothing
    assert not Disclosure.objects.exists() and not RefusedDisclosure.objects.exists()
    restricted = _restricted_debtor(creditor)
    with pytest.raises(SubjectRestricted):
        disclosure_check(**_fields(restricted))
    assert RefusedDisclosure.objects.count() == 1 and not Disclosure.objects.exists()


def test_a_disclosure_for_a_legal_claim_goes_and_says_so(creditor):
    debtor = _restricted_debtor(creditor)
    disclosure = disclosure_record(**_fields(debtor, legal_basis=LegalBasis.LEGAL_CLAIMS, legal_claims=True))
    event = AuditEvent.objects.get(action=AuditAction.DISCLOSE, subject_id=str(debtor.pk))
    assert event.details["disclosure"] == disclosure.pk and event.details["legal_claims"] is True


def test_a_lifted_or_ended_restriction_no_longer_blocks(creditor):
    debtor = _restricted_debtor(creditor)
    CaseHold.objects.update(until=datetime.date(2020, 1, 1))
    assert disclosure_record(**_fields(debtor)).pk


def test_one_restricted_debtor_in_a_print_batch_stops_the_whole_batch_in_a_constant_number_of_queries(creditor):
    free = DebtorFactory.create_batch(5, client=creditor)
    entries = [
        DisclosureEntry(
            _printer(), [d], ADDRESS, LegalBasis.LEGITIMATE_INTEREST, ProcessingPurpose.DEBT_COLLECTION, "letter"
        )
        for d in [*free, _restricted_debtor(creditor)]
    ]
    disclosures_record_bulk(entries=entries[:1], actor="print run")  # the audit chain's head exists
    with CaptureQueriesContext(connection) as queries, pytest.raises(SubjectRestricted):
        disclosures_record_bulk(entries=entries, actor="print run")
    assert Disclosure.objects.count() == 1 and RefusedDisclosure.objects.count() == 1
    with CaptureQueriesContext(connection) as fewer, pytest.raises(SubjectRestricted):
        disclosures_record_bulk(entries=entries[2:], actor="print run")
    assert len(fewer) == len(queries)
