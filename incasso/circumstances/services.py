"""Recording the debtor's circumstances: each write in one transaction with its audit event (C-6, C-7)."""

from __future__ import annotations

import datetime
import uuid

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.circumstances.access import circumstances_record_check
from incasso.circumstances.models import (
    BASIS_CHOICES,
    PURPOSE_CHOICES,
    FinancialSituation,
    LivingSituation,
    SituationSource,
    VulnerabilityFlag,
    VulnerabilityReason,
)
from incasso.domain.data_map import LegalBasis, ProcessingPurpose
from incasso.domain.money import Money
from incasso.domain.protected_income import Household
from incasso.integrations.credit.port import CreditReport
from incasso.parties.models import Debtor

SITUATION_FIELDS = [
    f"circumstances.FinancialSituation.{name}"
    for name in ("net_income_cents", "household", "living_situation", "other_debts", "attachments", "source_reference")
]
FLAG_FIELDS = ["circumstances.VulnerabilityFlag.reason", "circumstances.VulnerabilityFlag.note"]


def _debtor_key(debtor: Debtor, errors: dict[str, str]) -> uuid.UUID | None:
    """The debtor's data key, which seals its circumstances too; an error when the debtor's data is erased."""
    if debtor.data_key_id is None or debtor.personal_data_erased:
        errors["debtor"] = _("This debtor's data has been erased.")
        return None
    return debtor.data_key_id


def financial_situation_record(
    *,
    actor: User | None,
    debtor: Debtor,
    source: SituationSource | str,
    obtained_on: datetime.date,
    net_income: Money | None = None,
    household: Household | str = "",
    living_situation: LivingSituation | str = "",
    other_debts: int | None = None,
    attachments: int | None = None,
    source_reference: str = "",
    purpose: ProcessingPurpose | str = ProcessingPurpose.DEBT_COLLECTION,
    legal_basis: LegalBasis | str = LegalBasis.LEGITIMATE_INTEREST,
    audit_source: str = "",
) -> FinancialSituation:
    """Record what is known of the debtor's finances; ``actor`` None for a system source (a credit report the
    system fetched). Unknown values stay empty; nothing is stored when a value is invalid."""
    if actor is not None:
        circumstances_record_check(user=actor)
    errors: dict[str, str] = {}
    if source not in SituationSource.values:
        errors["source"] = _("Unknown source.")
    if household and household not in {member.value for member in Household}:
        errors["household"] = _("Unknown household.")
    if living_situation and living_situation not in LivingSituation.values:
        errors["living_situation"] = _("Unknown living situation.")
    if net_income is not None and net_income.is_negative():
        errors["net_income"] = _("The income cannot be negative.")
    for name, count in (("other_debts", other_debts), ("attachments", attachments)):
        if count is not None and count < 0:
            errors[name] = _("A number of zero or more.")
    if purpose not in dict(PURPOSE_CHOICES):
        errors["purpose"] = _("Unknown purpose.")
    if legal_basis not in dict(BASIS_CHOICES):
        errors["legal_basis"] = _("Unknown legal basis.")
    if obtained_on > timezone.localdate():
        errors["obtained_on"] = _("The date cannot be in the future.")
    key_id = _debtor_key(debtor, errors)
    if errors or key_id is None:
        raise ValidationError(errors)
    with transaction.atomic():
        situation = FinancialSituation(
            debtor=debtor,
            net_income_cents=net_income.cents if net_income is not None else "",
            household=str(household),
            living_situation=str(living_situation),
            other_debts=other_debts if other_debts is not None else "",
            attachments=attachments if attachments is not None else "",
            source_reference=source_reference.strip()[:200],
            source=str(source),
            obtained_on=obtained_on,
            purpose=str(purpose),
            legal_basis=str(legal_basis),
            recorded_by=actor,
            data_key_id=key_id,
        )
        situation.save(force_insert=True)
        audit_record(
            actor=actor if actor is not None else "system",
            action=AuditAction.CREATE,
            subject=debtor,
            fields=SITUATION_FIELDS,
            purpose=str(purpose),
            source=audit_source or "circumstances",
            details={"situation": str(situation.pk), "source": str(source), "obtained_on": obtained_on.isoformat()},
        )
    return situation


def financial_situation_from_credit_report(
    *, debtor: Debtor, report: CreditReport, obtained_on: datetime.date, actor: User | None = None
) -> FinancialSituation:
    """A situation from a credit bureau's report: its negative registrations are other debts; income unknown."""
    return financial_situation_record(
        actor=actor,
        debtor=debtor,
        source=SituationSource.CREDIT_BUREAU,
        obtained_on=obtained_on,
        other_debts=report.negative_registrations,
        source_reference=report.reference,
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        audit_source="credit-bureau",
    )


def vulnerability_flag_set(
    *, actor: User, debtor: Debtor, reason: VulnerabilityReason | str, note: str = "", source: str = ""
) -> VulnerabilityFlag:
    circumstances_record_check(user=actor)
    errors: dict[str, str] = {}
    if reason not in VulnerabilityReason.values:
        errors["reason"] = _("Choose one of the reasons.")
    if reason == VulnerabilityReason.OTHER and not note.strip():
        errors["note"] = _("Say why in the note.")
    key_id = _debtor_key(debtor, errors)
    if errors or key_id is None:
        raise ValidationError(errors)
    with transaction.atomic():
        flag = VulnerabilityFlag(
            debtor=debtor,
            reason=str(reason),
            note=note.strip()[:1000],
            flagged_by=actor,
            data_key_id=key_id,
        )
        flag.save(force_insert=True)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            subject=debtor,
            fields=FLAG_FIELDS,
            purpose=ProcessingPurpose.DEBT_COLLECTION,
            source=source or "circumstances",
            details={"flag": str(flag.pk)},
        )
    return flag


def vulnerability_flag_lift(*, actor: User, flag: VulnerabilityFlag, source: str = "") -> VulnerabilityFlag:
    circumstances_record_check(user=actor)
    with transaction.atomic():
        lifted = VulnerabilityFlag.objects.filter(pk=flag.pk, lifted_at__isnull=True).update(
            lifted_at=timezone.now(), lifted_by=actor
        )
        if not lifted:
            raise ValidationError(_("This flag was lifted already."))
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            subject=Debtor(pk=flag.debtor_id),
            fields=["circumstances.VulnerabilityFlag.lifted_at"],
            purpose=ProcessingPurpose.DEBT_COLLECTION,
            source=source or "circumstances",
            details={"flag": str(flag.pk)},
        )
    flag.refresh_from_db()
    return flag
