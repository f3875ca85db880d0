# The admin base classes are generic only to mypy: Django cannot subscript them at runtime, hence the ignores.
"""Admin for letter templates (new versions without a deploy) and read-only views of letters and the contact log.

A template version is never edited after it is saved: the admin adds the next version through the service,
which test-renders it first, and activates it with an action. Letters, batches and communications are records
of what happened and cannot be changed here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from incasso.communications.models import Communication, Letter, LetterTemplate, PrintBatch
from incasso.communications.rendering import LetterRenderError
from incasso.communications.services import letter_template_activate, letter_template_create
from incasso.communications.templates import letter_template_check
from incasso.core.admin import ReadOnlyAdmin


class LetterTemplateForm(forms.ModelForm):  # type: ignore[type-arg]
    # Typst source is kept exactly as typed (no stripping of whitespace).
    source = forms.CharField(
        strip=False, widget=forms.Textarea(attrs={"rows": 30, "cols": 110, "style": "font-family: monospace"})
    )

    class Meta:
        model = LetterTemplate
        fields = ["kind", "language", "source", "notes"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if {"kind", "language", "source"} <= data.keys():
            try:
                letter_template_check(kind=data["kind"], language=data["language"], source=data["source"])
            except LetterRenderError as exc:
                raise forms.ValidationError(f"The template does not render: {exc}") from exc
        return data


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = LetterTemplateForm
    list_display = ["kind", "language", "version", "active", "notes", "created_at", "created_by"]
    list_filter = ["kind", "language", "active"]
    actions = ["activate"]

    def get_readonly_fields(self, request: HttpRequest, obj: LetterTemplate | None = None) -> list[str]:
        # A saved version is what letters point at: it stays as it is. Change it by adding a version.
        if obj is not None:
            return ["kind", "language", "version", "source", "notes", "active", "created_at", "created_by"]
        return []

    def save_model(self, request: HttpRequest, obj: LetterTemplate, form: Any, change: bool) -> None:
        if change:
            return
        created = letter_template_create(
            kind=obj.kind, language=obj.language, source=obj.source, notes=obj.notes, actor_id=request.user.pk
        )
        obj.pk, obj.version = created.pk, created.version

    @admin.action(description="Activate the selected versions (one per kind and language)")
    def activate(self, request: HttpRequest, queryset: QuerySet[LetterTemplate]) -> None:
        chosen = list(queryset)
        if len({(t.kind, t.language) for t in chosen}) != len(chosen):
            self.message_user(request, "Choose one version per kind and language.", messages.ERROR)
            return
        for template in chosen:
            letter_template_activate(template=template)
        self.message_user(request, f"Activated {len(chosen)} template version(s).")

    def has_delete_permission(self, request: HttpRequest, obj: LetterTemplate | None = None) -> bool:
        return False


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "language", "channel", "status", "planned_for", "posted_on", "batch"]
    list_filter = ["status", "kind", "language", "channel", "planned_for"]
    search_fields = ["=case__number", "=rf_reference"]
    list_select_related = ["case", "batch"]


@admin.register(PrintBatch)
class PrintBatchAdmin(ReadOnlyAdmin):
    list_display = ["for_date", "letter_count", "pdf_path", "pdf_sha256", "created_at"]


@admin.register(Communication)
class CommunicationAdmin(ReadOnlyAdmin):
    list_display = ["case", "channel", "direction", "occurred_at", "subject", "actor"]
    list_filter = ["channel", "direction"]
    search_fields = ["=case__number"]
    list_select_related = ["case", "actor"]
