"""Notes staff keep on a case file (the cases app has none)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.cases.models import Case

NOTE_LENGTH = 4000


class CaseNote(models.Model):
    """A free-text note by a staff member on a case: part of the case file, never shown to client or debtor."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes", verbose_name=_("case"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("note"), max_length=NOTE_LENGTH)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="case_note_case_idx")]

    def __str__(self) -> str:
        return f"note {self.pk} on case {self.case_id}"
