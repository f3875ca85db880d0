"""Writing the disclosure log (SPEC P-8): every time personal data leaves the system, through one of these two.

Each disclosure is checked against the transfer rules (``domain.transfers``) with the safeguards on file for its
recipient, then written with its audit events (action ``disclose``, one per subject) in one transaction. A refused
disclosure writes a ``RefusedDisclosure`` row and an audit event in a transaction of its own and then raises
``TransferRefused``; a caller that calls this inside its own ``atomic`` block and lets the error roll that block
back loses the refusal's record too, so call it outside, or catch the error inside.

A disclosure to a processor (a recipient whose category ``privacy.recipients`` names as one) is refused the same way
unless a processor agreement (GDPR art. 28) is in force that day: the privacy statement promises one is in place
before the data is provided.

A disclosure about a debtor whose processing is restricted (GDPR art. 18, a restriction hold on one of their cases,
``rights.selectors.debtors_restricted``) is refused the same way (``SubjectRestricted``), unless the caller says it
is needed to establish, exercise or defend a legal claim (``legal_claims=True``, art. 18(2)).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from incasso.audit.models import AuditAction
from incasso.audit.services import Actor, AuditEntry, audit_record_bulk
from incasso.cases.models import Case
from incasso.disclosures.errors import SubjectRestricted, TransferRefused
from incasso.disclosures.models import (
    AGREEMENT_SAFEGUARDS,
    Agreement,
    AgreementKind,
    Disclosure,
    DisclosureSubject,
    Recipient,
    RefusedDisclosure,
)
from incasso.domain.audit_chain import JSONValue, SubjectRef
from incasso.domain.data_map import DataCategory, LegalBasis, ProcessingPurpose
from incasso.domain.transfers import Verdict, transfer_allowed
from incasso.parties.models import Client, Debtor
from incasso.privacy.recipients import RECIPIENT_CATEGORIES, RecipientKind
from incasso.rights.selectors import debtors_restricted

CLIENT_CATEGORY = "clients"  # privacy.recipients: the clients the agency collects for
# A data subject: a saved model instance, a reference, or its text form "parties.Debtor:42".
SubjectInput = models.Model | SubjectRef | str
DESCRIPTION_LENGTH = 500
# The recipient categories that work on the agency's instructions: data goes there only under a processor agreement.
PROCESSOR_CATEGORIES = frozenset(c.code for c in RECIPIENT_CATEGORIES if c.kind is RecipientKind.PROCESSOR)


@dataclass(frozen=True, slots=True)
class DisclosureEntry:
    """One disclosure for ``disclosures_record_bulk``; the fields mean what ``disclosure_record``'s arguments mean."""

    recipient: Recipient
    subjects: Sequence[SubjectInput]
    categories: Sequence[DataCategory | str]
    legal_basis: LegalBasis | str
    purpose: ProcessingPurpose | str
    description: str
    case: Case | None = None
    legal_claims: bool = False


@dataclass(frozen=True, slots=True)
class _Checked:
    entry: DisclosureEntry
    subjects: tuple[SubjectRef, ...]
    categories: tuple[str, ...]
    legal_basis: str
    purpose: str


def disclosure_record(
    *,
    recipient: Recipient,
    subjects: Sequence[SubjectInput],
    categories: Sequence[DataCategory | str],
    legal_basis: LegalBasis | str,
    purpose: ProcessingPurpose | str,
    description: str,
    actor: Actor,
    case: Case | None = None,
    legal_claims: bool = False,
) -> Disclosure:
    """Log that data in ``categories`` about ``subjects`` went to ``recipient``, with its audit events.

    Raises ``TransferRefused`` (after logging the refusal) when the recipient is outside the EEA without an
    adequacy decision or safeguards on file, ``SubjectRestricted`` (logged too) when a subject's processing is
    restricted and ``legal_claims`` is not set, and ``ValueError`` for an unknown category, basis or purpose, no
    subjects, or an empty description.
    """
    entry = DisclosureEntry(recipient, subjects, categories, legal_basis, purpose, description, case, legal_claims)
    return disclosures_record_bulk(entries=[entry], actor=actor)[0]


