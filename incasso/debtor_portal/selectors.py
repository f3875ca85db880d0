"""What the portal's pages show. Cases come in through ``access_debtor_case(s)`` only; amounts from the one quote."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest

from incasso.accounts.access import DEBTOR_PORTAL_ACTOR, access_debtor_cases, request_source
from incasso.arrangements.models import Arrangement, ArrangementStatus, Instalment
from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.cases.models import Case, CaseHold, Claim, HoldKindChoices, MeasureKind
from incasso.cases.selectors import case_quote
from incasso.communications.models import Letter, LetterStatus
from incasso.debtor_portal.breakdown import Breakdown, breakdown_from_quote
from incasso.debtor_portal.login import PortalIdentity
from incasso.debtor_portal.models import ContactChange, DisputeFile
from incasso.decisions.models import Decision
from incasso.domain import wording
from incasso.domain.arrangement import Instalment as PlannedInstalment
from incasso.domain.arrangement import evaluate_proposal, instalment_amount, instalment_schedule
from incasso.domain.case_stages import Stage
from incasso.domain.data_map import ProcessingPurpose
from incasso.domain.money import Money
from incasso.domain.quote import PaymentOutcome
from incasso.ledger.models import AccountKind, Entry
from incasso.ledger.selectors import case_payments
from incasso.parties.models import Debtor
from incasso.parties.selectors import client_instructions
from incasso.paylinks.models import PaymentLink, PaymentLinkStatus

PORTAL_LETTER_STATUSES = (LetterStatus.RENDERED, LetterStatus.SENT)
DECISIONS_SHOWN = 20
CONTACT_FIELDS = ("email", "phone", "street", "house_number", "postcode", "city")


@dataclass(frozen=True)
class CaseSummary:
    id: int
    number: str
    client_name: str
    is_open: bool
    total: Money


@dataclass(frozen=True)
class NextInstalment:
    """What is left of the first instalment of a running plan that is not yet paid, as the debtor pays it now."""

    number: int
    due_on: datetime.date
    amount: Money


@dataclass(frozen=True)
class InstalmentShown:
    """An instalment of the plan and what of it is still to pay, worked out from the ledger (see ``_instalments``)."""

    number: int
    due_on: datetime.date
    amount: Money
    left: Money

    @property
    def paid(self) -> bool:
        return self.left.cents <= 0

    @property
    def partly_paid(self) -> bool:
        return 0 < self.left.cents < self.amount.cents


@dataclass(frozen=True)
class CaseView:
    case: Case
    breakdown: Breakdown
    payments: tuple[PaymentOutcome, ...]
    letters: tuple[Letter, ...]
    arrangement: Arrangement | None
    instalments: tuple[InstalmentShown, ...]
    disputed: bool
    next_instalment: NextInstalment | None
    # What the ledger still owes the debtor back of an overpayment (its refunds account for the case).
    refund_owed: Money
    # A payment link the provider reports pending (money on its way): no second payment is offered meanwhile.
    payment_in_progress: Money | None = None

    @property
    def refunded(self) -> Money:
        """The part of the overpayment already paid back."""
        return max(self.breakdown.overpaid - self.refund_owed, Money.zero())

    @property
    def plan_paid_off(self) -> bool:
        return self.arrangement is not None and all(instalment.paid for instalment in self.instalments)

    @property
    def may_pay(self) -> bool:
        return self.case.stage != Stage.CLOSED.value and self.breakdown.total.cents > 0

    @property
    def may_propose_plan(self) -> bool:
        return self.may_pay and self.arrangement is None


@dataclass(frozen=True)
class PlanPreview:
    total: Money
    months: int
    schedule: tuple[PlannedInstalment, ...]
    accepted_at_once: bool
    max_months: int
    min_instalment: Money


def _original_principal(case: Case) -> Money:
    cents = Claim.objects.filter(case=case).aggregate(total=Sum("principal_cents"))["total"] or 0
    return Money(int(cents))


def portal_debtor(*, identity: PortalIdentity, request: HttpRequest | None) -> Debtor:
    """The session's debtor, for the contact details page; the read of the details is audited."""
    debtor = Debtor.objects.get(pk=identity.debtor_id)
    with transaction.atomic():
        audit_record(
            actor=f"{DEBTOR_PORTAL_ACTOR}:{identity.debtor_id}",
            action=AuditAction.READ,
            subject=debtor,
            fields=[f"parties.Debtor.{name}" for name in CONTACT_FIELDS],
            purpose=ProcessingPurpose.DEBT_COLLECTION,
            source=request_source(request),
        )
    return debtor


def portal_contact_changes(*, identity: PortalIdentity, limit: int = 5) -> list[ContactChange]:
    """The debtor's latest changes of contact details made in the portal, newest first."""
    return list(ContactChange.objects.filter(debtor_id=identity.debtor_id)[:limit])


