"""Recording special-category data: legal officers only, with a basis, audited in the same transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from incasso.accounts.access import access_roles
from incasso.accounts.roles import Role
from incasso.audit.models import AuditAction
from incasso.audit.services import Actor, AuditEntry, audit_record, audit_record_bulk
from incasso.cases.models import Case
from incasso.domain.audit_chain import JSONValue
from incasso.domain.data_map import ProcessingPurpose
from incasso.parties.models import Debtor
from incasso.sensitive.models import SpecialCategory, SpecialCategoryBasis, SpecialCategoryRecord

CONTENT_FIELD = "sensitive.SpecialCategoryRecord.content"


def special_category_access_check(*, user: User) -> None:
    """Only an active user holding the legal-officer role; not even a superuser without it."""
    if not user.is_active or Role.LEGAL_OFFICER not in access_roles(user=user):
        raise PermissionDenied(_("Special-category data is for legal officers only."))


def special_category_record(
    *,
    actor: User,
    debtor: Debtor,
    category: SpecialCategory | str,
    basis: SpecialCategoryBasis | str,
    content: str,
    consent_reference: str = "",
    case: Case | None = None,
    source: str = "",
) -> SpecialCategoryRecord:
    special_category_access_check(user=actor)
    errors: dict[str, str] = {}
    if category not in SpecialCategory.values:
        errors["category"] = _("Unknown category.")
    if not content.strip():
        errors["content"] = _("The content is required.")
    if basis == SpecialCategoryBasis.EXPLICIT_CONSENT:
        if not consent_reference.strip():
            errors["consent_reference"] = _("Explicit consent needs a reference to where it was given.")
    elif basis == SpecialCategoryBasis.LEGAL_CLAIM:
        if case is None or case.debtor_id != debtor.pk:
            errors["case"] = _("A legal claim must be one of this debtor's cases.")
    else:
        errors["basis"] = _("A basis is required: explicit consent or a legal claim in a case.")
    key_id = debtor.data_key_id
    if key_id is None or debtor.personal_data_erased:
        errors["debtor"] = _("This debtor's data has been erased.")
    if errors or key_id is None:
        raise ValidationError(errors)
    with transaction.atomic():
        record = SpecialCategoryRecord(
            debtor=debtor,
            case=case if basis == SpecialCategoryBasis.LEGAL_CLAIM else None,
            category=category,
            basis=basis,
            consent_reference=consent_reference.strip(),
            content=content,
            recorded_by=actor,
            data_key_id=key_id,
        )
        record.full_clean()
        record.save(force_insert=True)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            subject=debtor,
            fields=[CONTENT_FIELD],
            purpose=ProcessingPurpose.DEBT_COLLECTION,
            source=source or "sensitive",
            details={"record": str(record.pk), "category": str(category), "basis": str(basis)},
        )
    return record


def special_categories_consent_withdraw(*, debtor_ids: Iterable[int], actor: Actor, reason: str) -> int:
    """The debtor withdrew their consent (GDPR art. 7(3), 17(1)(b)): the records held on it alone are deleted.

    Records held for a legal claim in a case (art. 9(2)(f)) have another basis and stay. One audit event per debtor,
    in the same transaction as the deletion. Returns how many records were deleted.
    """
    with transaction.atomic():
        held = SpecialCategoryRecord.objects.filter(
            debtor_id__in=list(debtor_ids), basis=SpecialCategoryBasis.EXPLICIT_CONSENT
        ).select_for_update()
        by_debtor: dict[int, list[JSONValue]] = defaultdict(list)
        for record_id, debtor_id in held.values_list("pk", "debtor_id"):
            by_debtor[debtor_id].append(str(record_id))
        if not by_debtor:
            return 0
        deleted, _counts = SpecialCategoryRecord.objects.filter(
            pk__in=[pk for ids in by_debtor.values() for pk in ids if isinstance(pk, str)]
        ).delete()
        audit_record_bulk(
            [
                AuditEntry(
                    actor=actor,
                    action=AuditAction.DELETE,
                    subject=Debtor(pk=debtor_id),
                    fields=[CONTENT_FIELD],
                    purpose=ProcessingPurpose.DEBT_COLLECTION,
                    source="consent withdrawn",
                    details={"records": ids, "reason": reason},
                )
                for debtor_id, ids in sorted(by_debtor.items())
            ]
        )
    return deleted