def disclosures_record_bulk(*, entries: Sequence[DisclosureEntry], actor: Actor) -> list[Disclosure]:
    """Log many disclosures (a print batch): a constant number of queries whatever the number of entries.

    All or nothing: when any entry is refused (its recipient, or a restricted subject), the refusals are logged and
    nothing is disclosed.
    """
    checked = [_check(entry) for entry in entries]
    if not checked:
        return []
    now = timezone.now()
    label = actor_label_of(actor)
    verdicts = _refuse_or_verdicts(checked, actor=actor, label=label, now=now)
    with transaction.atomic():
        disclosures = Disclosure.objects.bulk_create(
            [
                Disclosure(
                    recipient=c.entry.recipient,
                    occurred_at=now,
                    categories=list(c.categories),
                    legal_basis=c.legal_basis,
                    purpose=c.purpose,
                    transfer_basis=verdicts[c.entry.recipient.pk].basis.value,
                    case=c.entry.case,
                    description=c.entry.description,
                    actor_label=label,
                )
                for c in checked
            ]
        )
        DisclosureSubject.objects.bulk_create(
            [
                DisclosureSubject(disclosure=disclosure, subject_type=ref.model, subject_id=ref.pk)
                for disclosure, c in zip(disclosures, checked, strict=True)
                for ref in c.subjects
            ]
        )
        audit_record_bulk(
            [
                _audit_entry(c, ref, actor=actor, details={"disclosure": disclosure.pk, "outcome": "disclosed"})
                for disclosure, c in zip(disclosures, checked, strict=True)
                for ref in c.subjects
            ]
        )
    return disclosures


def disclosures_check_bulk(*, entries: Sequence[DisclosureEntry], actor: Actor) -> None:
    """Check disclosures before the data leaves (before an upload): the refusals are logged and raised exactly as
    ``disclosures_record_bulk`` would, and nothing else is written. Record the disclosures once they happened."""
    checked = [_check(entry) for entry in entries]
    if checked:
        _refuse_or_verdicts(checked, actor=actor, label=actor_label_of(actor), now=timezone.now())


def disclosure_check(
    *,
    recipient: Recipient,
    subjects: Sequence[SubjectInput],
    categories: Sequence[DataCategory | str],
    legal_basis: LegalBasis | str,
    purpose: ProcessingPurpose | str,
    description: str,
    actor: Actor,
    case: Case | None = None,
    legal_claims: bool = False,
) -> None:
    """``disclosures_check_bulk`` for one disclosure; the arguments are ``disclosure_record``'s."""
    entry = DisclosureEntry(recipient, subjects, categories, legal_basis, purpose, description, case, legal_claims)
    disclosures_check_bulk(entries=[entry], actor=actor)


def _refuse_or_verdicts(
    checked: Sequence[_Checked], *, actor: Actor, label: str, now: datetime.datetime
) -> dict[int, Verdict]:
    """The transfer verdicts of the recipients when every entry may go; else log the refusals and raise."""
    recipients = {c.entry.recipient.pk: c.entry.recipient for c in checked}
    agreements = _agreements_in_force(recipients, day=now.date())
    verdicts = _transfer_verdicts(recipients, agreements)
    restricted = _restricted_subjects(checked, day=timezone.localdate(now))
    refused: list[tuple[_Checked, str]] = []
    for c in checked:
        recipient = c.entry.recipient
        reasons = [] if verdicts[recipient.pk].allowed else [verdicts[recipient.pk].reason]
        if (
            recipient.category in PROCESSOR_CATEGORIES
            and AgreementKind.PROCESSOR_AGREEMENT not in agreements[recipient.pk]
        ):
            reasons.append(f"no processor agreement (GDPR art. 28) with {recipient.name} in force on {now.date()}")
        if not c.entry.legal_claims:
            reasons += [_restricted_reason(ref) for ref in c.subjects if ref in restricted]
        if reasons:
            refused.append((c, "; ".join(reasons)))
    if not refused:
        return verdicts
    with transaction.atomic():
        _log_refusals(refused, actor=actor, label=label, now=now)
    names = sorted({c.entry.recipient.name for c, _ in refused})
    restriction = any(ref in restricted for c, _ in refused for ref in c.subjects)
    error = SubjectRestricted if restriction else TransferRefused
    raise error(f"disclosure to {', '.join(names)} refused: {'; '.join(sorted({why for _, why in refused}))}")


def client_recipient_ensure(*, client: Client) -> Recipient:
    """The recipients-register entry of a client (a report or notice about its debtor is a disclosure to it),
    made on first use: one query when it exists."""
    found = Recipient.objects.filter(client=client, category=CLIENT_CATEGORY).order_by("pk").first()
    if found is not None:
        return found
    recipient, _ = Recipient.objects.get_or_create(
        name=f"{client.name} ({client.code})"[:200],
        country="NL",
        defaults={"category": CLIENT_CATEGORY, "client": client},
    )
    return recipient


def recipients_transfer_verdicts(*, recipients: Iterable[Recipient], day: datetime.date) -> dict[int, Verdict]:
    """The transfer verdict per recipient pk, from the safeguards in force on ``day``: one query."""
    by_pk = {recipient.pk: recipient for recipient in recipients}
    return _transfer_verdicts(by_pk, _agreements_in_force(by_pk, day=day))


