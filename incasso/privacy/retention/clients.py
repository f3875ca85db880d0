"""Retention of client-relationship data (SPEC P-2, LEGAL.md §7: 36 months after the relationship and the
settlement of all mutual claims ended): the client's contact persons.

The day counted from is ``parties.Client.relationship_ended_on``, set by an administrator
(``parties.services.client_relationship_end``). Once the policy's period has passed since then, each contact person
of the client is erased as a rights request's erasure erases them (``parties.services.client_contacts_erase``): their
data key is destroyed (crypto-shredding, so backups lose the values too) and the row stays, reading "[erased]", so
the client's history still points somewhere. What the books need stays: the client's own name, KvK number and IBAN,
its agreements and its ledger (bookkeeping, 7 years; AML checks follow their own 5-year rule).

A client is kept while mutual claims are not settled (a case of it not closed) or while a legal hold is in force on
the client itself or on any of its cases or debtors (a dispute about a client's claims is one about the client).
Each chunk is erased in a fixed number of statements, in one transaction with one audit event per contact (the audit
log's named set ``retention.client_contacts/1``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q, QuerySet

from incasso.cases.models import Case, CaseHold
from incasso.domain.case_stages import Stage
from incasso.parties.models import Client, ClientContact
from incasso.parties.services import (
    CONTACT_ERASED_AUDITED,
    CONTACT_ERASED_FIELD_SET,
    CONTACT_ERASED_NAME,
    client_contacts_erase,
)
from incasso.privacy.models import LegalHold, RetentionPolicy, RetentionSweep
from incasso.privacy.retention.holds import active_legal_holds
from incasso.privacy.retention.policies import latest_expired_trigger, policy_period

# What an erased contact's name reads: the same as after a rights request's erasure (``rights.execution``).
ERASED_NAME = CONTACT_ERASED_NAME
# The audit entries ``client_contacts_erase`` writes per contact name these fields.
AUDITED_FIELD_SET = CONTACT_ERASED_FIELD_SET
AUDITED_FIELDS = CONTACT_ERASED_AUDITED


def expired_clients(*, sweep: RetentionSweep, policy: RetentionPolicy) -> QuerySet[Client]:
    """Clients whose relationship ended on or before the policy's last expired trigger day, with every case closed
    and no legal hold in force on them or on any of their cases or debtors. Never the agency itself."""
    cutoff = latest_expired_trigger(policy_period(policy), sweep.as_of)
    privacy_hold, case_hold = active_legal_holds(sweep.as_of)
    client = OuterRef("pk")
    return (
        Client.objects.filter(relationship_ended_on__lte=cutoff, is_agency=False)
        .exclude(Exists(Case.objects.filter(client_id=client).exclude(stage=Stage.CLOSED.value)))
        .exclude(
            Exists(
                LegalHold.objects.filter(
                    privacy_hold, Q(client_id=client) | Q(case__client_id=client) | Q(debtor__client_id=client)
                )
            )
        )
        .exclude(Exists(CaseHold.objects.filter(case_hold, case__client_id=client)))
    )


def expired_client_contacts(*, sweep: RetentionSweep, policy: RetentionPolicy) -> QuerySet[ClientContact]:
    """The expired clients' contacts still holding personal data: those with a live data key (an erased one's key
    is destroyed, and one without a key holds nothing sealed), so an erased contact is not swept again."""
    return ClientContact.objects.filter(
        client__in=expired_clients(sweep=sweep, policy=policy),
        data_key__isnull=False,
        data_key__destroyed_at__isnull=True,
    ).order_by("pk")


def client_relationship_sweep(
    *, sweep: RetentionSweep, policy: RetentionPolicy, chunk_size: int, on_chunk: Callable[[int], None]
) -> None:
    expired = expired_client_contacts(sweep=sweep, policy=policy)
    last = 0
    while True:
        chunk = list(expired.filter(pk__gt=last).values_list("pk", flat=True)[:chunk_size])
        if not chunk:
            return
        last = chunk[-1]
        if not sweep.dry_run:
            # One transaction per chunk, its audit entries (one per contact) written by the erasure itself.
            client_contacts_erase(
                contact_ids=chunk,
                actor="retention sweep",
                purpose=policy.purpose,
                source="retention sweep",
                details={"sweep": sweep.pk},
            )
        on_chunk(len(chunk))
