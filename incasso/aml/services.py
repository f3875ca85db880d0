"""Checking clients, partners and guarantors against public registers (issue 8 item 6, SPEC P-2).

A company is looked up in the Chamber of Commerce register (``integrations.kvk``) and in the insolvency register
by its KvK number; a person (a guarantor) in the insolvency register by surname and date of birth. Each query is
a disclosure, logged with the transfer check before it is made. Only the outcome and the minimal evidence it rests
on are kept (registered, active, legal form, insolvency numbers), until the end of the AML retention period
(``privacy.RetentionPolicy`` "aml": five years); ``aml_checks_purge`` removes what has expired.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.db import models, transaction

from incasso.aml.models import AmlCheck, AmlOutcome, AmlRole
from incasso.audit.models import AuditAction
from incasso.audit.services import Actor, AuditEntry, audit_record, audit_record_bulk
from incasso.disclosures.services import actor_label_of, disclosure_record, subject_ref_of
from incasso.domain.audit_chain import SubjectRef
from incasso.domain.data_map import DataCategory, LegalBasis, ProcessingPurpose
from incasso.domain.retention import retention_end
from incasso.integrations.cir.client import CirClient, CompanySearch, PersonSearch, Publication, Search
from incasso.integrations.cir.services import cir_breaker
from incasso.integrations.kvk.client import KvkClient
from incasso.integrations.kvk.services import kvk_company_check
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
from incasso.privacy.models import RetentionPolicy
from incasso.privacy.retention.policies import policy_period, retention_policies_ensure

PURGE_CHUNK = 1000


def aml_retain_until(checked_on: datetime.date) -> datetime.date:
    retention_policies_ensure()
    policy = RetentionPolicy.objects.get(purpose=ProcessingPurpose.AML.value)
    return retention_end(checked_on, policy_period(policy))


def _search(client: CirClient, search: Search, timeout: float) -> list[Publication]:
    return client.search(search, timeout=timeout)


def _insolvencies(
    *,
    subject: models.Model,
    search: Search,
    actor: Actor,
    client: CirClient | None,
    breaker: CircuitBreaker | None,
    timeout: float,
    retries: int,
    backoff: Backoff,
) -> list[str]:
    person = isinstance(search, PersonSearch)
    disclosure_record(
        recipient=service_recipient(setting="INCASSO_CIR_RECIPIENT"),
        subjects=[subject],
        categories=[DataCategory.NAME, DataCategory.DATE_OF_BIRTH] if person else [DataCategory.GOVERNMENT_ID],
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        purpose=ProcessingPurpose.AML,
        description="AML check in the insolvency register: " + ("surname, date of birth" if person else "KvK number"),
        actor=actor,
    )
    with client_or_own(client, CirClient.from_settings) as cir:
        found = call_with_resilience(
            "cir",
            partial(_search, cir, search),
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            breaker=breaker or cir_breaker(),
        )
    return sorted(p.insolvency_number for p in found)


def aml_check(
    *,
    subject: models.Model,
    role: AmlRole,
    actor: Actor,
    today: datetime.date,
    kvk_number: str = "",
    person: PersonSearch | None = None,
    kvk_client: KvkClient | None = None,
    cir_client: CirClient | None = None,
    kvk_breaker: CircuitBreaker | None = None,
    cir_breaker_: CircuitBreaker | None = None,
    timeout: float = SERVICE_TIMEOUT_SECONDS,
    retries: int = SERVICE_RETRIES,
    backoff: Backoff = SERVICE_BACKOFF,
) -> AmlCheck:
    """Check a company (``kvk_number``) or a person (``person``) and keep the outcome with minimal evidence.

    Raises ``ValueError`` without either, ``TransferRefused``, ``ServiceUnavailable`` (nothing is kept: check
    again later), or a register's error for a refusal or an unreadable answer (nothing is kept).
    """
    if not kvk_number and person is None:
        raise ValueError("an AML check needs a KvK number (company) or a surname and date of birth (person)")
    evidence: dict[str, object] = {}
    outcome = AmlOutcome.CLEAR
    search: Search
    if kvk_number:
        profile = kvk_company_check(
            kvk_number=kvk_number,
            subject=subject,
            actor=actor,
            purpose=ProcessingPurpose.AML,
            client=kvk_client,
            breaker=kvk_breaker,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
        )
        if profile is None:
            evidence["kvk"] = {"registered": False}
            outcome = AmlOutcome.NOT_FOUND
        else:
            evidence["kvk"] = {"registered": True, "active": profile.active, "legal_form": profile.legal_form}
            if not profile.active:
                outcome = AmlOutcome.ATTENTION
        search = CompanySearch(kvk_number)
    else:
        assert person is not None  # noqa: S101 - checked above
        search = person
    insolvencies = _insolvencies(
        subject=subject,
        search=search,
        actor=actor,
        client=cir_client,
        breaker=cir_breaker_,
        timeout=timeout,
        retries=retries,
        backoff=backoff,
    )
    evidence["insolvencies"] = insolvencies
    if insolvencies and outcome == AmlOutcome.CLEAR:
        outcome = AmlOutcome.ATTENTION
    ref = subject_ref_of(subject)
    with transaction.atomic():
        check = AmlCheck.objects.create(
            subject_type=ref.model,
            subject_id=ref.pk,
            role=role.value,
            checked_on=today,
            outcome=outcome.value,
            evidence=evidence,
            retain_until=aml_retain_until(today),
            actor_label=actor_label_of(actor),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            subject=ref,
            fields=["aml.AmlCheck.outcome", "aml.AmlCheck.evidence"],
            purpose=ProcessingPurpose.AML,
            source="AML check",
            details={"aml_check": check.pk, "outcome": outcome.value},
        )
    return check


def aml_checks_purge(*, as_of: datetime.date) -> int:
    """Delete the checks whose retention has ended, in chunks, each with its audit events. Returns how many."""
    removed = 0
    while True:
        chunk = list(AmlCheck.objects.filter(retain_until__lte=as_of).order_by("pk")[:PURGE_CHUNK])
        if not chunk:
            return removed
        with transaction.atomic():
            AmlCheck.objects.filter(pk__in=[c.pk for c in chunk]).delete()
            audit_record_bulk(
                [
                    AuditEntry(
                        actor="retention sweep",
                        action=AuditAction.DELETE,
                        subject=SubjectRef(c.subject_type, c.subject_id),
                        fields=["aml.AmlCheck.outcome", "aml.AmlCheck.evidence"],
                        purpose=ProcessingPurpose.AML,
                        source="AML retention (SPEC P-2)",
                        details={"aml_check": c.pk},
                    )
                    for c in chunk
                ]
            )
        removed += len(chunk)
