"""The payment links' writes: create a link at the provider, and sync a link when the provider calls back.

The provider is called outside any database transaction (a slow provider must not hold row locks); what it
answered is then written in one transaction with its audit row. A webhook's body is never trusted: it only names
a payment, whose status is fetched back from the provider with ``get_payment``. A paid payment is booked to the
ledger under ``paylink:<id>``, so a webhook delivered twice (or a forged one) books nothing twice.

A debtor who asks to pay again is given the open link already made for the same amount (``payment_link_for``),
so coming back from the checkout without paying, or clicking twice, does not leave two payable payments for the
same money.
"""

from __future__ import annotations

import datetime
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.cases.models import Case, TaskKind
from incasso.cases.selectors import case_quote
from incasso.cases.services import task_create
from incasso.disclosures.services import disclosure_record
from incasso.domain.audit_chain import SubjectRef
from incasso.domain.data_map import DataCategory, LegalBasis, ProcessingPurpose
from incasso.domain.money import Money
from incasso.domain.payment_reference import rf_for_case
from incasso.domain.quote import QuoteError
from incasso.integrations.recipients import service_recipient
from incasso.ledger.errors import LedgerError
from incasso.ledger.services import payment_receive, payment_reverse
from incasso.paylinks.errors import (
    EarlierLinksUnchecked,
    PaidMeanwhile,
    PaymentInProgress,
    PaymentLinkError,
    PaymentLinkNotFound,
)
from incasso.paylinks.models import PROVIDER_ID_LENGTH, PaymentLink, PaymentLinkEvent, PaymentLinkStatus, PaymentMethod
from incasso.paylinks.provider import Method, PaymentProvider, PaymentProviderError, ProviderPayment, ProviderStatus

logger = logging.getLogger(__name__)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SOURCE = "job:payment-links"
LINK_FIELDS = ("paylinks.PaymentLink.amount_cents", "paylinks.PaymentLink.status")
# The ledger's name for where the money came from, per method.
LEDGER_SOURCE = {PaymentMethod.IDEAL: "ideal", PaymentMethod.CREDITCARD: "card"}


def _debtor(case: Case) -> SubjectRef:
    return SubjectRef("parties.Debtor", str(case.debtor_id))


def _today() -> datetime.date:
    return timezone.now().astimezone(AMSTERDAM).date()


def payment_link_create(
    *,
    case: Case,
    method: Method,
    provider: PaymentProvider,
    amount: Money | None = None,
    redirect_url: str | None = None,
    webhook_url: str | None = None,
    idempotency_key: str | None = None,
) -> PaymentLink:
    """Create a payment at the provider for ``amount`` (default: all the case owes today, never more) and store it.

    The debtor is sent to the returned link's ``checkout_url``. ``redirect_url`` is where the provider sends the
    debtor back (default ``INCASSO_AGENCY_PORTAL_URL``); ``webhook_url`` where it reports a change (default
    ``INCASSO_PAYMENT_WEBHOOK_URL``). What is sent is logged as a disclosure to the provider's recipients-register
    entry (``INCASSO_PAYMENT_RECIPIENT``) before it goes. Raises ``PaymentLinkError`` for nothing to pay or for more
    than is owed, ``RecipientNotRegistered`` when the provider is not in the register, ``TransferRefused`` or
    ``SubjectRestricted`` when the disclosure is refused, and the provider's ``PaymentProviderError`` when it refuses
    or cannot be reached.
    """
    if method not in PaymentMethod.values:
        raise PaymentLinkError(f"unknown payment method {method!r}")
    owed = case_quote(case=case, as_of=_today()).total_outstanding
    if amount is None:
        amount = owed
    if amount.currency != "EUR" or amount.cents <= 0:
        raise PaymentLinkError(f"a payment link needs a positive amount in EUR, not {amount}")
    # More than is owed would be an overpayment the agency must pay back: a link is for part or all of the debt.
    if amount.cents > owed.cents:
        raise PaymentLinkError(f"a payment link cannot ask {amount}, more than the {owed} the case owes")
    reference = rf_for_case(case.number)
    # What goes to the provider is about the debtor (SPEC P-8): logged first, and refused if it may not go there.
    disclosure_record(
        recipient=service_recipient(setting="INCASSO_PAYMENT_RECIPIENT"),
        subjects=[_debtor(case)],
        categories=[DataCategory.UNIQUE_ID, DataCategory.DEBT],
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        description="payment link: case number, payment reference and amount",
        actor=SOURCE,
        case=case,
    )
    payment = provider.create_payment(
        amount=amount,
        description=f"Dossier {case.number} ({reference})",
        reference=reference,
        redirect_url=redirect_url or str(settings.INCASSO_AGENCY_PORTAL_URL),
        webhook_url=webhook_url or settings.INCASSO_PAYMENT_WEBHOOK_URL,
        method=method,
        idempotency_key=idempotency_key,
    )
    checkout_url = payment.checkout_url
    if not checkout_url or len(payment.id) > PROVIDER_ID_LENGTH:
        raise PaymentLinkError(f"the provider's payment {payment.id!r} has no checkout URL or an overlong id")
    made = PaymentLink.objects.filter(case=case, provider_payment_id=payment.id).first()
    if made is not None:
        return made
    try:
        return _link_store(case=case, method=method, amount=amount, payment=payment, checkout_url=checkout_url)
    except IntegrityError:
        # The same payment stored meanwhile by a request that sent the same key at the same moment.
        made = PaymentLink.objects.filter(case=case, provider_payment_id=payment.id).first()
        if made is None:
            raise
        return made


