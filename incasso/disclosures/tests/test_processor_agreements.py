"""A processor receives personal data only under a processor agreement in force that day (GDPR art. 28; the privacy
statement: the agreements are in place "before we provide the data"). Refused otherwise, and the refusal logged."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from incasso.disclosures.errors import TransferRefused
from incasso.disclosures.models import Agreement, AgreementKind, Disclosure, Recipient, RefusedDisclosure
from incasso.disclosures.services import PROCESSOR_CATEGORIES, disclosure_record
from incasso.domain.data_map import DataCategory, LegalBasis, ProcessingPurpose

TODAY = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _recipient(category: str, *agreements: tuple[str, datetime.date | None, datetime.date | None]) -> Recipient:
    recipient = Recipient.objects.create(name=f"A {category}", category=category, country="NL")
    for kind, signed_on, valid_until in agreements:
        Agreement.objects.create(recipient=recipient, kind=kind, signed_on=signed_on, valid_until=valid_until)
    return recipient


def _disclose(recipient: Recipient, debtor) -> Disclosure:
    return disclosure_record(
        recipient=recipient,
        subjects=[debtor],
        categories=[DataCategory.NAME, DataCategory.CONTACT_ADDRESS],
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        description="letters printed and posted",
        actor="collector",
    )


def test_the_processor_categories_are_those_the_register_names():
    assert {"print_house", "it_suppliers", "process_servers", "address_services"} == PROCESSOR_CATEGORIES


DAY = TODAY.date()
ONE_DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    "agreements",
    [
        (),
        ((AgreementKind.NONE, None, None),),  # "no agreement" on file is no processor agreement
        ((AgreementKind.PROCESSOR_AGREEMENT, DAY + ONE_DAY, None),),  # signed tomorrow
        ((AgreementKind.PROCESSOR_AGREEMENT, datetime.date(2024, 1, 1), DAY - ONE_DAY),),  # ended yesterday
    ],
    ids=["none on file", "kind none", "not yet signed", "ended"],
)
def test_a_processor_without_an_agreement_in_force_gets_nothing_and_the_refusal_is_logged(debtor, agreements):
    recipient = _recipient("print_house", *agreements)

    with pytest.raises(TransferRefused, match=r"no processor agreement \(GDPR art. 28\) with A print_house"):
        _disclose(recipient, debtor)

    assert not Disclosure.objects.exists()
    refusal = RefusedDisclosure.objects.get()
    assert (refusal.recipient, refusal.subjects) == (recipient, [f"parties.Debtor:{debtor.pk}"])
    assert "2026-06-15" in refusal.reason


@pytest.mark.parametrize(
    "valid",
    [(DAY, None), (datetime.date(2024, 1, 1), DAY), (None, None)],
    ids=["signed today", "ends today", "undated"],
)
def test_a_processor_with_an_agreement_in_force_that_day_receives_the_data(debtor, valid):
    recipient = _recipient("address_services", (AgreementKind.PROCESSOR_AGREEMENT, *valid))

    assert _disclose(recipient, debtor).recipient == recipient


def test_a_recipient_that_is_not_a_processor_needs_no_processor_agreement(debtor):
    assert _disclose(_recipient("bailiffs"), debtor).transfer_basis == "eea"
