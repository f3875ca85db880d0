"""Reading the audit log: by data subject (the access export, P-4) and by actor (monitoring, P-7)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import models
from django.db.models import QuerySet

from incasso.audit.models import AuditEvent
from incasso.domain.audit_chain import SubjectRef


def audit_events_for_subject(*, subject: models.Model | SubjectRef) -> QuerySet[AuditEvent]:
    """Every recorded access to one data subject, oldest first."""
    if isinstance(subject, models.Model):
        subject = SubjectRef(subject._meta.label, str(subject.pk))
    return AuditEvent.objects.filter(subject_type=subject.model, subject_id=subject.pk).order_by("sequence")


def audit_events_by_actor(*, actor: User | str) -> QuerySet[AuditEvent]:
    """Everything one user (or one named part of the system) did, oldest first."""
    if isinstance(actor, str):
        return AuditEvent.objects.filter(actor__isnull=True, actor_label=actor).order_by("sequence")
    return AuditEvent.objects.filter(actor_id=actor.pk).order_by("sequence")
