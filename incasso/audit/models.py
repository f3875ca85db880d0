"""The audit log (SPEC P-7): who did what to whose personal data, when, from where and why. Append-only.

Every row is one link of a hash chain (``incasso.domain.audit_chain``): its hash covers its content and the hash of
the row before, so a changed, removed or inserted row is found by ``incasso audit verify``. Database triggers
refuse UPDATE and DELETE on both databases (migration 0002). Only ``services.audit_record`` and
``services.audit_record_bulk`` write rows, always inside the transaction of the change they record.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import ExpressionWrapper, F, Q
from django.utils.translation import gettext_lazy as _

from incasso.audit.field_sets import fields_expanded
from incasso.domain.audit_chain import GENESIS_HASH, HASH_LENGTH
from incasso.domain.data_map import ProcessingPurpose

PURPOSE_CHOICES = [(purpose.value, purpose.value) for purpose in ProcessingPurpose]


class AuditAction(models.TextChoices):
    READ = "read", _("Read")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")
    DISCLOSE = "disclose", _("Disclose to a recipient")
    LOGIN = "login", _("Log-in")
    LOGIN_FAILED = "login_failed", _("Failed log-in")
    LOGOUT = "logout", _("Log-out")


class AuditFieldsField(models.JSONField):
    """The list of field names an entry records, read with each named field set (``field_sets``) expanded into the
    names it stands for: every reader through the model (the access export, the admin) sees the fields themselves.
    The stored form, which the chain's hash covers, is read by ``verification`` as it is (``stored_fields``)."""

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        fields = super().from_db_value(value, expression, connection)
        return fields_expanded(fields) if isinstance(fields, list) else fields

    def deconstruct(self) -> Any:
        # Migrations see the plain JSONField: the column is the same, only reading differs (and a changed field
        # class would make SQLite rebuild the table, losing its append-only triggers).
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.JSONField", args, kwargs


def stored_fields() -> ExpressionWrapper[Any]:
    """``AuditEvent.fields`` as stored (set references not expanded), for ``.annotate``/``.values``."""
    return ExpressionWrapper(F("fields"), output_field=models.JSONField())


class AuditEvent(models.Model):
    """One recorded access to personal data. Never changed, never deleted."""

    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    # PROTECT: a user who ever touched personal data is deactivated, not deleted, so the log keeps its actor.
    # Not indexed on its own: ``audit_actor_idx`` (actor, sequence) serves every lookup by actor, and each index
    # is one more write per row in an append of thousands (the retention sweep).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    # The user's log-in name at the time, or the part of the system that acted ("daily run").
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    # The data subject: "app_label.Model" and the primary key, e.g. parties.Debtor and "42".
    subject_type = models.CharField(_("subject type"), max_length=100, blank=True)
    subject_id = models.CharField(_("subject id"), max_length=64, blank=True)
    # Names like "parties.Debtor.surname", or a named set's reference ("@retention.anonymise/1"; read expanded).
    fields = AuditFieldsField(_("fields"), default=list)
    purpose = models.CharField(_("purpose"), max_length=30, choices=PURPOSE_CHOICES)
    # Where the access came from: "ip:192.0.2.1", "api:<key prefix>", "cli", "job:daily-run".
    source = models.CharField(_("source"), max_length=200)
    details = models.JSONField(_("details"), default=dict)
    prev_hash = models.CharField(_("previous hash"), max_length=HASH_LENGTH)
    # Unique by a constraint rather than ``unique=True``, which on PostgreSQL adds a second, pattern-matching index
    # (``LIKE 'abc%'``) that no query of a hash needs.
    hash = models.CharField(_("hash"), max_length=HASH_LENGTH)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["sequence"]
        indexes = [
            # The access export (P-4) and the privacy officer read a subject's history; monitoring reads an actor's.
            models.Index(fields=["subject_type", "subject_id", "sequence"], name="audit_subject_idx"),
            # A user's entries only: the system's (the sweep's, the intake's, the daily run's: most rows) have no
            # actor, are found by their label, and cost this index no write.
            models.Index(fields=["actor", "sequence"], condition=Q(actor__isnull=False), name="audit_actor_idx"),
            # Checked on every staff read and every failed log-in: the reads of one user in the past hour (mass
            # reads) and the failed log-ins of the past minutes (lock-out, alerts), without scanning older rows.
            models.Index(
                fields=["actor", "occurred_at"],
                condition=Q(action="read", actor__isnull=False),
                name="audit_user_reads_idx",
            ),
            models.Index(fields=["occurred_at"], condition=Q(action="login_failed"), name="audit_login_failed_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["hash"], name="audit_hash_unique"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="audit_sequence_positive"),
            models.CheckConstraint(condition=Q(action__in=AuditAction.values), name="audit_action_valid"),
            models.CheckConstraint(
                condition=Q(purpose__in=[p.value for p in ProcessingPurpose]), name="audit_purpose_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.subject_type}:{self.subject_id} by {self.actor_label}"


class AuditChainHead(models.Model):
    """The newest link of the chain, in one row.

    Appends lock this row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's write lock serialises them anyway),
    so two transactions never hang entries off the same predecessor. It also records where the chain ends, so
    entries cut off the end are noticed by ``incasso audit verify``.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.PositiveBigIntegerField(_("last sequence"), default=0)
    last_hash = models.CharField(_("last hash"), max_length=HASH_LENGTH, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="audit_chain_head_single_row")]

    def __str__(self) -> str:
        return f"{self.last_sequence}: {self.last_hash}"


class VerificationOutcome(models.TextChoices):
    RUNNING = "running", _("Running")
    WHOLE = "whole", _("Whole")
    BROKEN = "broken", _("Broken")
    FAILED = "failed", _("Stopped without a verdict")


class AuditVerification(models.Model):
    """One walk over the chain started from the back office (``verification.audit_verification_start``): when, by
    whom, up to which entry, and what it found. Unlike an audit event it is written twice: started, then finished by
    its job; the start itself is an audit event."""

    started_at = models.DateTimeField(_("started at"))
    # PROTECT, as the audit log's actor: users are deactivated, not deleted.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=VerificationOutcome.choices, default=VerificationOutcome.RUNNING
    )
    # How far the walk got: the entries found whole, and the last of them (none when the first entry is broken).
    entries = models.PositiveBigIntegerField(_("entries verified"), default=0)
    last_sequence = models.PositiveBigIntegerField(_("verified up to entry"), null=True, blank=True)
    last_hash = models.CharField(_("hash of that entry"), max_length=HASH_LENGTH, blank=True)
    broken_sequence = models.PositiveBigIntegerField(_("first broken entry"), null=True, blank=True)
    broken_reason = models.CharField(_("why it is broken"), max_length=30, blank=True)
    broken_detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("audit chain verification")
        verbose_name_plural = _("audit chain verifications")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=VerificationOutcome.values), name="audit_verification_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"verification {self.pk}: {self.outcome}"
