"""Asking for credit information about a debtor: never without a purpose and a legal basis, and logged first."""

from __future__ import annotations

from functools import partial

from incasso.audit.services import Actor
from incasso.disclosures.services import disclosure_record
from incasso.domain.data_map import DataCategory, LegalBasis, ProcessingPurpose
from incasso.integrations.credit.port import (
    CreditInformation,
    CreditQuery,
    CreditReport,
    credit_information_from_settings,
)
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

CREDIT = "credit"
# Purposes a credit report may serve (the register of processing: credit assessment, collection strategy).
ALLOWED_PURPOSES = frozenset({ProcessingPurpose.CREDIT_ASSESSMENT, ProcessingPurpose.DEBT_COLLECTION})
ALLOWED_BASES = frozenset({LegalBasis.CONTRACT, LegalBasis.LEGITIMATE_INTEREST, LegalBasis.CONSENT})


class CreditRequestRefused(ValueError):
    """No purpose or legal basis (or one a credit report may not serve): nothing is asked."""


def credit_breaker() -> CircuitBreaker:
    return CircuitBreaker(CREDIT)


def _report(adapter: CreditInformation, query: CreditQuery, timeout: float) -> CreditReport | None:
    return adapter.report(query, timeout=timeout)


def credit_report_request(
    *,
    debtor: Debtor,
    purpose: ProcessingPurpose | str,
    legal_basis: LegalBasis | str,
    actor: Actor,
    adapter: CreditInformation | None = None,
    breaker: CircuitBreaker | None = None,
    timeout: float = SERVICE_TIMEOUT_SECONDS,
    retries: int = SERVICE_RETRIES,
    backoff: Backoff = SERVICE_BACKOFF,
) -> CreditReport | None:
    """A credit report on the debtor, or ``None`` (no bureau configured, or it knows nobody).

    The purpose and legal basis are checked before anything else and recorded with the disclosure, which is
    logged (with the transfer check) before the bureau is asked. The null adapter sends nothing and logs nothing.
    """
    try:
        checked_purpose, checked_basis = ProcessingPurpose(purpose), LegalBasis(legal_basis)
    except ValueError:
        raise CreditRequestRefused(
            f"a credit report needs a purpose and a legal basis, got {purpose!r}, {legal_basis!r}"
        ) from None
    if checked_purpose not in ALLOWED_PURPOSES or checked_basis not in ALLOWED_BASES:
        raise CreditRequestRefused(f"a credit report may not serve {checked_purpose} on basis {checked_basis}")
    with client_or_own(adapter, credit_information_from_settings) as bureau:
        if not bureau.sends_data:
            return bureau.report(CreditQuery("", None, "", ""), timeout=timeout)
        disclosure_record(
            recipient=service_recipient(setting="INCASSO_CREDIT_RECIPIENT"),
            subjects=[debtor],
            categories=[DataCategory.NAME, DataCategory.DATE_OF_BIRTH, DataCategory.CONTACT_ADDRESS],
            legal_basis=checked_basis,
            purpose=checked_purpose,
            description="credit information request: name, date of birth, address",
            actor=actor,
        )
        query = CreditQuery(
            name=str(debtor),
            date_of_birth=debtor.date_of_birth,
            postcode=debtor.postcode,
            house_number=debtor.house_number,
            kvk_number=debtor.kvk_number,
        )
        return call_with_resilience(
            CREDIT,
            partial(_report, bureau, query),
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            breaker=breaker or credit_breaker(),
        )
