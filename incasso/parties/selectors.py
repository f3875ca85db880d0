"""Reads for clients and debtors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet

from incasso.core.bulk_insert import AnyOf
from incasso.crypto.fields import BlindIndexField
from incasso.domain.instructions import ClientInstructions
from incasso.domain.money import Money
from incasso.parties.models import Client, ClientContact, Debtor, ProcessorAgreement


@dataclass(frozen=True)
class ClientOverview:
    id: int
    code: str
    name: str
    debtor_count: int


def client_exists() -> bool:
    """Whether any client exists: the demo loader's "is this database empty?" question."""
    return Client.objects.exists()


def client_overviews() -> list[ClientOverview]:
    """Every client with its number of debtors, in one query."""
    rows = (
        Client.objects.annotate(debtor_count=Count("debtors"))
        .order_by("name")
        .values_list("id", "code", "name", "debtor_count")
    )
    return [ClientOverview(id=pk, code=code, name=name, debtor_count=count) for pk, code, name, count in rows]


def client_instructions(*, client_id: int, on: date) -> ClientInstructions:
    """The instructions of the processor agreement in force on ``on`` (the highest version valid by then)."""
    return client_instructions_by_client(client_ids=[client_id], on=on)[client_id]


def client_instructions_by_client(*, client_ids: Iterable[int], on: date) -> dict[int, ClientInstructions]:
    """Instructions per client in one query, for set-based work such as the daily run."""
    ids = list(client_ids)
    result = dict.fromkeys(ids, ClientInstructions.agency_default())
    agreements = (
        ProcessorAgreement.objects.filter(client_id__in=ids, valid_from__lte=on)
        .order_by("client_id", "-version")
        .values_list(
            "client_id",
            "version",
            "allowed_measures",
            "legal_steps_need_approval",
            "settlement_authority_bp",
            "plan_max_months",
            "plan_min_instalment_cents",
        )
    )
    seen: set[int] = set()
    for client_id, version, measures, approval, settlement, months, minimum in agreements:
        if client_id in seen:
            continue
        seen.add(client_id)
        result[client_id] = ClientInstructions(
            agreement_version=version,
            allowed_measures=frozenset(measures),
            legal_steps_need_approval=approval,
            settlement_authority_bp=settlement,
            plan_max_months=months,
            plan_min_instalment=Money(minimum),
        )
    return result


def blind_index_filled(*columns: str) -> Q:
    """``column <> ''`` for each blind-index column: the predicate of the debtors' partial blind indexes (which leave
    empty entries out), for a lookup to state when the planner cannot prove it from the values themselves: an
    ``= ANY(array)`` of more than 100 entries, or values bound on the server (a generic plan does not know them)."""
    return Q(*(~Q(**{column: ""}) for column in columns))


def debtor_index_entry(column: str, *values: str) -> str:
    """The entry ``values`` (plaintext, in the order of the index's sources) have in the debtors' blind index
    ``column`` ("" for no value): what a lookup on that column looks for. The one way every caller works one out,
    also ahead of the lookup (the statement import's reader process, the address feed)."""
    field = Debtor._meta.get_field(column)
    assert isinstance(field, BlindIndexField)  # noqa: S101 - narrows the type
    return field.compute(*values)


def debtor_index_values(
    *,
    iban: str | None = None,
    email: str | None = None,
    surname: str | None = None,
    given_names: str = "",
    postcode: str | None = None,
) -> dict[str, str]:
    """The blind-index entries to look for, per index column, for the values given."""
    wanted: dict[str, str] = {}
    if iban is not None:
        wanted["iban_index"] = debtor_index_entry("iban_index", iban)
    if email is not None:
        wanted["email_index"] = debtor_index_entry("email_index", email)
    if surname is not None:
        wanted["name_index"] = debtor_index_entry("name_index", surname, given_names)
    if postcode is not None:
        wanted["postcode_index"] = debtor_index_entry("postcode_index", postcode)
    return wanted


def debtors_matching(
    *,
    client: Client | int,
    iban: str | None = None,
    email: str | None = None,
    surname: str | None = None,
    given_names: str = "",
    postcode: str | None = None,
) -> QuerySet[Debtor]:
    """A client's debtors whose values equal all those given (exact match after normalising: case, spaces and, for
    names, accents do not matter), found through the blind indexes. An empty value or no value finds nothing."""
    wanted = debtor_index_values(iban=iban, email=email, surname=surname, given_names=given_names, postcode=postcode)
    client_id = client.pk if isinstance(client, Client) else client
    if not wanted or not all(wanted.values()):
        return Debtor.objects.none()
    return Debtor.objects.filter(blind_index_filled(*wanted), client_id=client_id, **wanted)


def debtor_ids_by_iban(*, ibans: Iterable[str], indexed: Mapping[str, str] | None = None) -> dict[str, set[int]]:
    """For each IBAN (any client), the debtors holding it — one query over the IBAN blind index. ``indexed`` may
    hold, by IBAN, entries worked out already (``debtor_index_entry("iban_index", iban)``); the others are worked
    out here."""
    known = indexed or {}
    by_entry: dict[str, str] = {}
    for iban in ibans:
        entry = known.get(iban)
        if entry is None:
            entry = debtor_index_entry("iban_index", iban)
        if entry:
            by_entry[entry] = iban
    found: dict[str, set[int]] = {}
    if by_entry:
        wanted = Debtor.objects.filter(blind_index_filled("iban_index"), AnyOf(F("iban_index"), list(by_entry)))
        for entry, debtor_id in wanted.values_list("iban_index", "pk"):
            found.setdefault(by_entry[entry], set()).add(debtor_id)
    return found


def client_contact_email_entry(email: str) -> str:
    """The entry ``ClientContact.email_index`` holds for an address ("" for none): how a contact is found by it."""
    field = ClientContact._meta.get_field("email_index")
    assert isinstance(field, BlindIndexField)  # noqa: S101 - narrows the type
    return field.compute(email)


def client_contacts_with_email(*, email: str) -> QuerySet[ClientContact]:
    """Every client's contacts with this e-mail address (case and spaces do not matter), through the blind index:
    the column itself is sealed. An empty address finds nothing."""
    entry = client_contact_email_entry(email)
    if not entry:
        return ClientContact.objects.none()
    return ClientContact.objects.filter(email_index=entry).order_by("pk")


def client_contact_emails(*, client: Client | int) -> list[str]:
    """The addresses of a client's contacts that can be written to, in the order they were added: instances, not
    ``values_list``, because the column is sealed; an erased contact (key destroyed, index entry emptied) has none."""
    client_id = client.pk if isinstance(client, Client) else client
    contacts = ClientContact.objects.filter(blind_index_filled("email_index"), client_id=client_id).order_by("pk")
    return [address for address in (contact.email_address for contact in contacts) if address]
