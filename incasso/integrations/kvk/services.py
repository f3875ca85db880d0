"""Checking a company debtor or client against the Chamber of Commerce register.

The KvK number is personal data when the company is a sole trader or partnership, so each look-up is logged as a
disclosure (with the transfer check) before it is made; the answer is not stored here — the caller keeps what its
check needs (``aml`` keeps a result and minimal evidence).
"""

from __future__ import annotations

from functools import partial

from django.db import models

from incasso.audit.services import Actor
from incasso.disclosures.services import disclosure_record
from incasso.domain.data_map import DataCategory, LegalBasis, ProcessingPurpose
from incasso.integrations.kvk.client import CompanyProfile, KvkClient, kvk_number_check
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

KVK = "kvk"


def kvk_breaker() -> CircuitBreaker:
    return CircuitBreaker(KVK)


def _profile(client: KvkClient, number: str, timeout: float) -> CompanyProfile | None:
    return client.profile(number, timeout=timeout)


def kvk_company_check(
    *,
    kvk_number: str,
    subject: models.Model,
    actor: Actor,
    purpose: ProcessingPurpose = ProcessingPurpose.DEBT_COLLECTION,
    client: KvkClient | None = None,
    breaker: CircuitBreaker | None = None,
    timeout: float = SERVICE_TIMEOUT_SECONDS,
    retries: int = SERVICE_RETRIES,
    backoff: Backoff = SERVICE_BACKOFF,
) -> CompanyProfile | None:
    """The register's profile of the company (``None``: not registered), for ``subject`` (a debtor or client).

    Raises ``ValueError`` for a malformed number (nothing sent), ``TransferRefused``, ``ServiceUnavailable``, or a
    ``RestError`` when KvK refuses or answers something unreadable.
    """
    number = kvk_number_check(kvk_number)
    disclosure_record(
        recipient=service_recipient(setting="INCASSO_KVK_RECIPIENT"),
        subjects=[subject],
        categories=[DataCategory.GOVERNMENT_ID],
        legal_basis=LegalBasis.LEGAL_OBLIGATION if purpose == ProcessingPurpose.AML else LegalBasis.LEGITIMATE_INTEREST,
        purpose=purpose,
        description="company look-up in the Chamber of Commerce register: KvK number",
        actor=actor,
    )
    with client_or_own(client, KvkClient.from_settings) as kvk:
        return call_with_resilience(
            KVK,
            partial(_profile, kvk, number),
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            breaker=breaker or kvk_breaker(),
        )
