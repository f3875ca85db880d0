"""Payouts: the client's collected money, less commission, transferred to the client with a statement (C-9).

A payout settles every payment and every reversal of the client's cases booked up to the end of its period that
no earlier payout settled, so a statement imported late is paid out next time instead of being lost, and the
one-to-one ``PayoutItem`` makes it impossible to pay anything out twice. A reversal of a payment that was paid out
before is deducted from the next payout, with its commission given back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.db.transaction import atomic
from django.utils import timezone

from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.domain.audit_chain import SubjectRef
from incasso.domain.data_map import ProcessingPurpose
from incasso.domain.money import Money
from incasso.ledger.errors import IdempotencyConflict, LedgerError, NoPayoutAccount, NothingToPayOut
from incasso.ledger.models import (
    AccountKind,
    LedgerTransaction,
    PaymentAllocation,
    Payout,
    PayoutItem,
    TransactionKind,
)
from incasso.ledger.selectors import commission_timelines
from incasso.ledger.sepa import CreditTransfer, credit_transfer_document
from incasso.ledger.services.postings import AccountKey, accounts_for, transaction_post
from incasso.ledger.shares import RatesTimeline, share_of
from incasso.ledger.statements import payout_statement_csv, payout_statement_pdf
from incasso.parties.models import Client
from incasso.webhooks.models import WebhookEventType
from incasso.webhooks.services import webhook_event_emit

BANK = AccountKey(AccountKind.BANK_CLIENT_MONEY)
REVENUE_COMMISSION = AccountKey(AccountKind.AGENCY_REVENUE_COMMISSION)
# The allocation's columns a statement adds up, in the order the statement shows them.
PARTS = ("amount", "to_costs", "to_interest", "to_principal", "overpayment", "agency_costs", "agency_interest")
_COLUMNS = [f"{part}_cents" for part in PARTS]
# The actor and source of a payout no person asked for (a scheduled run, the demo).
SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class ItemDue:
    """A payment (sign 1) or a reversal of one (sign -1) to settle, with the original payment's allocation."""

    transaction_id: int
    case_id: int
    case_number: str
    received_on: date
    sign: int
    parts: dict[str, int]

    def client_cents(self) -> int:
        parts = self.parts
        kept = parts["overpayment"] + parts["agency_costs"] + parts["agency_interest"]
        return self.sign * (parts["amount"] - kept)

    def commission_cents(self, rates: RatesTimeline) -> int:
        # Computed on the original and then signed, so a reversal gives back exactly the commission taken.
        basis_points = rates.on(self.received_on).commission_on_principal_bp
        return self.sign * share_of(Money(self.parts["to_principal"]), basis_points).cents


def payout_items_due(*, client_id: int, until: date) -> list[ItemDue]:
    """Payments and reversals of the client's cases booked by ``until`` that no payout settled yet (two queries)."""
    return payouts_items_due(clients=[client_id], until=until).get(client_id, [])


def payouts_items_due(*, clients: QuerySet[Client] | Iterable[int], until: date) -> dict[int, list[ItemDue]]:
    """``payout_items_due`` of many clients at once, by client id (clients with nothing due left out).

    Two queries whatever the number of clients (``clients`` may be a queryset: it is then a subquery), so the
    payout desk's preview costs the same for one client as for a thousand.
    """
    if not isinstance(clients, QuerySet):
        clients = list(clients)
    payments = PaymentAllocation.objects.filter(
        case__client__in=clients, transaction__booked_on__lte=until, transaction__payout_item__isnull=True
    ).values_list("case__client_id", "transaction_id", "case_id", "case__number", "received_on", *_COLUMNS)
    reversed_columns = [f"reverses__allocation__{column}" for column in _COLUMNS]
    reversals = LedgerTransaction.objects.filter(
        kind=TransactionKind.REVERSAL,
        reverses__allocation__case__client__in=clients,
        booked_on__lte=until,
        payout_item__isnull=True,
    ).values_list(
        "reverses__allocation__case__client_id",
        "pk",
        "reverses__allocation__case_id",
        "reverses__allocation__case__number",
        "reverses__allocation__received_on",
        *reversed_columns,
    )
    items: dict[int, list[ItemDue]] = {}
    for sign, rows in ((1, payments.order_by("transaction_id")), (-1, reversals.order_by("pk"))):
        for client_id, tx_id, case_id, number, received_on, *values in rows:
            item = ItemDue(tx_id, case_id, number, received_on, sign, dict(zip(PARTS, values, strict=True)))
            items.setdefault(client_id, []).append(item)
    return items


STATEMENT_SUMS = ("payments", "reversals", *_COLUMNS, "client_cents", "commission_cents", "net_cents")


def _statement(items: list[ItemDue], commissions: dict[int, int]) -> list[dict[str, int | str]]:
    """One line per case (in case-number order): how many payments and reversals, and their signed sums in cents."""
    numbers: dict[int, str] = {}
    sums: dict[int, dict[str, int]] = {}
    for item in sorted(items, key=lambda item: (item.case_number, item.transaction_id)):
        numbers[item.case_id] = item.case_number
        line = sums.setdefault(item.case_id, dict.fromkeys(STATEMENT_SUMS, 0))
        line["payments" if item.sign > 0 else "reversals"] += 1
        for part, column in zip(PARTS, _COLUMNS, strict=True):
            line[column] += item.sign * item.parts[part]
        client, commission = item.client_cents(), commissions[item.transaction_id]
        line["client_cents"] += client
        line["commission_cents"] += commission
        line["net_cents"] += client - commission
    return [{"case_id": case_id, "case": numbers[case_id], **line} for case_id, line in sums.items()]


