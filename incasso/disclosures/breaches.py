"""The breach register (SPEC P-9, GDPR art. 33 and 34): record, assess, notify, close — every step recorded.

The agency is mostly a processor: it tells each affected client (the controller) without undue delay (art. 33(2)),
and, where it is controller itself, the Autoriteit Persoonsgegevens within 72 hours of becoming aware (art. 33(1)),
and the data subjects when the risk is high (art. 34). A breach unlikely to result in a risk is recorded but not
notified to the authority. Every service here writes its step and an audit event in one transaction.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from incasso.audit.models import AuditAction
from incasso.audit.services import Actor, audit_record
from incasso.cases.models import TaskKind
from incasso.cases.services import task_create
from incasso.disclosures.errors import BreachStateError
from incasso.disclosures.models import (
    Breach,
    BreachNature,
    BreachNotification,
    BreachRisk,
    BreachStatus,
    BreachStep,
    BreachStepKind,
)
from incasso.disclosures.services import SubjectInput, actor_label_of, subject_ref_of
from incasso.domain.audit_chain import JSONValue
from incasso.domain.data_map import DataCategory, ProcessingPurpose
from incasso.domain.deadlines import breach_authority_deadline
from incasso.parties.models import Client

WARNING_BEFORE = datetime.timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Clock:
    """The 72-hour clock of art. 33(1). ``remaining`` is negative once the deadline passed.

    ``required`` is False once the breach is assessed as unlikely to result in a risk; ``overdue`` and ``warning``
    are only raised while a required notification is still outstanding.
    """

    deadline: datetime.datetime
    remaining: datetime.timedelta
    overdue: bool
    warning: bool
    required: bool
    notified_at: datetime.datetime | None


def breach_clock(breach: Breach, now: datetime.datetime) -> Clock:
    deadline = breach_authority_deadline(breach.became_aware_at)
    remaining = deadline - now
    required = breach.risk != BreachRisk.NONE
    pending = required and breach.authority_notified_at is None
    overdue = pending and remaining < datetime.timedelta(0)
    return Clock(
        deadline=deadline,
        remaining=remaining,
        overdue=overdue,
        warning=pending and not overdue and remaining < WARNING_BEFORE,
        required=required,
        notified_at=breach.authority_notified_at,
    )


def breach_record(
    *,
    description: str,
    nature: BreachNature | str,
    detected_at: datetime.datetime,
    became_aware_at: datetime.datetime,
    categories: Sequence[DataCategory | str],
    approximate_subjects: int,
    actor: Actor,
    affected_subjects: Sequence[SubjectInput] = (),
    affected_clients: Sequence[Client] = (),
    measures: str = "",
    now: datetime.datetime | None = None,
) -> Breach:
    """Record a breach (art. 33(5)) and queue the authority notification as a staff task due at the deadline."""
    now = now or timezone.now()
    if not description.strip():
        raise ValueError("say what happened")
    if str(nature) not in BreachNature.values:
        raise ValueError(f"unknown nature {nature!r}")
    if became_aware_at < detected_at or became_aware_at > now:
        raise ValueError("awareness comes after detection and not after now")
    known = {c.value for c in DataCategory}
    category_values = list(dict.fromkeys(str(c) for c in categories))
    if not set(category_values) <= known:
        raise ValueError(f"data categories must be those of the data map: {category_values!r}")
    subjects = [str(subject_ref_of(s)) for s in affected_subjects]
    if approximate_subjects < len(set(subjects)):
        raise ValueError("the approximate number of subjects is at least the number of subjects named")
    with transaction.atomic():
        breach = Breach.objects.create(
            reference=f"new-{uuid.uuid4().hex}",
            detected_at=detected_at,
            became_aware_at=became_aware_at,
            description=description,
            nature=str(nature),
            categories=category_values,
            approximate_subjects=approximate_subjects,
            affected_subjects=list(dict.fromkeys(subjects)),
            measures=measures,
        )
        breach.reference = f"BR-{became_aware_at:%Y}-{breach.pk:05d}"
        breach.save(update_fields=["reference"])
        breach.affected_clients.set(affected_clients)
        deadline = breach_authority_deadline(became_aware_at)
        task_create(
            kind=TaskKind.GENERAL,
            title=gettext("Breach %(reference)s: assess and notify the Autoriteit Persoonsgegevens")
            % {"reference": breach.reference},
            due_on=timezone.localtime(deadline).date(),
            team="privacy",
            details=gettext("Deadline (72 hours after awareness): %(deadline)s") % {"deadline": deadline.isoformat()},
            idempotency_key=f"breach:{breach.pk}:authority",
        )
        _step(breach, BreachStepKind.RECORDED, actor=actor, now=now, details={"deadline": deadline.isoformat()})
    return breach


def breach_assess(
    *, breach: Breach, risk: BreachRisk | str, reasoning: str, actor: Actor, now: datetime.datetime
) -> Breach:
    if str(risk) not in BreachRisk.values or str(risk) == BreachRisk.UNASSESSED:
        raise ValueError(f"a risk assessment is none, low or high, not {risk!r}")
    if not reasoning.strip():
        raise ValueError("give the reasoning of the risk assessment")
    with transaction.atomic():
        breach = _locked_open(breach)
        breach.risk, breach.risk_reasoning = str(risk), reasoning
        breach.save(update_fields=["risk", "risk_reasoning"])
        _step(breach, BreachStepKind.ASSESSMENT, actor=actor, now=now, details={"risk": str(risk)})
    return breach


def breach_notify_authority(
    *, breach: Breach, actor: Actor, now: datetime.datetime, reference: str = "", delay_reasons: str = ""
) -> Breach:
    """Record the notification to the Autoriteit Persoonsgegevens; late (after 72 hours) only with reasons."""
    with transaction.atomic():
        breach = _locked_open(breach)
        if breach.authority_notified_at is not None:
            raise BreachStateError(f"{breach.reference}: the authority was already notified")
        clock = breach_clock(breach, now)
        if clock.remaining < datetime.timedelta(0) and not delay_reasons.strip():
            raise BreachStateError(f"{breach.reference}: notified after 72 hours: give the reasons for the delay")
        breach.authority_notified_at, breach.authority_reference = now, reference
        breach.delay_reasons = delay_reasons
        breach.save(update_fields=["authority_notified_at", "authority_reference", "delay_reasons"])
        _step(
            breach,
            BreachStepKind.AUTHORITY_NOTIFICATION,
            actor=actor,
            now=now,
            details={"reference": reference, "late": clock.remaining < datetime.timedelta(0)},
        )
    return breach


def breach_notify_controllers(
    *, breach: Breach, actor: Actor, now: datetime.datetime, contact: str = ""
) -> list[BreachNotification]:
    """Tell every affected client not yet told, with the facts it needs (art. 33(2)); e-mail its contacts.

    The e-mails go after the commit, so a rolled-back notification sends nothing.
    """
    contact = contact or settings.INCASSO_AGENCY_EMAIL or settings.DEFAULT_FROM_EMAIL
    with transaction.atomic():
        breach = _locked_open(breach)
        done = set(BreachNotification.objects.filter(breach=breach).values_list("client_id", flat=True))
        clients = [c for c in breach.affected_clients.prefetch_related("contacts") if c.pk not in done]
        facts = _facts(breach, contact)
        notifications = BreachNotification.objects.bulk_create(
            [
                BreachNotification(
                    breach=breach,
                    client=client,
                    notified_at=now,
                    facts=facts,
                    emailed_to=sorted({c.email_address for c in client.contacts.all() if c.email_address}),
                )
                for client in clients
            ]
        )
        for notification in notifications:
            _step(
                breach,
                BreachStepKind.CONTROLLER_NOTIFICATION,
                actor=actor,
                now=now,
                details={"client": notification.client_id, "emailed_to": len(notification.emailed_to)},
            )
        messages = [_email(breach, n, facts) for n in notifications if n.emailed_to]
        if messages:
            transaction.on_commit(lambda: get_connection().send_messages(messages))
    return notifications


def breach_notify_subjects(
    *, breach: Breach, actor: Actor, now: datetime.datetime, method: str, notified_count: int
) -> Breach:
    """Record that the data subjects were told (art. 34), how and how many."""
    if not method.strip() or notified_count < 0:
        raise ValueError("say how the subjects were told and how many")
    with transaction.atomic():
        breach = _locked_open(breach)
        breach.subjects_notified_at = now
        breach.save(update_fields=["subjects_notified_at"])
        _step(
            breach,
            BreachStepKind.SUBJECT_NOTIFICATION,
            actor=actor,
            now=now,
            details={"method": method, "count": notified_count},
        )
    return breach


def breach_close(*, breach: Breach, actor: Actor, now: datetime.datetime) -> Breach:
    """Close a breach once every notification its risk calls for was made."""
    with transaction.atomic():
        breach = _locked_open(breach)
        missing = breach_missing_steps(breach)
        if missing:
            raise BreachStateError(f"{breach.reference} cannot be closed: {'; '.join(missing)}")
        breach.status, breach.closed_at = BreachStatus.CLOSED, now
        breach.save(update_fields=["status", "closed_at"])
        _step(breach, BreachStepKind.CLOSED, actor=actor, now=now, details={})
    return breach


def breach_missing_steps(breach: Breach) -> list[str]:
    missing = []
    if breach.risk == BreachRisk.UNASSESSED:
        missing.append("the risk is not assessed")
    if breach.risk in (BreachRisk.LOW, BreachRisk.HIGH) and breach.authority_notified_at is None:
        missing.append("the authority was not notified")
    if breach.risk == BreachRisk.HIGH and breach.subjects_notified_at is None:
        missing.append("the risk is high and the data subjects were not notified")
    notified = set(BreachNotification.objects.filter(breach=breach).values_list("client_id", flat=True))
    if set(breach.affected_clients.values_list("pk", flat=True)) - notified:
        missing.append("not every affected client was notified")
    return missing


def _locked_open(breach: Breach) -> Breach:
    locked = Breach.objects.select_for_update().get(pk=breach.pk)
    if locked.status != BreachStatus.OPEN:
        raise BreachStateError(f"{locked.reference} is closed")
    return locked


def _step(
    breach: Breach, kind: BreachStepKind, *, actor: Actor, now: datetime.datetime, details: dict[str, JSONValue]
) -> BreachStep:
    step = BreachStep.objects.create(
        breach=breach, kind=kind, occurred_at=now, actor_label=actor_label_of(actor), details=details
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if kind == BreachStepKind.RECORDED else AuditAction.UPDATE,
        subject=None,
        fields=["breach", kind.value],
        purpose=ProcessingPurpose.SECURITY,
        source="breach register",
        details={"breach": breach.reference, "step": kind.value, **details},
    )
    return step


def _facts(breach: Breach, contact: str) -> dict[str, JSONValue]:
    """What a controller needs for its own art. 33 and 34 duties (art. 33(3))."""
    return {
        "breach": breach.reference,
        "what": breach.description,
        "nature": breach.nature,
        "detected_at": breach.detected_at.isoformat(),
        "became_aware_at": breach.became_aware_at.isoformat(),
        "categories": list(breach.categories),
        "approximate_subjects": breach.approximate_subjects,
        "risk": breach.risk,
        "measures": breach.measures,
        "contact": contact,
    }


def _email(breach: Breach, notification: BreachNotification, facts: dict[str, JSONValue]) -> EmailMessage:
    lines = [
        f"A personal data breach affects data you entrusted to us as processor (reference {breach.reference}).",
        "",
        f"What happened: {facts['what']}",
        f"Nature: {facts['nature']}",
        f"Detected at: {facts['detected_at']}; we became aware at: {facts['became_aware_at']}",
        f"Categories of personal data: {', '.join(breach.categories) or 'under investigation'}",
        f"Approximate number of data subjects: {facts['approximate_subjects']}",
        f"Our risk assessment so far: {facts['risk']}",
        f"Measures taken or proposed: {facts['measures'] or 'under investigation'}",
        f"Contact for more information: {facts['contact']}",
    ]
    return EmailMessage(
        subject=f"Personal data breach {breach.reference}",
        body="\n".join(lines),
        to=list(notification.emailed_to),
    )
