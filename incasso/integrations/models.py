"""State shared by every worker that talks to an outside service: circuit breakers and the outbox of calls to retry.

Both live in the database so that several workers (in-process runs, Celery workers, cron jobs) agree: one worker
seeing the register down opens the circuit for all of them, and a call queued by one is retried by any.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NAME_LENGTH = 64
KIND_LENGTH = 64
DEDUPE_KEY_LENGTH = 200


class CircuitStatus(models.TextChoices):
    CLOSED = "closed", _("Closed: calls go through")
    OPEN = "open", _("Open: calls fail fast")
    HALF_OPEN = "half_open", _("Half-open: one trial call goes through")


class CircuitState(models.Model):
    """One circuit breaker's state, by the outside service's name (``"cir"``)."""

    name = models.CharField(_("name"), max_length=NAME_LENGTH, unique=True)
    state = models.CharField(
        _("state"), max_length=10, choices=CircuitStatus.choices, default=CircuitStatus.CLOSED.value
    )
    # Consecutive failures while closed; reset by any success.
    failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    # When the circuit last opened (open) or when the trial call started (half-open); NULL while closed.
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)

    class Meta:
        verbose_name = _("circuit state")
        verbose_name_plural = _("circuit states")
        constraints = [
            models.CheckConstraint(condition=Q(state__in=CircuitStatus.values), name="circuit_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.state}"


class PendingCall(models.Model):
    """A call to an outside service that has not succeeded yet: kept until it has, so no work is lost."""

    kind = models.CharField(_("kind"), max_length=KIND_LENGTH)
    # What the handler of ``kind`` needs: ids and dates, never personal data itself (the handler reads that).
    payload = models.JSONField(_("payload"), default=dict)
    # The same work queued twice while the first is pending is one call (``cir:debtor:42``).
    dedupe_key = models.CharField(_("de-duplication key"), max_length=DEDUPE_KEY_LENGTH)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("pending call")
        verbose_name_plural = _("pending calls")
        indexes = [
            # The retry run reads the due calls that are not done, oldest due first.
            models.Index(fields=["next_attempt_at"], condition=Q(done_at__isnull=True), name="pendingcall_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=Q(done_at__isnull=True), name="pendingcall_one_pending_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.dedupe_key}"


class FeedCursor(models.Model):
    """How far a change feed of an outside service has been read (``"address"``): the service's own cursor."""

    name = models.CharField(_("name"), max_length=NAME_LENGTH, unique=True)
    cursor = models.CharField(_("cursor"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("feed cursor")
        verbose_name_plural = _("feed cursors")

    def __str__(self) -> str:
        return f"{self.name}: {self.cursor}"


class SmimeCertificate(models.Model):
    """A recipient's S/MIME certificate: mail to ``email`` is encrypted for it while it is valid."""

    email = models.EmailField(_("e-mail address"), unique=True)
    certificate_pem = models.TextField(_("certificate (PEM)"))
    not_after = models.DateTimeField(_("valid until"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("S/MIME certificate")
        verbose_name_plural = _("S/MIME certificates")

    def __str__(self) -> str:
        return self.email
