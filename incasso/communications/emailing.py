"""The e-mail that carries a letter: short B1 text in the letter's language, the PDF attached, the Wki footer.

E-mail to debtors is always encrypted in transit (C-8): :func:`require_encrypted_transport` refuses to send
while the SMTP settings allow plain text. Django's SMTP backend then verifies the server's certificate against
the system's trusted authorities and fails, rather than falling back, when STARTTLS is not offered.
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from incasso.communications import portal_codes
from incasso.communications.letter_data import LetterDataError, with_portal_code
from incasso.communications.models import (
    CommunicationChannel,
    Direction,
    Letter,
    LetterChannel,
    LetterKind,
    LetterStatus,
)
from incasso.communications.preparation import letters_prepare
from incasso.communications.recording import (
    communication_log,
    letters_mark_failed,
    letters_printable,
    letters_record_sent,
)
from incasso.communications.rendering import letters_compile
from incasso.communications.selectors import letter_addressees, letter_held
from incasso.domain.contact import AMSTERDAM, is_contact_allowed, next_allowed_contact
from incasso.integrations.smime import smime_protect

SUBJECTS = {
    "nl": {
        "reminder_letter": "Herinnering",
        "fourteen_day_letter": "Betaal binnen 14 dagen",
        "demand_letter": "Sommatie",
        "arrangement_confirmation": "Bevestiging betalingsregeling",
        "legal_notice": "Laatste kans voor de rechtszaak",
    },
    "en": {
        "reminder_letter": "Reminder",
        "fourteen_day_letter": "Pay within 14 days",
        "demand_letter": "Formal demand",
        "arrangement_confirmation": "Payment plan confirmation",
        "legal_notice": "Last chance before court",
    },
}
BODIES = {
    "nl": (
        "Beste {name},\n\n"
        "In de bijlage staat een brief van {agency} over dossier {case}. Wij schrijven u namens {creditor}.\n"
        "Open de bijlage (PDF) om de brief te lezen.\n\n"
        "Betalen, een betalingsregeling vragen of reageren kan online: {portal}\n\n"
        "Met vriendelijke groet,\n{agency}\n\n"
        "-- \n{agency} · {address} · KvK {kvk} · Wki-registratienummer {wki}\n"
        "Niet tevreden? Lees onze klachtenregeling: {complaints}\n"
    ),
    "en": (
        "Dear {name},\n\n"
        "Attached is a letter from {agency} about case {case}. We are writing to you on behalf of {creditor}.\n"
        "Open the attachment (PDF) to read the letter.\n\n"
        "You can pay, ask for a payment plan or respond online: {portal}\n\n"
        "Kind regards,\n{agency}\n\n"
        "-- \n{agency} · {address} · Chamber of Commerce (KvK) {kvk} · Wki registration number {wki}\n"
        "Not satisfied? Read our complaints procedure: {complaints}\n"
    ),
}


class InsecureEmailError(RuntimeError):
    """The SMTP settings would send a debtor's letter unencrypted; nothing is sent."""


def require_encrypted_transport() -> None:
    if not (settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL):
        raise InsecureEmailError("refusing to e-mail a letter without TLS: set EMAIL_USE_TLS or EMAIL_USE_SSL")


def letter_email_message(*, data: Mapping[str, Any], to: str, pdf: bytes) -> EmailMessage:
    """The message for one letter, from the values the letter printed (so mail and PDF cannot disagree)."""
    language = data["language"]
    agency = data["agency"]
    subject = f"{SUBJECTS[language][data['kind']]} - {data['case_number']}"
    body = BODIES[language].format(
        name=data["recipient"]["name"],
        agency=agency["name"],
        case=data["case_number"],
        creditor=data["creditor"],
        portal=agency["portal_url"],
        address=", ".join(agency["address_lines"]),
        kvk=agency["kvk_number"],
        wki=agency["wki_number"],
        complaints=agency["complaints_url"],
    )
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    message.attach(f"{data['kind']}-{data['case_number']}.pdf", pdf, "application/pdf")
    return message


@dataclass(frozen=True, slots=True)
class LetterEmailOutcome:
    sent_at: datetime | None  # None: not sent now
    wait_until: datetime | None  # when contact is allowed again (Wki), if it is not now


