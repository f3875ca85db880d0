"""What only the client portal records: the client's answer to a request to take legal steps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.cases.models import Case


class LegalStepsDecision(models.Model):
    """A client user approved or refused legal steps on a case (processor agreement: legal steps need approval).

    Kept for every answer, so the history shows who decided what and when; the case's
    ``legal_steps_approved_at`` carries the current state the stage machine reads.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="legal_steps_decisions")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved = models.BooleanField(_("approved"))
    reason = models.TextField(_("reason"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("legal steps decision")
        verbose_name_plural = _("legal steps decisions")
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {'approved' if self.approved else 'refused'}"
