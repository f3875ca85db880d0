"""The register of processing activities (GDPR art. 30), generated from the data map (SPEC P-1).

Art. 30(1) lists what the agency processes as controller, one activity per purpose; art. 30(2) lists, for each
client whose claims it collects as processor, the processing done on that client's behalf. Data categories, data
subjects and fields come from ``data_map.PERSONAL_FIELDS``; retention from the ``privacy.RetentionPolicy`` rows the
sweep enforces (``domain.retention.DEFAULT_PERIODS`` only for a purpose whose row is missing); recipients, transfers
and security measures from ``recipients``. Nothing here is typed twice, so the register cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings

from incasso.domain.data_map import (
    PURPOSES,
    SPECIAL_CATEGORIES,
    ControllerRole,
    FieldDeclaration,
    ProcessingPurpose,
)
from incasso.domain.retention import DEFAULT_PERIODS, TRIGGER_EVENTS
from incasso.parties.models import Client, ProcessorAgreement
from incasso.privacy.data_map import PERSONAL_FIELDS
from incasso.privacy.models import RetentionPolicy
from incasso.privacy.recipients import RECIPIENT_CATEGORIES, SECURITY_MEASURES, RecipientCategory, SecurityMeasure
from incasso.privacy.retention.policies import DEFAULT_TRIGGERS, REGISTER_PURPOSE, policy_period


@dataclass(frozen=True, slots=True)
class Retention:
    """How long a purpose's data is kept: ``months`` after ``trigger`` (see ``domain.retention``)."""

    purpose: str  # the retention purpose, or "" when the period is stated in ``note`` only
    months: int | None
    end_of_calendar_year: bool
    trigger: str
    note: str


@dataclass(frozen=True, slots=True)
class ProcessingActivity:
    purpose: ProcessingPurpose
    roles: tuple[ControllerRole, ...]
    legal_bases: tuple[str, ...]
    subjects: tuple[str, ...]
    data_categories: tuple[str, ...]
    special_categories: tuple[str, ...]
    fields: tuple[str, ...]
    recipients: tuple[str, ...]
    transfers: tuple[str, ...]  # recipient categories outside the EEA, with their safeguards
    retention: Retention


@dataclass(frozen=True, slots=True)
class ControllerOnRecord:
    """A client for whom the agency processes as processor (art. 30(2)(a)), and its processor agreement."""

    code: str
    name: str
    agreement_version: int | None
    agreement_signed_on: str | None


@dataclass(frozen=True, slots=True)
class ProcessingRegister:
    agency: dict[str, str]
    activities: tuple[ProcessingActivity, ...]
    recipients: tuple[RecipientCategory, ...]
    security_measures: tuple[SecurityMeasure, ...]
    controllers: tuple[ControllerOnRecord, ...]

    def as_controller(self) -> tuple[ProcessingActivity, ...]:
        return tuple(a for a in self.activities if ControllerRole.CONTROLLER in a.roles)

    def as_processor(self) -> tuple[ProcessingActivity, ...]:
        return tuple(a for a in self.activities if ControllerRole.PROCESSOR in a.roles)


def processing_register() -> ProcessingRegister:
    """The whole register, as the privacy officer's page and ``incasso register`` show it. Three queries."""
    policies = {p.purpose: p for p in RetentionPolicy.objects.filter(active=True)}
    return ProcessingRegister(
        agency={
            "name": settings.INCASSO_AGENCY_NAME,
            "address": ", ".join(settings.INCASSO_AGENCY_ADDRESS),
            "kvk_number": settings.INCASSO_AGENCY_KVK_NUMBER,
            "email": settings.INCASSO_AGENCY_EMAIL,
            "phone": settings.INCASSO_AGENCY_PHONE,
        },
        activities=tuple(_activity(purpose, policies) for purpose in ProcessingPurpose),
        recipients=RECIPIENT_CATEGORIES,
        security_measures=SECURITY_MEASURES,
        controllers=_controllers(),
    )


def _activity(purpose: ProcessingPurpose, policies: Mapping[str, RetentionPolicy]) -> ProcessingActivity:
    definition = PURPOSES[purpose]
    declared: list[FieldDeclaration] = [d for d in PERSONAL_FIELDS if purpose in d.purposes]
    categories = {c for d in declared for c in d.categories}
    recipients = [r for r in RECIPIENT_CATEGORIES if purpose in r.purposes]
    return ProcessingActivity(
        purpose=purpose,
        roles=tuple(role for role in ControllerRole if role in definition.roles),
        legal_bases=tuple(sorted(definition.bases)),
        subjects=tuple(sorted({s.value for d in declared for s in d.subjects})),
        data_categories=tuple(sorted(c.value for c in categories)),
        special_categories=tuple(sorted(c.value for c in categories & SPECIAL_CATEGORIES)),
        fields=tuple(sorted(d.key for d in declared)),
        recipients=tuple(r.code for r in recipients),
        transfers=tuple(f"{r.code}: {r.safeguards}" for r in recipients if r.outside_eea),
        retention=_retention(purpose, policies),
    )


# The register's (English, translated by ``labels``) phrase for each trigger event a policy row may name.
_TRIGGER_PHRASES = {DEFAULT_TRIGGERS[p].value: TRIGGER_EVENTS[p] for p in DEFAULT_TRIGGERS}


def _retention(purpose: ProcessingPurpose, policies: Mapping[str, RetentionPolicy]) -> Retention:
    """The period the sweep enforces: the purpose's active policy row, as an administrator may have changed it."""
    definition = PURPOSES[purpose]
    if definition.retention is None:
        return Retention("", None, False, "", definition.retention_note)
    policy = policies.get(REGISTER_PURPOSE[definition.retention].value)
    period = DEFAULT_PERIODS[definition.retention] if policy is None else policy_period(policy)
    trigger = TRIGGER_EVENTS[definition.retention] if policy is None else _TRIGGER_PHRASES[policy.trigger]
    return Retention(
        purpose=definition.retention.value,
        months=period.total_months,
        end_of_calendar_year=period.end_of_calendar_year,
        trigger=trigger,
        note="longer only under a legal hold, to establish, exercise or defend a legal claim",
    )


def _controllers() -> tuple[ControllerOnRecord, ...]:
    latest: dict[int, ProcessorAgreement] = {}
    for agreement in ProcessorAgreement.objects.order_by("client_id", "-version"):
        latest.setdefault(agreement.client_id, agreement)
    controllers = []
    for client in Client.objects.filter(is_agency=False).order_by("name"):
        signed = latest.get(client.pk)
        controllers.append(
            ControllerOnRecord(
                code=client.code,
                name=client.name,
                agreement_version=signed.version if signed else None,
                agreement_signed_on=signed.signed_on.isoformat() if signed else None,
            )
        )
    return tuple(controllers)
