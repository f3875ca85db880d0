"""Writes for clients and debtors. Each validates the whole row before it touches the database."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.db.models import F, Value
from django.utils import timezone

from incasso.audit.field_sets import field_set_reference
from incasso.audit.models import AuditAction
from incasso.audit.services import Actor, AuditEntry, audit_record, audit_record_bulk
from incasso.core.bulk_insert import AnyKey
from incasso.crypto.services import data_keys_destroy
from incasso.domain.audit_chain import JSONValue, SubjectRef
from incasso.domain.data_map import ProcessingPurpose
from incasso.parties.models import DEBTOR_DETAILS, Client, ClientContact, ClientKind, Debtor, DebtorKind
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


@transaction.atomic
def client_relationship_end(*, client: Client, ended_on: datetime.date | None, actor: Actor, source: str) -> Client:
    """Record the day the relationship with ``client`` and the settlement of all mutual claims ended (``None``: it
    goes on after all). The client-relationship retention counts from that day, so who set it, and when, is audited.
    """
    if ended_on is not None and ended_on > timezone.localdate():
        raise ValueError("a relationship cannot have ended on a day still to come")
    before = client.relationship_ended_on
    client.relationship_ended_on = ended_on
    client.save(update_fields=["relationship_ended_on"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        subject=client,
        fields=["parties.Client.relationship_ended_on"],
        purpose=ProcessingPurpose.CLIENT_RELATIONSHIP,
        source=source,
        details={
            "from": before.isoformat() if before else None,
            "to": ended_on.isoformat() if ended_on else None,
        },
    )
    return client


# What an erased contact's name column holds: a constant, not ciphertext, that reads "[erased]" like a shredded value.
CONTACT_ERASED_NAME = "[erased]"
# The sealed fields an erasure empties (the name is required, so it holds the constant instead).
CONTACT_ERASED_FIELDS = ("name", "email", "phone", "role")
# The audit log's registered name for those fields (``audit.field_sets``), one entry per erased contact.
CONTACT_ERASED_FIELD_SET = "retention.client_contacts/1"
CONTACT_ERASED_AUDITED = tuple(f"{ClientContact._meta.label}.{name}" for name in CONTACT_ERASED_FIELDS)


@transaction.atomic
def client_contacts_erase(
    *,
    contact_ids: Sequence[int],
    actor: Actor,
    purpose: ProcessingPurpose | str,
    source: str,
    details: dict[str, JSONValue] | None = None,
) -> int:
    """Erase client contacts in a fixed number of statements, whatever their number: their data keys are destroyed
    (crypto-shredding, so a backup's copy becomes unreadable once its master version is retired), their sealed
    columns emptied and their blind-index entries removed. The rows stay, so the client's history (mailings sent,
    requests handled) still points somewhere. Returns how many keys were still live.

    Each erased contact gets its audit entry here, in the same transaction (who, why: ``details`` such as the sweep
    or the rights request, with the contact's client), so no caller can erase without a trace.
    """
    if not contact_ids:
        return 0
    contacts = ClientContact.objects.filter(AnyKey(F("pk"), list(contact_ids)))
    erased = list(contacts.values_list("pk", "client_id", "data_key_id"))
    key_ids = [key_id for _pk, _client_id, key_id in erased if key_id is not None]
    # The encrypted fields refuse plaintext in an update; an expression is written as it is and, with the key gone,
    # reads "[erased]".
    contacts.update(name=Value(CONTACT_ERASED_NAME), email="", phone="", role="", email_index="")
    destroyed = data_keys_destroy(key_ids=key_ids, indexes_emptied=[ClientContact])
    fields = field_set_reference(CONTACT_ERASED_FIELD_SET, fields=CONTACT_ERASED_AUDITED)
    shared: dict[str, JSONValue] = {**(details or {}), "action": "erase", "crypto_shredded": True}
    audit_record_bulk(
        [
            AuditEntry(
                actor=actor,
                action=AuditAction.UPDATE,
                subject=SubjectRef(ClientContact._meta.label, str(pk)),
                fields=fields,
                purpose=purpose,
                source=source,
                details={**shared, "client": client_id},
            )
            for pk, client_id, _key_id in erased
        ]
    )
    return destroyed