def _link_store(
    *, case: Case, method: Method, amount: Money, payment: ProviderPayment, checkout_url: str
) -> PaymentLink:
    with transaction.atomic():
        link = PaymentLink.objects.create(
            case=case,
            provider_payment_id=payment.id,
            amount_cents=amount.cents,
            method=method,
            status=PaymentLinkStatus(payment.status.value),
            checkout_url=checkout_url,
        )
        PaymentLinkEvent.objects.create(link=link, from_status="", to_status=link.status)
        audit_record(
            actor=SOURCE,
            action=AuditAction.CREATE,
            subject=_debtor(case),
            fields=LINK_FIELDS,
            purpose=ProcessingPurpose.DEBT_COLLECTION,
            source=SOURCE,
            details={"case": case.number, "payment": payment.id, "amount": str(amount), "method": method},
        )
    return link


def payment_link_for(
    *,
    case: Case,
    method: Method,
    provider: PaymentProvider,
    amount: Money | None = None,
    redirect_url: str | None = None,
    webhook_url: str | None = None,
) -> PaymentLink:
    """The link to pay ``amount`` (default: all the case owes today) with: the open one already made for the same
    amount and method, else a new one (``payment_link_create``).

    The case's unfinished links are first brought up to date with the provider (``payment_link_sync``: a webhook
    may be late or lost), so a link paid meanwhile is booked, and one that expired, failed or was canceled is
    neither given out again nor counted as paid. Then, rather than a second payable payment for the same money:
    ``PaidMeanwhile`` when a link turned out paid (what is left changed since the debtor saw it),
    ``PaymentInProgress`` while a payment is pending, and ``EarlierLinksUnchecked`` when the links could not be
    brought up to date. An open link of another amount or method stays payable at the provider until it expires
    (not every method can be canceled); should the debtor pay both, the surplus is booked as an overpayment, which
    the ledger refunds (``overpayment_refund``). Otherwise ``payment_link_create``'s errors.
    """
    links, came_in = _unfinished_links_refresh(case=case, provider=provider)
    if came_in.cents > 0:
        raise PaidMeanwhile(came_in)
    pending = sum(link.amount_cents for link in links if link.status == PaymentLinkStatus.PENDING)
    if pending:
        raise PaymentInProgress(Money(pending))
    if amount is None:
        amount = case_quote(case=case, as_of=_today()).total_outstanding
    for link in links:
        if link.status == PaymentLinkStatus.OPEN and (link.amount_cents, link.method) == (amount.cents, method):
            return link
    # Two requests at once (a double click) both find no open link: the same key makes them one payment.
    latest = PaymentLink.objects.filter(case=case).order_by("-pk").values_list("pk", flat=True).first() or 0
    return payment_link_create(
        case=case,
        method=method,
        provider=provider,
        amount=amount,
        redirect_url=redirect_url,
        webhook_url=webhook_url,
        idempotency_key=f"paylink:{case.pk}:{amount.cents}:{method}:after-{latest}",
    )


def _unfinished_links_refresh(*, case: Case, provider: PaymentProvider) -> tuple[list[PaymentLink], Money]:
    """The case's links still open or pending after asking the provider (newest first), and what those asked
    about turned out to have paid (booked now). A paid link not booked yet (a booking that failed) is asked about
    again too."""
    unfinished = PaymentLink.objects.filter(
        Q(status__in=[PaymentLinkStatus.OPEN, PaymentLinkStatus.PENDING])
        | Q(status=PaymentLinkStatus.PAID, ledger_key=""),
        case=case,
    ).order_by("-created_at", "-pk")
    links, came_in = [], 0
    for link in unfinished:
        try:
            synced = payment_link_sync(provider_payment_id=link.provider_payment_id, provider=provider)
        except (PaymentProviderError, LedgerError, QuoteError) as exc:
            logger.warning("case %s: payment link %s could not be brought up to date: %s", case.number, link, exc)
            raise EarlierLinksUnchecked(f"payment link {link} of case {case.number} could not be checked") from exc
        if synced.ledger_key and not link.ledger_key:
            came_in += synced.amount_cents
        if synced.status in (PaymentLinkStatus.OPEN, PaymentLinkStatus.PENDING):
            links.append(synced)
    return links, Money(came_in)