def portal_cases(*, identity: PortalIdentity, today: datetime.date, request: HttpRequest | None) -> list[CaseSummary]:
    """Every case of the debtor with what it owes today; the read is audited once for the list."""
    cases = list(access_debtor_cases(debtor_id=identity.debtor_id).select_related("client").order_by("-opened_on"))
    summaries = []
    for case in cases:
        has_claims = Claim.objects.filter(case=case).exists()
        total = case_quote(case=case, as_of=today).total_outstanding if has_claims else Money.zero()
        summaries.append(
            CaseSummary(
                id=case.pk,
                number=case.number,
                client_name=case.client.name,
                is_open=case.stage != Stage.CLOSED.value,
                total=total,
            )
        )
    with transaction.atomic():
        audit_record(
            actor=f"{DEBTOR_PORTAL_ACTOR}:{identity.debtor_id}",
            action=AuditAction.READ,
            subject=Debtor(pk=identity.debtor_id),
            fields=("cases.Case.number", "cases.Claim.principal_cents"),
            purpose=ProcessingPurpose.DEBT_COLLECTION,
            source=request_source(request),
            details={"cases": [case.number for case in cases]},
        )
    return summaries


def portal_breakdown(*, case: Case, today: datetime.date) -> Breakdown:
    """The claim as the debtor reads it, from the one quote of the case."""
    return breakdown_from_quote(case_quote(case=case, as_of=today), original_principal=_original_principal(case))


def portal_arrangement(*, case: Case) -> Arrangement | None:
    return (
        Arrangement.objects.filter(case=case, status__in=[ArrangementStatus.PROPOSED, ArrangementStatus.ACTIVE])
        .order_by("-pk")
        .first()
    )


def _instalments(
    *, case: Case, arrangement: Arrangement | None, instalments: Sequence[Instalment], owed: Money, today: datetime.date
) -> tuple[InstalmentShown, ...]:
    """The plan's instalments with what is left of each, never more than the case owes (nothing once it is paid).

    Worked out from the ledger as ``arrangements.services.instalments_settle`` does (what the case was paid beyond
    the plan's baseline, applied to the instalments in due order), not from the instalments' stored state: that is
    settled once a day, and a debtor who just paid an instalment must not be offered the same one again.
    """
    if arrangement is None:
        return ()
    paid = sum(p.amount.cents for p in case_payments(case_ids=[case.pk]).get(case.pk, []) if p.date <= today)
    left_over = max(paid - arrangement.payments_baseline_cents, 0)
    still_owed = max(owed.cents, 0)
    shown = []
    for instalment in sorted(instalments, key=lambda i: (i.due_on, i.number)):
        applied = min(instalment.amount_cents, left_over)
        left_over -= applied
        left = min(instalment.amount_cents - applied, still_owed)
        still_owed -= left
        shown.append(InstalmentShown(instalment.number, instalment.due_on, Money(instalment.amount_cents), Money(left)))
    return tuple(sorted(shown, key=lambda i: i.number))


def _next_instalment(
    *, arrangement: Arrangement | None, instalments: Sequence[InstalmentShown]
) -> NextInstalment | None:
    """The first instalment of an active plan with something left to pay."""
    if arrangement is None or arrangement.status != ArrangementStatus.ACTIVE:
        return None
    for instalment in sorted(instalments, key=lambda i: (i.due_on, i.number)):
        if not instalment.paid:
            return NextInstalment(number=instalment.number, due_on=instalment.due_on, amount=instalment.left)
    return None


def _refund_owed(case: Case) -> Money:
    """What the case's refunds account still owes the debtor: overpaid and not yet paid back."""
    cents = Entry.objects.filter(account__kind=AccountKind.REFUNDS_PAYABLE, account__case=case).aggregate(
        total=Sum("amount_cents")
    )["total"]
    return Money(-int(cents or 0))


def portal_next_instalment(*, case: Case, today: datetime.date) -> NextInstalment | None:
    """The instalment the debtor may pay now (None without an active plan): the amount is always the server's."""
    arrangement = portal_arrangement(case=case)
    if arrangement is None or arrangement.status != ArrangementStatus.ACTIVE:
        return None
    owed = case_quote(case=case, as_of=today).total_outstanding
    shown = _instalments(
        case=case, arrangement=arrangement, instalments=list(arrangement.instalments.all()), owed=owed, today=today
    )
    return _next_instalment(arrangement=arrangement, instalments=shown)


def portal_instalments(*, case: Case, arrangement: Arrangement, today: datetime.date) -> tuple[InstalmentShown, ...]:
    """The plan's instalments as the debtor reads them: what is paid and what is left."""
    owed = case_quote(case=case, as_of=today).total_outstanding
    return _instalments(
        case=case, arrangement=arrangement, instalments=list(arrangement.instalments.all()), owed=owed, today=today
    )


