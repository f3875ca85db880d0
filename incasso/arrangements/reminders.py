"""Reminders before an instalment falls due (issue 4 item 4): an e-mail a few days ahead, over TLS, in the Wki hours.

When a plan is accepted, :func:`incasso.arrangements.services.arrangement_propose` plans one e-mail measure per
instalment (idempotency key ``arrangement-reminder:<instalment id>``). :func:`instalment_reminders_send` carries out
the ones that are due: it claims each measure (compare-and-set, so two workers never send one twice), sends, and
records the contact on the case file. A reminder whose instalment is already paid, whose plan is no longer active,
or whose case is on hold (restriction, dispute, insolvency ...) is cancelled, not sent; a debtor without an e-mail
address gets none (the confirmation letter listed the dates).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

from incasso.arrangements.models import ArrangementStatus, Instalment, InstalmentStatus
from incasso.arrangements.services import SYSTEM
from incasso.audit.models import AuditAction
from incasso.audit.services import AuditEntry, audit_record_bulk
from incasso.cases.models import Measure, MeasureKind, MeasureStatus
from incasso.cases.selectors import case_active_holds
from incasso.communications.emailing import require_encrypted_transport
from incasso.communications.formatting import date_long_text, iban_text, money_text
from incasso.communications.models import Communication, CommunicationChannel, Direction
from incasso.communications.selectors import Addressee, letter_addressees
from incasso.domain.audit_chain import SubjectRef
from incasso.domain.contact import AMSTERDAM, is_contact_allowed, next_allowed_contact
from incasso.domain.data_map import ProcessingPurpose
from incasso.domain.money import Money
from incasso.domain.payment_reference import rf_for_case

KEY_PREFIX = "arrangement-reminder:"
BATCH = 500

SUBJECT = {
    "nl": "Herinnering: termijn {number} van uw betalingsregeling",
    "en": "Reminder: instalment {number} of your payment plan",
}
BODY = {
    "nl": (
        "Beste {name},\n\n"
        "Op {due} staat termijn {number} van uw betalingsregeling voor dossier {case} klaar: {amount}.\n"
        "Maak het bedrag over naar {iban} met betalingskenmerk {reference}, of betaal online: {portal}\n\n"
        "Lukt het niet om op tijd te betalen? Neem dan voor die datum contact met ons op; samen zoeken we een "
        "oplossing.\n\nMet vriendelijke groet,\n{agency}\n"
    ),
    "en": (
        "Dear {name},\n\n"
        "On {due}, instalment {number} of your payment plan for case {case} falls due: {amount}.\n"
        "Please transfer the amount to {iban} with payment reference {reference}, or pay online: {portal}\n\n"
        "Can't pay on time? Please contact us before that date and we will look for a solution together.\n\n"
        "Kind regards,\n{agency}\n"
    ),
}
# Debtors in these countries read Dutch; everyone else gets the English text.
DUTCH_READING = frozenset({"NL", "BE", "SR"})


@dataclass(frozen=True, slots=True)
class ReminderSummary:
    sent: int
    cancelled: int
    wait_until: datetime.datetime | None  # outside the Wki contact hours: nothing was sent, try again then


@dataclass(frozen=True, slots=True)
class _Due:
    measure_id: int
    case_id: int
    debtor_id: int
    instalment_id: int


def _due_reminders(*, on: datetime.date, limit: int) -> list[_Due]:
    rows = Measure.objects.filter(
        status=MeasureStatus.PLANNED,
        kind=MeasureKind.EMAIL,
        idempotency_key__startswith=KEY_PREFIX,
        planned_for__lte=on,
    ).values_list("pk", "case_id", "case__debtor_id", "idempotency_key")[:limit]
    return [_Due(pk, case_id, debtor_id, int(key.removeprefix(KEY_PREFIX))) for pk, case_id, debtor_id, key in rows]


def instalment_reminders_send(*, now: datetime.datetime, limit: int = BATCH) -> ReminderSummary:
    """Send the instalment reminders due on ``now``'s date (at most ``limit``); a fixed number of queries per batch."""
    require_encrypted_transport()
    if not is_contact_allowed(now):
        return ReminderSummary(sent=0, cancelled=0, wait_until=next_allowed_contact(now))
    due = _due_reminders(on=now.astimezone(AMSTERDAM).date(), limit=limit)
    if not due:
        return ReminderSummary(sent=0, cancelled=0, wait_until=None)
    instalments = {
        row.pk: row
        for row in Instalment.objects.filter(pk__in=[d.instalment_id for d in due]).select_related("arrangement")
    }
    holds = case_active_holds(case_ids={d.case_id for d in due})
    addressees = letter_addressees(case_ids={d.case_id for d in due})
    stale = {
        d.measure_id
        for d in due
        if (instalment := instalments.get(d.instalment_id)) is None
        or instalment.status == InstalmentStatus.PAID
        or instalment.arrangement.status != ArrangementStatus.ACTIVE
        or holds.get(d.case_id)
        or not addressees[d.case_id].email
    }
    cancelled = Measure.objects.filter(pk__in=stale, status=MeasureStatus.PLANNED).update(
        status=MeasureStatus.CANCELLED
    )
    sent: list[_Due] = []
    with get_connection(fail_silently=False) as connection:  # one SMTP session for the whole batch
        for reminder in (d for d in due if d.measure_id not in stale):
            # Claim first: a second worker finds the measure no longer planned and leaves it alone.
            claimed = Measure.objects.filter(pk=reminder.measure_id, status=MeasureStatus.PLANNED)
            if not claimed.update(status=MeasureStatus.DONE, done_at=now):
                continue
            message = reminder_message(instalments[reminder.instalment_id], addressees[reminder.case_id])
            message.connection = connection
            try:
                message.send()
            except Exception:
                Measure.objects.filter(pk=reminder.measure_id).update(status=MeasureStatus.PLANNED, done_at=None)
                raise
            sent.append(reminder)
    _record(sent, instalments, addressees, now=now)
    return ReminderSummary(sent=len(sent), cancelled=cancelled, wait_until=None)


