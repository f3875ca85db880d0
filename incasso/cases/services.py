"""Writes for cases and claims."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from incasso.cases.models import Case, Claim, InterestKind
from incasso.domain.case_stages import Stage
from incasso.parties.models import Client, Debtor

CASE_NUMBER_DIGITS = 6


def case_number_format(*, year: int, sequence: int) -> str:
    """Case numbers read "<year>-<sequence>", e.g. "2026-000123", numbered per year of opening."""
    return f"{year}-{sequence:0{CASE_NUMBER_DIGITS}d}"


def case_number_next(*, year: int) -> str:
    """The next free number for ``year``. Two writers racing for it meet the unique index; one retries."""
    prefix = f"{year}-"
    last = Case.objects.filter(number__startswith=prefix).aggregate(last=Max("number"))["last"]
    sequence = int(last.removeprefix(prefix)) + 1 if last else 1
    return case_number_format(year=year, sequence=sequence)


@transaction.atomic
def case_create(
    *,
    client: Client,
    debtor: Debtor,
    opened_on: datetime.date,
    interest_kind: InterestKind,
    number: str | None = None,
) -> Case:
    """Open a case for ``client`` on one of that client's own debtors, in the first stage."""
    if debtor.client_id != client.pk:
        # Never across clients (C-2): each client's debtor data stays in that client's processing.
        raise ValidationError(_("The debtor belongs to another client."), code="debtor_of_other_client")
    case = Case(
        client=client,
        debtor=debtor,
        number=number or case_number_next(year=opened_on.year),
        stage=Stage.REMINDER.value,
        opened_on=opened_on,
        interest_kind=interest_kind,
    )
    case.full_clean()
    case.save()
    return case


@transaction.atomic
def claim_create(
    *,
    case: Case,
    invoice_number: str,
    invoice_date: datetime.date,
    due_date: datetime.date,
    principal_cents: int,
    currency: str = "EUR",
    description: str = "",
) -> Claim:
    claim = Claim(
        case=case,
        client_id=case.client_id,
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        due_date=due_date,
        principal_cents=principal_cents,
        currency=currency,
        description=description,
    )
    claim.full_clean()
    claim.save()
    return claim
