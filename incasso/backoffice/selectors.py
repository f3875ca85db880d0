"""Reads of the back office. The case itself always comes from ``access_case`` (the caller passes it in)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext

from incasso.arrangements.models import Arrangement, Instalment, PromiseToPay
from incasso.backoffice.models import CaseNote
from incasso.backoffice.quote_notices import quote_error_text, quote_notices_text
from incasso.cases.models import Case, CaseHold, CaseParty, Claim, StaffTask, StageEvent, TaskStatus
from incasso.cases.selectors import case_facts, case_quote
from incasso.communications.contact_notes import ContactShown, contacts_shown
from incasso.communications.models import Letter
from incasso.communications.selectors import case_communications, case_letters
from incasso.complaints.models import Complaint
from incasso.complaints.selectors import complaints_of_case
from incasso.debtor_portal.login import portal_login_lock_active
from incasso.debtor_portal.models import DisputeFile, LoginLock
from incasso.decisions.models import Decision
from incasso.domain.case_lifecycle import allowed_transitions
from incasso.domain.case_stages import ClosedReason, Stage
from incasso.domain.quote import Quote, QuoteError
from incasso.ledger.models import PaymentAllocation

DECISIONS_SHOWN = 20
NOTES_SHOWN = 50


@dataclass(frozen=True)
class CasePage:
    case: Case
    parties: list[CaseParty]
    claims: list[Claim]
    quote: Quote | None
    quote_error: str
    quote_warnings: list[str]
    events: list[StageEvent]
    letters: list[Letter]
    communications: list[ContactShown]
    decisions: list[Decision]
    payments: list[PaymentAllocation]
    arrangements: list[Arrangement]
    promises: list[PromiseToPay]
    notes: list[CaseNote]
    tasks: list[StaffTask]
    holds: list[CaseHold]
    complaints: list[Complaint]
    dispute_files: list[DisputeFile]
    moves: list[Stage]
    closing_reasons: list[ClosedReason]
    portal_lock: LoginLock | None


def case_page(*, case: Case, today: datetime.date) -> CasePage:
    """Everything the case page shows, a fixed number of queries whatever the size of the case file."""
    claims = list(Claim.objects.filter(case=case).order_by("due_date", "pk"))
    quote: Quote | None = None
    quote_error = ""
    if not claims:
        quote_error = gettext("The case has no claims.")
    else:
        try:
            quote = case_quote(case=case, as_of=today)
        except QuoteError as error:
            quote_error = quote_error_text(error)
        except ValueError as error:  # not a quote input error: shown as raised
            quote_error = str(error)
    is_open = Stage(case.stage).is_open
    return CasePage(
        case=case,
        parties=list(CaseParty.objects.filter(case=case).select_related("party")),
        claims=claims,
        quote=quote,
        quote_error=quote_error,
        quote_warnings=quote_notices_text(quote.notices) if quote is not None else [],
        events=list(StageEvent.objects.filter(case=case).order_by("-occurred_at", "-pk")),
        letters=case_letters(case_id=case.pk),
        communications=contacts_shown(case_communications(case_id=case.pk)),
        decisions=list(Decision.objects.filter(case=case).order_by("-decided_on", "-pk")[:DECISIONS_SHOWN]),
        payments=list(PaymentAllocation.objects.filter(case=case).order_by("received_on", "pk")),
        arrangements=list(
            Arrangement.objects.filter(case=case)
            .order_by("-pk")
            .prefetch_related(Prefetch("instalments", queryset=Instalment.objects.order_by("number")))
        ),
        promises=list(PromiseToPay.objects.filter(case=case).order_by("-due_on", "-pk")),
        notes=list(CaseNote.objects.filter(case=case).select_related("author")[:NOTES_SHOWN]),
        tasks=list(StaffTask.objects.filter(case=case, status=TaskStatus.OPEN).order_by("due_on", "pk")),
        holds=list(CaseHold.objects.filter(case=case, lifted_at__isnull=True).order_by("placed_at")),
        complaints=complaints_of_case(case=case),
        dispute_files=list(DisputeFile.objects.filter(case=case).order_by("-uploaded_at", "-pk")),
        moves=allowed_transitions(case_facts(case=case, today=today)) if is_open else [],
        closing_reasons=list(ClosedReason) if is_open else [],
        portal_lock=portal_login_lock_active(case_number=case.number),
    )
