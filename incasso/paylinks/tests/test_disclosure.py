"""A payment link sends the case number, payment reference and amount to the provider: a disclosure about the
debtor, logged before it goes (SPEC P-8, the privacy statement's "we record every disclosure")."""

from __future__ import annotations

import pytest
from django.conf import settings

from incasso.disclosures.models import Disclosure, Recipient
from incasso.integrations.recipients import RecipientNotRegistered
from incasso.paylinks.models import PaymentLink
from incasso.paylinks.services import payment_link_create


def test_creating_a_link_logs_a_disclosure_to_the_provider(owing_case, provider):
    link = payment_link_create(case=owing_case, method="ideal", provider=provider)

    (disclosure,) = Disclosure.objects.all()
    assert disclosure.recipient.name == settings.INCASSO_PAYMENT_RECIPIENT == "Payment provider"
    assert disclosure.recipient.category == "banks"  # seeded by disclosures' migration 0004
    assert disclosure.case_id == link.case_id
    assert disclosure.categories == ["user.unique_id", "user.financial.debt"]
    assert [(s.subject_type, s.subject_id) for s in disclosure.subjects.all()] == [
        ("parties.Debtor", str(owing_case.debtor_id))
    ]


def test_nothing_goes_to_a_provider_that_is_not_in_the_register(owing_case, local_provider, provider):
    Recipient.objects.filter(name=settings.INCASSO_PAYMENT_RECIPIENT).update(active=False)

    with pytest.raises(RecipientNotRegistered):
        payment_link_create(case=owing_case, method="ideal", provider=provider)

    assert not local_provider.payments
    assert not PaymentLink.objects.exists()
    assert not Disclosure.objects.exists()