def _agreements_in_force(recipients: Iterable[int], *, day: datetime.date) -> dict[int, set[str]]:
    """The kinds of agreement in force on ``day`` per recipient pk: one query."""
    kinds: dict[int, set[str]] = {pk: set() for pk in recipients}
    for agreement in Agreement.objects.filter(recipient_id__in=kinds):
        if agreement.in_force_on(day):
            kinds[agreement.recipient_id].add(agreement.kind)
    return kinds


def _transfer_verdicts(recipients: dict[int, Recipient], agreements: dict[int, set[str]]) -> dict[int, Verdict]:
    safeguards = {
        pk: {AGREEMENT_SAFEGUARDS[k] for k in kinds if k in AGREEMENT_SAFEGUARDS} for pk, kinds in agreements.items()
    }
    return {pk: transfer_allowed(recipient.country, safeguards[pk]) for pk, recipient in recipients.items()}


def _restricted_subjects(checked: Sequence[_Checked], *, day: datetime.date) -> set[SubjectRef]:
    """The debtors among the subjects whose processing is restricted on ``day``: one query, none without debtors."""
    debtor = Debtor._meta.label
    ids = {int(ref.pk) for c in checked if not c.entry.legal_claims for ref in c.subjects if ref.model == debtor}
    if not ids:
        return set()
    return {SubjectRef(debtor, str(pk)) for pk in debtors_restricted(debtor_ids=sorted(ids), on=day)}


def _restricted_reason(ref: SubjectRef) -> str:
    return f"processing of {ref} is restricted (GDPR art. 18): storage only, or a disclosure for a legal claim"


def _check(entry: DisclosureEntry) -> _Checked:
    if entry.recipient.pk is None:
        raise ValueError("the recipient must be saved")
    subjects = tuple(dict.fromkeys(subject_ref_of(subject) for subject in entry.subjects))
    if not subjects:
        raise ValueError("a disclosure is about at least one data subject")
    known = {c.value for c in DataCategory}
    categories = tuple(dict.fromkeys(str(c) for c in entry.categories))
    if not categories or not set(categories) <= known:
        raise ValueError(f"data categories must be those of the data map (domain.data_map): {categories!r}")
    basis, purpose = str(entry.legal_basis), str(entry.purpose)
    if basis not in {b.value for b in LegalBasis}:
        raise ValueError(f"unknown legal basis {basis!r}")
    if purpose not in {p.value for p in ProcessingPurpose}:
        raise ValueError(f"unknown purpose {purpose!r}")
    if not entry.description.strip() or len(entry.description) > DESCRIPTION_LENGTH:
        raise ValueError(f"the description is 1 to {DESCRIPTION_LENGTH} characters")
    return _Checked(entry, subjects, categories, basis, purpose)


def subject_ref_of(subject: SubjectInput) -> SubjectRef:
    if isinstance(subject, SubjectRef):
        return subject
    if isinstance(subject, str):
        return SubjectRef.parse(subject)
    if subject.pk is None:
        raise ValueError("the subject must be saved before its disclosure is logged")
    return SubjectRef(subject._meta.label, str(subject.pk))


def actor_label_of(actor: Actor) -> str:
    return actor.get_username() if isinstance(actor, User) else actor


def _audit_entry(c: _Checked, ref: SubjectRef, *, actor: Actor, details: dict[str, JSONValue]) -> AuditEntry:
    recipient = c.entry.recipient
    return AuditEntry(
        actor=actor,
        action=AuditAction.DISCLOSE,
        subject=ref,
        fields=list(c.categories),
        purpose=c.purpose,
        source=f"disclosure to {recipient.name}"[:200],
        details={
            "recipient": recipient.pk,
            "country": recipient.country,
            "legal_basis": c.legal_basis,
            "case": c.entry.case.pk if c.entry.case is not None else None,
            "legal_claims": c.entry.legal_claims,
            **details,
        },
    )


def _log_refusals(refused: Sequence[tuple[_Checked, str]], *, actor: Actor, label: str, now: datetime.datetime) -> None:
    rows = RefusedDisclosure.objects.bulk_create(
        [
            RefusedDisclosure(
                recipient=c.entry.recipient,
                occurred_at=now,
                categories=list(c.categories),
                subjects=[str(ref) for ref in c.subjects],
                purpose=c.purpose,
                reason=reason[:500],
                actor_label=label,
            )
            for c, reason in refused
        ]
    )
    audit_record_bulk(
        [
            _audit_entry(
                c,
                ref,
                actor=actor,
                details={"refused_disclosure": row.pk, "outcome": "refused", "reason": row.reason},
            )
            for row, (c, _reason) in zip(rows, refused, strict=True)
            for ref in c.subjects
        ]
    )