def payment_link_sync(*, provider_payment_id: str, provider: PaymentProvider) -> PaymentLink:
    """Bring a link up to date with the provider (the webhook's work); book the payment once it is paid.

    Raises ``PaymentLinkNotFound`` for an id we never made (the provider is not asked), the provider's
    ``PaymentProviderError`` when it cannot be asked, and the ledger's errors when a paid payment cannot be booked;
    in each case nothing is written, so the provider's next delivery of the webhook tries again.
    """
    if not PaymentLink.objects.filter(provider_payment_id=provider_payment_id).exists():
        raise PaymentLinkNotFound(f"no payment link has provider payment id {provider_payment_id!r}")
    remote = provider.get_payment(provider_payment_id)
    with transaction.atomic():
        link = (
            PaymentLink.objects.select_for_update().select_related("case").get(provider_payment_id=provider_payment_id)
        )
        _status_record(link, remote)
        if remote.status is ProviderStatus.PAID and not link.ledger_key:
            _book(link, remote)
        if remote.charged_back and not link.chargeback_key:
            _charge_back(link, remote.charged_back)
    return link


def _status_record(link: PaymentLink, remote: ProviderPayment) -> None:
    status = PaymentLinkStatus(remote.status.value)
    if status == link.status:
        return
    PaymentLinkEvent.objects.create(link=link, from_status=link.status, to_status=status)
    audit_record(
        actor=SOURCE,
        action=AuditAction.UPDATE,
        subject=_debtor(link.case),
        fields=("paylinks.PaymentLink.status",),
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=SOURCE,
        details={"case": link.case.number, "payment": link.provider_payment_id, "from": link.status, "to": status},
    )
    link.status = status
    link.save(update_fields=["status"])


def _charge_back(link: PaymentLink, charged_back: Money) -> None:
    """The payer's bank took money back: reverse the booked payment, re-book what stayed paid, and tell a person.

    The whole payment is reversed through the ledger (so its allocation is undone exactly as a returned direct
    debit's is) and, for a partial chargeback, the part that stayed paid is booked again as a new payment. The
    case may have been closed as paid meanwhile, so a collector gets a task to look at it.
    """
    today = timezone.localdate()
    key = f"paylink-chargeback:{link.provider_payment_id}"
    payment_reverse(payment_key=link.ledger_key, key=key, booked_on=today, reason="chargeback by the payer's bank")
    kept = Money(link.amount_cents) - charged_back
    if kept.cents > 0:
        payment_receive(
            case_id=link.case_id,
            amount=kept,
            received_on=link.paid_at.astimezone(AMSTERDAM).date() if link.paid_at else today,
            key=f"paylink:{link.provider_payment_id}:kept",
            source=LEDGER_SOURCE[PaymentMethod(link.method)],
            reference=link.provider_payment_id,
        )
    link.charged_back_cents = charged_back.cents
    link.chargeback_key = key
    link.save(update_fields=["charged_back_cents", "chargeback_key"])
    task_create(
        kind=TaskKind.GENERAL,
        title=_("Chargeback of %(amount)s on case %(case)s") % {"amount": charged_back, "case": link.case.number},
        due_on=today,
        case=link.case,
        idempotency_key=key,
    )
    audit_record(
        actor=SOURCE,
        action=AuditAction.CREATE,
        subject=_debtor(link.case),
        fields=("ledger.PaymentAllocation.amount_cents", "paylinks.PaymentLink.charged_back_cents"),
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=SOURCE,
        details={"case": link.case.number, "payment": link.provider_payment_id, "charged_back": str(charged_back)},
    )


def _book(link: PaymentLink, remote: ProviderPayment) -> None:
    """Book what the provider says was paid (not what we asked for), on the day it was paid in Amsterdam."""
    assert remote.paid_at is not None  # noqa: S101 - the adapters refuse a paid payment without paidAt
    key = f"paylink:{link.provider_payment_id}"
    record = payment_receive(
        case_id=link.case_id,
        amount=remote.amount,
        received_on=remote.paid_at.astimezone(AMSTERDAM).date(),
        key=key,
        source=LEDGER_SOURCE[PaymentMethod(link.method)],
        reference=link.provider_payment_id,
    )
    link.paid_at = remote.paid_at
    link.ledger_key = key
    link.save(update_fields=["paid_at", "ledger_key"])
    audit_record(
        actor=SOURCE,
        action=AuditAction.CREATE,
        subject=_debtor(link.case),
        fields=("ledger.PaymentAllocation.amount_cents",),
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=SOURCE,
        details={
            "case": link.case.number,
            "payment": link.provider_payment_id,
            "amount": str(remote.amount),
            "ledger_key": key,
            "duplicate": record.duplicate,
        },
    )