def reminder_message(instalment: Instalment, addressee: Addressee) -> EmailMessage:
    """The reminder for one instalment: what is due when, and how to pay it (transfer with the RF reference)."""
    language = "nl" if addressee.recipient.country in DUTCH_READING else "en"
    values = {
        "name": addressee.recipient.name,
        "number": instalment.number,
        "case": addressee.case_number,
        "due": date_long_text(instalment.due_on, language),
        "amount": money_text(Money(instalment.amount_cents - instalment.paid_cents), language),
        "iban": iban_text(settings.INCASSO_AGENCY_IBAN),
        "reference": rf_for_case(addressee.case_number),
        "portal": settings.INCASSO_AGENCY_PORTAL_URL,
        "agency": settings.INCASSO_AGENCY_NAME,
    }
    return EmailMessage(
        subject=SUBJECT[language].format(**values),
        body=BODY[language].format(**values),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[addressee.email],
    )


@transaction.atomic
def _record(
    sent: list[_Due], instalments: dict[int, Instalment], addressees: dict[int, Addressee], *, now: datetime.datetime
) -> None:
    Communication.objects.bulk_create(
        Communication(
            case_id=r.case_id,
            channel=CommunicationChannel.EMAIL,
            direction=Direction.OUT,
            occurred_at=now,
            subject="instalment reminder",
            summary=f"reminder for instalment {instalments[r.instalment_id].number} e-mailed",
        )
        for r in sent
    )
    audit_record_bulk(
        [
            AuditEntry(
                SYSTEM,
                AuditAction.READ,
                SubjectRef("parties.Debtor", str(r.debtor_id)),
                ("parties.Debtor.email", "parties.Debtor.given_names", "parties.Debtor.surname"),
                ProcessingPurpose.DEBT_COLLECTION,
                SYSTEM,
                {"case": addressees[r.case_id].case_number, "instalment_reminder": r.instalment_id},
            )
            for r in sent
        ]
    )
