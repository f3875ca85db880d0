"""Finance's payout desk: what each client is due up to a day, and making the payout (downloads: the ledger).

The preview asks the ledger the same question ``payout_create`` asks (its ``payouts_items_due``, for every client
at once, with the clients' commission terms), so the figure on the screen is the figure that would be paid. A payout
made here gets an idempotency key from the client, the last day and the client's latest payout as the desk showed it
(the form carries it): a double click, or the form sent again, replays the key and shows the one payout made, while
a payout asked for from a fresh page (after a late bank statement, say) is a new one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from incasso.accounts.access import access_clients
from incasso.domain.money import Money
from incasso.ledger.errors import LedgerError
from incasso.ledger.models import Payout
from incasso.ledger.selectors import commission_timelines
from incasso.ledger.services import payout_create
from incasso.ledger.services.payouts import payouts_items_due
from incasso.parties.models import Client

AnyUser = User | AnonymousUser


class StalePayoutDesk(LedgerError):
    """The form's latest payout (``after``) is not a payout of this client: the page was stale or tampered with."""


@dataclass(frozen=True, slots=True)
class PayoutDue:
    """What one client would be paid out up to ``until`` (money in cents, as the ledger books it)."""

    client: Client
    period_start: date
    last_payout_id: int  # 0: none yet; the form sends it back, so a double click replays one key
    payments: int
    reversals: int
    gross: Money
    commission: Money
    net: Money

    @property
    def payable(self) -> bool:
        """A payout can be made: something positive to pay, and an account to pay it to."""
        return self.net.cents > 0 and bool(self.client.iban)


def _period_start(*, last_end: date | None, joined: date, until: date) -> date:
    """The day after the previous payout's period (else the day the client joined), never after ``until``."""
    start = last_end + timedelta(days=1) if last_end is not None else joined
    return min(start, until)


def payouts_due(*, user: AnyUser, until: date) -> list[PayoutDue]:
    """Per client the user may see, what a payout up to ``until`` would pay; clients with nothing pending left out.

    Five queries whatever the number of clients: the items due (two, the ledger's own), the commission terms, the
    latest payouts and the clients.
    """
    items_due = payouts_items_due(clients=access_clients(user=user), until=until)
    if not items_due:
        return []
    rates = commission_timelines(client_ids=list(items_due))
    latest: dict[int, tuple[int, date]] = {}
    payouts = Payout.objects.filter(client_id__in=list(items_due)).order_by("client_id", "-pk")
    for client_id, pk, end in payouts.values_list("client_id", "pk", "period_end"):
        latest.setdefault(client_id, (pk, end))
    due = []
    for client in Client.objects.filter(pk__in=list(items_due)).order_by("name", "pk"):
        items = items_due[client.pk]
        gross = Money(sum(item.client_cents() for item in items))
        commission = Money(sum(item.commission_cents(rates[client.pk]) for item in items))
        last_id, last_end = latest.get(client.pk, (0, None))
        due.append(
            PayoutDue(
                client=client,
                period_start=_period_start(
                    last_end=last_end, joined=timezone.localdate(client.created_at), until=until
                ),
                last_payout_id=last_id,
                payments=sum(1 for item in items if item.sign > 0),
                reversals=sum(1 for item in items if item.sign < 0),
                gross=gross,
                commission=commission,
                net=gross - commission,
            )
        )
    return due


def payout_key(*, client_id: int, until: date, last_payout_id: int) -> str:
    """The idempotency key of a payout asked for on the desk (see the module docstring)."""
    return f"backoffice-payout:{client_id}:{until.isoformat()}:after-{last_payout_id}"


def payout_make(*, user: User, client: Client, until: date, last_payout_id: int, source: str) -> Payout:
    """Pay the client out up to ``until`` after the payout ``last_payout_id`` the desk showed (0: none), with
    ``payout_create`` (which audits it, with the user as actor): its ``NothingToPayOut`` and ``LedgerError`` pass
    through; :class:`StalePayoutDesk` when ``last_payout_id`` is not one of the client's payouts."""
    last_end = None
    if last_payout_id:
        last_end = Payout.objects.filter(client=client, pk=last_payout_id).values_list("period_end", flat=True).first()
        if last_end is None:
            raise StalePayoutDesk(f"client {client.name} has no payout {last_payout_id}")
    return payout_create(
        client_id=client.pk,
        period_start=_period_start(last_end=last_end, joined=timezone.localdate(client.created_at), until=until),
        period_end=until,
        key=payout_key(client_id=client.pk, until=until, last_payout_id=last_payout_id),
        actor=user,
        source=source,
    )