@atomic
def payout_create(
    *,
    client_id: int,
    period_start: date,
    period_end: date,
    key: str,
    actor: User | None = None,
    source: str = SYSTEM,
) -> Payout:
    """Pay out to a client what was collected for it up to ``period_end`` and not paid out yet, less commission.

    Books the commission from the client's money to the agency's revenue and the rest from the client's money out
    of the bank, stores the statement per case and a pain.001 file validated against its XSD, and audits the
    payout (its statement and pain.001 file carry the client's name and IBAN) with ``actor``, or ``SYSTEM`` when
    no person asked for it. The same key again returns the same payout, with nothing written or audited again.
    :class:`NothingToPayOut` when the net amount is not positive (the items then wait for the next payout,
    netted against what comes in); :class:`NoPayoutAccount`, with nothing written, when the client has no IBAN.
    """
    existing = Payout.objects.filter(transaction__idempotency_key=key).first()
    if existing is not None:
        if (existing.client_id, existing.period_start, existing.period_end) != (client_id, period_start, period_end):
            raise IdempotencyConflict(f"key {key!r} was used for another payout ({existing.pk})")
        return existing
    if period_end < period_start:
        raise LedgerError("a payout period ends on or after its start")
    # Locking the client makes two payouts for one client run one after the other.
    client = Client.objects.select_for_update().filter(pk=client_id).values_list("name", "iban").first()
    if client is None:
        raise LedgerError(f"there is no client {client_id}")
    name, iban = client
    if not iban:
        raise NoPayoutAccount(f"client {name} has no IBAN to pay out to")
    items = payout_items_due(client_id=client_id, until=period_end)
    rates = commission_timelines(client_ids=[client_id])[client_id]
    commissions = {item.transaction_id: item.commission_cents(rates) for item in items}
    gross = Money(sum(item.client_cents() for item in items))
    commission = Money(sum(commissions.values()))
    net = gross - commission
    if net.cents <= 0:
        raise NothingToPayOut(f"client {name} has {net} to be paid out up to {period_end.isoformat()}")
    client_money = AccountKey(AccountKind.CLIENT_MONEY_PAYABLE, client_id=client_id)
    accounts = accounts_for([client_money, REVENUE_COMMISSION, BANK])
    posted = transaction_post(
        key=key,
        kind=TransactionKind.PAYOUT,
        booked_on=period_end,
        lines=[
            (accounts[client_money], commission),
            (accounts[REVENUE_COMMISSION], -commission),
            (accounts[client_money], net),
            (accounts[BANK], -net),
        ],
        description=f"payout {period_start.isoformat()} - {period_end.isoformat()}",
    )
    reference = f"INCPO{posted.pk}"
    xml = credit_transfer_document(
        transfers=[
            CreditTransfer(
                name=name,
                iban=iban,
                amount=net,
                description=f"Payout {period_start.isoformat()} - {period_end.isoformat()} {reference}",
                end_to_end_id=reference,
            )
        ],
        execution_date=max(timezone.localdate(), period_end),
    )
    payout = Payout.objects.create(
        client_id=client_id,
        period_start=period_start,
        period_end=period_end,
        gross_cents=gross.cents,
        commission_cents=commission.cents,
        net_cents=net.cents,
        transaction=posted,
        statement=_statement(items, commissions),
        credit_transfer_xml=xml,
    )
    PayoutItem.objects.bulk_create(
        PayoutItem(
            payout=payout,
            transaction_id=item.transaction_id,
            case_id=item.case_id,
            client_cents=item.client_cents(),
            commission_cents=commissions[item.transaction_id],
        )
        for item in items
    )
    audit_record(
        actor=actor if actor is not None else SYSTEM,
        action=AuditAction.CREATE,
        subject=SubjectRef(Client._meta.label, str(client_id)),
        fields=["statement", "credit_transfer_xml"],
        purpose=ProcessingPurpose.BOOKKEEPING,
        source=source,
        details={"payout": payout.pk, "period_end": period_end.isoformat(), "net_cents": payout.net_cents},
    )
    webhook_event_emit(
        client=client_id,
        event=WebhookEventType.PAYOUT_MADE,
        payload={"payout": payout.pk, "period_end": period_end.isoformat(), "net": str(net)},
    )
    return payout


@atomic
def payout_statement_download(*, payout: Payout, user: User, file_format: str, source: str) -> bytes:
    """The statement of a payout as CSV or PDF, for either portal; the download is audited (it lists the client's
    cases). The caller has checked that ``user`` may see the payout and that ``file_format`` is csv or pdf."""
    content = (
        payout_statement_csv(payout=payout).encode() if file_format == "csv" else payout_statement_pdf(payout=payout)
    )
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        subject=payout.client,
        fields=["statement"],
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=source,
        details={"payout": payout.pk, "format": file_format},
    )
    return content


@atomic
def payout_credit_transfer_download(*, payout: Payout, user: User, source: str) -> bytes:
    """The pain.001 file exactly as it was made (a bank refuses a message id twice); the download is audited, as
    it carries the client's name and IBAN."""
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        subject=payout.client,
        fields=["credit_transfer_xml"],
        purpose=ProcessingPurpose.BOOKKEEPING,
        source=source,
        details={"payout": payout.pk},
    )
    return payout.credit_transfer_xml.encode()
