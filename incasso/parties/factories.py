# mypy: disable-error-code="no-untyped-call"
# (factory_boy declares its declarations without types.)
"""Test factories for clients and debtors."""

from __future__ import annotations

import datetime

import factory
from factory.declarations import Sequence, SubFactory, Trait
from factory.faker import Faker

from incasso.parties.models import Client, ClientKind, Debtor, DebtorKind


class ClientFactory(factory.django.DjangoModelFactory[Client]):
    class Meta:
        model = Client
        django_get_or_create = ("code",)

    code = Sequence(lambda n: f"client-{n}")
    name = Sequence(lambda n: f"Opdrachtgever {n} B.V.")
    kind = ClientKind.OTHER
    kvk_number = Sequence(lambda n: f"{10_000_000 + n}")
    iban = "NL91ABNA0417164300"
    vat_deductible = True


class DebtorFactory(factory.django.DjangoModelFactory[Debtor]):
    class Meta:
        model = Debtor

    client = SubFactory(ClientFactory)
    reference = Sequence(lambda n: f"C{n:06d}")
    kind = DebtorKind.CONSUMER
    given_names = Faker("first_name", locale="nl_NL")
    surname = Faker("last_name", locale="nl_NL")
    date_of_birth = datetime.date(1980, 5, 17)
    street = Faker("street_name", locale="nl_NL")
    house_number = Sequence(lambda n: str(n % 200 + 1))
    postcode = "1012 AB"
    city = Faker("city", locale="nl_NL")
    email = Sequence(lambda n: f"debtor{n}@example.com")
    iban = "NL02ABNA0123456789"

    class Params:
        company = Trait(
            kind=DebtorKind.COMPANY,
            given_names="",
            surname="",
            organisation_name=Sequence(lambda n: f"Bedrijf {n} B.V."),
            date_of_birth=None,
            kvk_number=Sequence(lambda n: f"{20_000_000 + n}"),
        )