def letter_email_send(
    *, letter: Letter, now: datetime, connection: BaseEmailBackend | None = None
) -> LetterEmailOutcome:
    """E-mail a letter's PDF to the debtor over TLS, but only when a debtor may be approached (Wki art. 4.2).

    Outside the allowed hours nothing happens and the outcome says when to try again. A queued letter is
    written as posted today and gets a portal code; a letter already posted goes as a copy of what was printed.
    The letter is claimed first (compare-and-set on ``sent_at``), so two workers never send it twice.
    ``connection``: an open SMTP connection to reuse (a batch sends over one); by default one of its own.
    """
    require_encrypted_transport()
    if not is_contact_allowed(now):
        return LetterEmailOutcome(sent_at=None, wait_until=next_allowed_contact(now))
    if letter.status not in (LetterStatus.QUEUED, LetterStatus.RENDERED):
        raise ValueError(f"letter {letter.pk} is {letter.status}: nothing to e-mail")
    posted = now.astimezone(AMSTERDAM).date()
    if letter.status == LetterStatus.QUEUED:
        preparation = letters_prepare([letter], posted=posted)
        if not preparation.ready:
            letters_mark_failed(preparation.failed, now)
            raise LetterDataError(preparation.failed[letter.pk])
        prepared = preparation.ready[0]
        codes = {letter.pk: portal_codes.portal_code_generate()}
        data, template, to = prepared.data, prepared.template, prepared.addressee.email
        printable = letters_printable([prepared], codes)[0]
    else:
        if letter.template is None:
            raise ValueError(f"letter {letter.pk} was rendered without a template")
        data, template, codes = letter.data, letter.template, {}
        to = letter_addressees(case_ids=[letter.case_id])[letter.case_id].email
        printable = {**with_portal_code(data, None), "template_id": template.pk}
    if not to:
        raise ValueError(f"the debtor of letter {letter.pk} has no e-mail address")
    pdf = letters_compile(templates={template.pk: template.source}, letters=[printable], tagged=True).pdf
    if not Letter.objects.filter(pk=letter.pk, sent_at__isnull=True).update(sent_at=now):
        raise ValueError(f"letter {letter.pk} is being or has been e-mailed already")
    try:
        message = smime_protect(letter_email_message(data=data, to=to, pdf=pdf))
        message.connection = connection
        message.send(fail_silently=False)
    except Exception:
        Letter.objects.filter(pk=letter.pk).update(sent_at=None)  # release the claim: it may be tried again
        raise
    with transaction.atomic():
        if letter.status == LetterStatus.QUEUED:
            letters_record_sent([prepared], codes, now=now, posted=posted, status=LetterStatus.SENT)
        else:
            Letter.objects.filter(pk=letter.pk).update(status=LetterStatus.SENT)
            communication_log(
                case_id=letter.case_id,
                channel=CommunicationChannel.EMAIL,
                direction=Direction.OUT,
                occurred_at=now,
                subject=str(LetterKind(letter.kind).label),
                summary=f"copy of the letter posted on {letter.posted_on} e-mailed",
                letter=letter,
            )
    letter.refresh_from_db()
    return LetterEmailOutcome(sent_at=now, wait_until=None)


DEFAULT_BATCH = 200


@dataclass
class LetterEmailRun:
    """What one run of :func:`letters_email_send_due` did."""

    sent: int = 0
    held: int = 0  # due letters left queued because their case is on hold (restriction, dispute, legal hold...)
    failed: list[dict[str, object]] = field(default_factory=list)
    wait_until: datetime | None = None  # outside the contact hours: nothing was sent; try again from then
    error: str = ""  # the SMTP connection failed: the batch stopped, the letter it was on stays queued

    def as_dict(self) -> dict[str, object]:
        return {
            "sent": self.sent,
            "held": self.held,
            "failed": self.failed,
            "wait_until": self.wait_until.isoformat() if self.wait_until else None,
            "error": self.error,
        }


def letters_email_due(*, now: datetime) -> tuple[list[Letter], int]:
    """Queued e-mail letters due by ``now`` and not claimed by a sender, oldest first, without those of a closed
    case or a case on hold; and how many were held back."""
    today = now.astimezone(AMSTERDAM).date()
    due = Letter.objects.filter(
        status=LetterStatus.QUEUED, channel=LetterChannel.EMAIL, planned_for__lte=today, sent_at__isnull=True
    )
    held = letter_held(on=today)
    return list(due.exclude(held).order_by("planned_for", "pk")), due.filter(held).count()


def letters_email_send_due(*, now: datetime, batch_size: int = DEFAULT_BATCH) -> LetterEmailRun:
    """E-mail up to ``batch_size`` queued letters whose channel is e-mail, over one SMTP connection.

    Only inside the Wki contact hours: outside them nothing is sent and ``wait_until`` says when to run again.
    Each letter is claimed by compare-and-set before it goes, so a second run (or a second worker) never sends
    a letter twice. A letter that cannot be written or has no address is marked failed with the reason; an SMTP
    failure stops the batch and leaves the letter queued for the next run.
    """
    require_encrypted_transport()
    if not is_contact_allowed(now):
        return LetterEmailRun(wait_until=next_allowed_contact(now))
    letters, held = letters_email_due(now=now)
    run = LetterEmailRun(held=held)
    if not letters:
        return run
    with get_connection(fail_silently=False) as connection:
        for letter in letters[:batch_size]:
            try:
                letter_email_send(letter=letter, now=now, connection=connection)
            except LetterDataError as error:  # already marked failed by the preparation
                run.failed.append({"letter": letter.pk, "error": str(error)})
            except ValueError as error:  # no address, or claimed by another sender meanwhile
                if Letter.objects.filter(pk=letter.pk, sent_at__isnull=True).exists():
                    letters_mark_failed({letter.pk: str(error)}, now)
                    run.failed.append({"letter": letter.pk, "error": str(error)})
            except (smtplib.SMTPException, OSError) as error:
                run.error = f"{type(error).__name__}: {error}"
                break
            else:
                run.sent += 1
    return run
