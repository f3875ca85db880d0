"""AML and acceptance checks (SPEC P-2, issue 8 item 6): a result and the minimal evidence, kept five years."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AmlRole(models.TextChoices):
    CLIENT = "client", _("Client")
    PARTNER = "partner", _("Partner")
    GUARANTOR = "guarantor", _("Guarantor")


class AmlOutcome(models.TextChoices):
    CLEAR = "clear", _("Clear")
    ATTENTION = "attention", _("Needs attention (ended registration or insolvency)")
    NOT_FOUND = "not_found", _("Not found in the company register")


class AmlCheck(models.Model):
    """One check of a party against public registers; ``evidence`` holds only what the outcome rests on."""

    subject_type = models.CharField(_("subject type"), max_length=100)
    subject_id = models.CharField(_("subject id"), max_length=64)
    role = models.CharField(_("role"), max_length=20, choices=AmlRole.choices)
    checked_on = models.DateField(_("checked on"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=AmlOutcome.choices)
    # {"kvk": {"registered", "active", "legal_form"}, "insolvencies": ["F.13/26/1"]}: no names, no addresses.
    evidence = models.JSONField(_("evidence"), default=dict)
    # Five years after the check (the AML retention policy, privacy.RetentionPolicy "aml"); then purged.
    retain_until = models.DateField(_("kept until"), db_index=True)
    actor_label = models.CharField(_("actor"), max_length=150)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-checked_on", "-pk"]
        verbose_name = _("AML check")
        verbose_name_plural = _("AML checks")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="amlcheck_subject_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=AmlRole.values), name="amlcheck_role_valid"),
            models.CheckConstraint(condition=Q(outcome__in=AmlOutcome.values), name="amlcheck_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.outcome} ({self.checked_on})"
