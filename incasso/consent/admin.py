# Every row here is written by a service (versions are immutable once published, consent records are evidence):
# the admin shows, never edits.
from __future__ import annotations

from django.contrib import admin

from incasso.consent.models import ConsentRecord, DocumentVersion, NewsletterIssue, StatementMailing, Suppression
from incasso.core.admin import ReadOnlyAdmin


@admin.register(DocumentVersion)
class DocumentVersionAdmin(ReadOnlyAdmin):
    list_display = ["kind", "purpose", "number", "title_en", "published_at"]
    list_filter = ["kind", "purpose"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ["subject_kind", "subject_ref", "purpose", "given", "version", "method", "where", "recorded_at"]
    list_filter = ["subject_kind", "purpose", "given", "method"]
    search_fields = ["=subject_ref"]


@admin.register(StatementMailing)
class StatementMailingAdmin(ReadOnlyAdmin):
    list_display = ["version", "batch", "recipients", "sent_at", "error"]


@admin.register(NewsletterIssue)
class NewsletterIssueAdmin(ReadOnlyAdmin):
    list_display = ["subject", "created_at", "recipients", "batches"]


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdmin):
    list_display = ["email_hash", "reason", "created_at"]
