"""Writes for clients and debtors. Each validates the whole row before it touches the database."""

from __future__ import annotations

import datetime

from django.db import transaction

from incasso.audit.models import AuditAction
from incasso.audit.services import Actor, audit_record
from incasso.domain.data_map import ProcessingPurpose
from incasso.parties.models import DEBTOR_DETAILS, Client, ClientKind, Debtor, DebtorKind
from incasso.parties.validators import normalize_dutch_postcode, normalize_iban


@transaction.atomic
def client_create(
    *,
    code: str,
    name: str,
    kind: ClientKind = ClientKind.OTHER,
    kvk_number: str = "",
    iban: str = "",
    vat_deductible: bool = True,
) -> Client:
    client = Client(
        code=code,
        name=name,
        kind=kind,
        kvk_number=kvk_number,
        iban=normalize_iban(iban),
        vat_deductible=vat_deductible,
    )
    client.full_clean()
    client.save()
    return client


_DEBTOR_FIELDS = ("reference", "kind", *DEBTOR_DETAILS)


@transaction.atomic
def debtor_create(
    *,
    client: Client,
    reference: str,
    kind: DebtorKind,
    given_names: str = "",
    surname: str = "",
    organisation_name: str = "",
    date_of_birth: datetime.date | None = None,
    street: str = "",
    house_number: str = "",
    postcode: str = "",
    city: str = "",
    country: str = "NL",
    email: str = "",
    phone: str = "",
    iban: str = "",
    kvk_number: str = "",
    actor: Actor,
    source: str,
) -> Debtor:
    """A debtor of ``client``, with the audit event of what was written about them (who, from where)."""
    debtor = Debtor(
        client=client,
        reference=reference,
        kind=kind,
        given_names=given_names,
        surname=surname,
        organisation_name=organisation_name,
        date_of_birth=date_of_birth,
        street=street,
        house_number=house_number,
        postcode=normalize_dutch_postcode(postcode) if country == "NL" else postcode,
        city=city,
        country=country,
        email=email,
        phone=phone,
        iban=normalize_iban(iban),
        kvk_number=kvk_number,
    )
    debtor.full_clean()
    debtor.save()
    written = [name for name in _DEBTOR_FIELDS if getattr(debtor, name) not in ("", None)]
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        subject=debtor,
        fields=[f"{Debtor._meta.label}.{name}" for name in written],
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=source,
    )
    return debtor