def portal_case_view(*, case: Case, today: datetime.date) -> CaseView:
    quote = case_quote(case=case, as_of=today)
    arrangement = portal_arrangement(case=case)
    instalments = _instalments(
        case=case,
        arrangement=arrangement,
        instalments=list(arrangement.instalments.all()) if arrangement is not None else [],
        owed=quote.total_outstanding,
        today=today,
    )
    letters = tuple(Letter.objects.filter(case=case, status__in=PORTAL_LETTER_STATUSES).order_by("-posted_on", "-pk"))
    disputed = CaseHold.objects.filter(case=case, kind=HoldKindChoices.DISPUTE, lifted_at__isnull=True).exists()
    pending = PaymentLink.objects.filter(case=case, status=PaymentLinkStatus.PENDING).aggregate(
        total=Sum("amount_cents")
    )["total"]
    return CaseView(
        case=case,
        breakdown=breakdown_from_quote(quote, original_principal=_original_principal(case)),
        payments=quote.payments,
        letters=letters,
        arrangement=arrangement,
        instalments=instalments,
        disputed=disputed,
        next_instalment=_next_instalment(arrangement=arrangement, instalments=instalments),
        payment_in_progress=Money(int(pending)) if pending else None,
        refund_owed=_refund_owed(case),
    )


@dataclass(frozen=True)
class DecisionShown:
    """An automated decision as the debtor reads it: the step it chose and why, in the reader's language."""

    id: int
    decided_on: datetime.date
    outcome: str
    explanation: str
    contested_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None
    review_outcome: str


def portal_decisions(*, case: Case, language: str) -> list[DecisionShown]:
    """The case's latest automated decisions, newest first, and every contested one however old, so a review the
    debtor asked for stays in sight; ``language`` is ``nl`` or ``en`` (the stored explanations' two languages)."""
    decisions = Decision.objects.filter(case=case).order_by("-decided_on", "-pk")
    latest = list(decisions[:DECISIONS_SHOWN])
    older_contested = decisions.filter(contested_at__isnull=False).exclude(pk__in=[d.pk for d in latest])
    return [_decision_shown(decision, language) for decision in [*latest, *older_contested]]


def _decision_shown(decision: Decision, language: str) -> DecisionShown:
    measure = str(decision.outcome.get("measure", "")) if isinstance(decision.outcome, dict) else ""
    return DecisionShown(
        id=decision.pk,
        decided_on=decision.decided_on,
        outcome=str(MeasureKind(measure).label) if measure in MeasureKind.values else measure,
        explanation=wording.explanation_text(decision.explanation_nl if language == "nl" else decision.explanation_en),
        contested_at=decision.contested_at,
        reviewed_at=decision.reviewed_at,
        review_outcome=decision.review_outcome,
    )


def portal_decision(*, case: Case, decision_id: int) -> Decision | None:
    """A decision about this case; None for any other (the view answers 404)."""
    return Decision.objects.filter(case=case, pk=decision_id).first()


def portal_letter(*, case: Case, letter_id: int) -> Letter | None:
    """A letter of this case that went out; None for any other (the view answers 404)."""
    return Letter.objects.filter(case=case, pk=letter_id, status__in=PORTAL_LETTER_STATUSES).first()


def plan_preview(*, case: Case, months: int, first_due: datetime.date, today: datetime.date) -> PlanPreview:
    """The schedule a plan of ``months`` would have, and whether it would be accepted at once (no income given)."""
    total = case_quote(case=case, as_of=today).total_outstanding
    bounds = client_instructions(client_id=case.client_id, on=today)
    instalment = instalment_amount(total, months)
    verdict = evaluate_proposal(
        total=total, months=months, instalment=instalment, bounds=bounds, protected=None, net_income=None
    )
    return PlanPreview(
        total=total,
        months=months,
        schedule=tuple(instalment_schedule(total, months, first_due)),
        accepted_at_once=verdict.accepted,
        max_months=bounds.plan_max_months,
        min_instalment=bounds.plan_min_instalment,
    )


def portal_payment_link(*, case: Case, link_id: int) -> PaymentLink | None:
    """A payment link of this case the debtor can still pay; None for any other."""
    return PaymentLink.objects.filter(
        case=case, pk=link_id, status__in=[PaymentLinkStatus.OPEN, PaymentLinkStatus.PENDING]
    ).first()


def dispute_file_read(*, upload: DisputeFile) -> bytes | None:
    """The stored bytes of a dispute upload, or None when the file is gone or no longer matches its SHA-256."""
    path = settings.INCASSO_MEDIA_DIR / upload.stored_path
    try:
        content = path.read_bytes()
    except OSError:
        return None
    return content if hashlib.sha256(content).hexdigest() == upload.sha256 else None
