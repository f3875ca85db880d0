"""Reading special-category data: legal officers only, within the cases they may see, every view audited."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.http import Http404

from incasso.accounts.access import access_cases
from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.domain.data_map import ProcessingPurpose
from incasso.parties.models import Debtor
from incasso.sensitive.models import SpecialCategoryRecord
from incasso.sensitive.services import CONTENT_FIELD, special_category_access_check


def special_categories_for_debtor(*, user: User, debtor_id: int, source: str = "") -> list[SpecialCategoryRecord]:
    """The debtor's special-category records (content decrypted), for a legal officer who may see one of the
    debtor's cases; ``PermissionDenied`` for anyone else, ``Http404`` outside the officer's cases. The view is
    recorded in the audit log in the same transaction, with the records shown."""
    special_category_access_check(user=user)
    if not access_cases(user=user).filter(debtor_id=debtor_id).exists():
        raise Http404("No such debtor.")
    with transaction.atomic():
        records = list(SpecialCategoryRecord.objects.filter(debtor_id=debtor_id).select_related("case"))
        audit_record(
            actor=user,
            action=AuditAction.READ,
            subject=Debtor(pk=debtor_id),
            fields=[CONTENT_FIELD],
            purpose=ProcessingPurpose.DEBT_COLLECTION,
            source=source or "sensitive",
            details={"records": [str(record.pk) for record in records]},
        )
    return records
