"""Addresses kept current (privacy statement: "adresgegevens regelmatig worden bijgewerkt").

``debtor_address_validate`` asks the address service what is at a debtor's postcode and number; the postcode and
number leave the system, so the disclosure is logged (and the transfer rules applied) before the call.
``addresses_refresh`` reads the service's change feed from the stored cursor and moves every debtor living at a
changed address to the new street, postcode and city: candidates found by the postcode's blind index, in batches,
each batch one transaction with its audit events. The cursor moves only after a page is applied, so a run stopped
half-way repeats a page (the updates are idempotent) and never skips one. Reading the feed sends no personal
data, so it logs no disclosure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.db import models, transaction
from django.utils import timezone

from incasso.audit.models import AuditAction
from incasso.audit.services import Actor, AuditEntry, audit_record_bulk
from incasso.crypto.fields import instances_bulk_write
from incasso.disclosures.services import disclosure_record
from incasso.domain.data_map import DataCategory, LegalBasis, ProcessingPurpose
from incasso.integrations.address.client import Address, AddressChange, AddressClient, ChangePage, postcode_normalise
from incasso.integrations.models import FeedCursor
from incasso.integrations.recipients import service_recipient
from incasso.integrations.resilience import (
    SERVICE_BACKOFF,
    SERVICE_RETRIES,
    SERVICE_TIMEOUT_SECONDS,
    Backoff,
    CircuitBreaker,
    call_with_resilience,
    client_or_own,
)
from incasso.parties.models import Debtor
from incasso.parties.selectors import blind_index_filled, debtor_index_entry

ADDRESS = "address"
ACTOR = "address refresh"
ADDRESS_FIELDS = ("street", "house_number", "postcode", "city")
MAX_PAGES = 1000  # one run reads at most this many pages; the next run goes on from the cursor


def address_breaker() -> CircuitBreaker:
    return CircuitBreaker(ADDRESS)


def _house_number_int(value: str) -> int:
    digits = ""
    for char in value.strip():
        if not char.isdigit():
            break
        digits += char
    if not digits:
        raise ValueError(f"house number {value!r} does not start with a number")
    return int(digits)


def debtor_address_validate(
    *,
    debtor: Debtor,
    actor: Actor,
    client: AddressClient | None = None,
    breaker: CircuitBreaker | None = None,
    timeout: float = SERVICE_TIMEOUT_SECONDS,
    retries: int = SERVICE_RETRIES,
    backoff: Backoff = SERVICE_BACKOFF,
) -> Address | None:
    """What the address register holds at the debtor's postcode and number (``None``: no such address).

    Raises ``ValueError`` for a debtor without a postcode or number, ``TransferRefused`` when the service may not
    receive the data, ``ServiceUnavailable`` when it cannot be reached, ``RestError`` for a refusal or a bad
    answer. Changes nothing on the debtor: the caller decides what to do with a difference.
    """
    if not debtor.postcode or not debtor.house_number:
        raise ValueError("the debtor has no postcode and house number to validate")
    number = _house_number_int(debtor.house_number)
    disclosure_record(
        recipient=service_recipient(setting="INCASSO_ADDRESS_RECIPIENT"),
        subjects=[debtor],
        categories=[DataCategory.CONTACT_ADDRESS],
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        description="address validation: postcode and house number",
        actor=actor,
    )
    with client_or_own(client, AddressClient.from_settings) as service:
        return call_with_resilience(
            ADDRESS,
            partial(_lookup, service, debtor.postcode, number),
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            breaker=breaker or address_breaker(),
        )


def _lookup(client: AddressClient, postcode: str, number: int, timeout: float) -> Address | None:
    return client.lookup(postcode=postcode, house_number=number, timeout=timeout)


def _page(client: AddressClient, cursor: str, timeout: float) -> ChangePage:
    return client.changes(cursor=cursor, timeout=timeout)


@dataclass(frozen=True, slots=True)
class RefreshReport:
    pages: int = 0
    changes: int = 0
    debtors_updated: int = 0
    cursor: str = ""


def _key(postcode: str, house_number: str) -> tuple[str, str]:
    return postcode_normalise(postcode), house_number.replace(" ", "").upper()


def _apply(changes: Iterable[AddressChange], *, batch_size: int) -> int:
    """Move every debtor at a changed address: candidates found by the postcode's blind index (the address fields
    are encrypted), compared in plaintext, written in batches, each batch one transaction with its audit events."""
    moved = {change.before: change.after for change in changes}
    if not moved:
        return 0
    indexes = sorted({debtor_index_entry("postcode_index", postcode) for postcode, _number in moved})
    updated = 0
    after = 0
    while True:
        candidates = Debtor.objects.filter(blind_index_filled("postcode_index"), postcode_index__in=indexes)
        batch = list(candidates.filter(pk__gt=after).order_by("pk")[:batch_size])
        if not batch:
            return updated
        after = batch[-1].pk
        changed: list[Debtor] = []
        for debtor in batch:
            new = moved.get(_key(debtor.postcode, debtor.house_number))
            if new is None or (debtor.street, debtor.house_number, debtor.postcode, debtor.city) == (
                new.street,
                new.house_number,
                new.postcode,
                new.city,
            ):
                continue
            debtor.street, debtor.house_number = new.street, new.house_number
            debtor.postcode, debtor.city = new.postcode, new.city
            changed.append(debtor)
        if not changed:
            continue
        with transaction.atomic():
            written: list[models.Model] = list(changed)
            instances_bulk_write(written, list(ADDRESS_FIELDS))
            audit_record_bulk(
                [
                    AuditEntry(
                        actor=ACTOR,
                        action=AuditAction.UPDATE,
                        subject=debtor,
                        fields=[f"parties.Debtor.{name}" for name in ADDRESS_FIELDS],
                        purpose=ProcessingPurpose.DEBT_COLLECTION,
                        source="address change feed",
                    )
                    for debtor in changed
                ]
            )
        updated += len(changed)


def addresses_refresh(
    *,
    client: AddressClient | None = None,
    breaker: CircuitBreaker | None = None,
    batch_size: int = 1000,
    timeout: float = SERVICE_TIMEOUT_SECONDS,
    retries: int = SERVICE_RETRIES,
    backoff: Backoff = SERVICE_BACKOFF,
) -> RefreshReport:
    """Apply the address change feed since the stored cursor. ``ServiceUnavailable`` leaves the cursor where the
    last applied page put it (the next run goes on from there); ``RestMalformed`` changes nothing for that page."""
    FeedCursor.objects.get_or_create(name=ADDRESS)
    cursor = FeedCursor.objects.get(name=ADDRESS).cursor
    breaker = breaker or address_breaker()
    pages = changes = updated = 0
    with client_or_own(client, AddressClient.from_settings) as service:
        for _ in range(MAX_PAGES):
            page = call_with_resilience(
                ADDRESS,
                partial(_page, service, cursor),
                timeout=timeout,
                retries=retries,
                backoff=backoff,
                breaker=breaker,
            )
            updated += _apply(page.changes, batch_size=batch_size)
            FeedCursor.objects.filter(name=ADDRESS).update(cursor=page.cursor, updated_at=timezone.now())
            cursor = page.cursor
            pages += 1
            changes += len(page.changes)
            if not page.more:
                break
    return RefreshReport(pages=pages, changes=changes, debtors_updated=updated, cursor=cursor)
