"""The audit log in the back office (SPEC: the auditor "reads the audit log"; the chain is one "anyone with the
auditor role can verify"): entries newest first with filters, an entry's page, a CSV export of a filtered view,
and a button that verifies the chain. For the auditor, the privacy officer and the administrator; every read goes
through ``audit.selectors`` and is recorded in the log itself.

The URL patterns are here (``urlpatterns``), included once by ``backoffice.urls`` under ``audit-log/``.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from incasso.accounts.access import access_exports_check, request_source
from incasso.audit.export import audit_log_csv
from incasso.audit.models import PURPOSE_CHOICES, AuditAction, AuditVerification, VerificationOutcome
from incasso.audit.selectors import (
    AUDIT_LOG_ROLES,
    AuditLogFilter,
    audit_entry_subject,
    audit_log_entry,
    audit_log_page,
    audit_log_rows,
    audit_log_subjects,
    audit_verifications_recent,
)
from incasso.audit.verification import audit_verification_start
from incasso.backoffice.case_search import debtor_search
from incasso.backoffice.permissions import staff_page, staff_user
from incasso.domain.audit_chain import BreakReason, SubjectRef
from incasso.privacy.labels import PURPOSES, label
from incasso.web.fields import MAX_ID, PlausibleDateField

SEARCH_LENGTH = 64
# "parties.Debtor:42", as an entry names its subject (the entry page links to the subject's other entries).
SUBJECT_REFERENCE = re.compile(r"^[a-z_]+\.[A-Za-z]+:[0-9A-Za-z_-]+$")
# The outcome's badge. With a context of their own: without one, "Broken" would read as the arrangements app's
# "Niet nagekomen" (Django merges every app's catalogue, the first installed app's translation wins).
OUTCOME_NAMES = {
    VerificationOutcome.RUNNING.value: pgettext_lazy("audit chain", "Running"),
    VerificationOutcome.WHOLE.value: pgettext_lazy("audit chain", "Whole"),
    VerificationOutcome.BROKEN.value: pgettext_lazy("audit chain", "Broken"),
    VerificationOutcome.FAILED.value: pgettext_lazy("audit chain", "Stopped without a verdict"),
}
BREAK_REASONS = {
    BreakReason.HASH_MISMATCH.value: _("its content is not what was hashed"),
    BreakReason.PREV_HASH_MISMATCH.value: _("it does not follow the entry before it"),
    BreakReason.GAP.value: _("an entry before it is missing or out of place"),
    BreakReason.MISSING_TAIL.value: _("entries were cut off the end of the log"),
}


def _purpose_choices() -> list[tuple[str, str]]:
    """The purposes by their translated names (worked out per request, in the reader's language)."""
    return [("", gettext("any")), *((code, label(PURPOSES, code)) for code, _code in PURPOSE_CHOICES)]


class AuditLogForm(forms.Form):
    # A form, not ``request.GET`` as is: it refuses NUL characters, overlong text and ids no column holds.
    subject = forms.CharField(label=_("Data subject"), required=False, max_length=SEARCH_LENGTH)
    actor = forms.CharField(label=_("By"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("any")), *AuditAction.choices])
    purpose = forms.ChoiceField(label=_("Purpose"), required=False, choices=_purpose_choices)
    since = PlausibleDateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = PlausibleDateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    before = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    after = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end of the period is before its start."))
        return cleaned

    def filters(self, request: HttpRequest) -> AuditLogFilter:
        """The filter the (valid) form asks for; a subject is found by case number or the debtor's exact name,
        e-mail, postcode or IBAN (blind indexes: ``case_search``), or given as a reference."""
        data = self.cleaned_data
        text = data["subject"].strip()
        subjects: tuple[SubjectRef, ...] | None = None
        if SUBJECT_REFERENCE.match(text):
            subjects = (SubjectRef.parse(text),)
        elif text:
            subjects = audit_log_subjects(user=staff_user(request), cases=Q(number=text) | debtor_search(text))
        return AuditLogFilter(
            subjects=subjects,
            actor=data["actor"].strip(),
            action=data["action"],
            purpose=data["purpose"],
            since=_day_start(data["since"]),
            until=_day_start(data["until"], days_after=1),
        )


def _day_start(day: datetime.date | None, *, days_after: int = 0) -> datetime.datetime | None:
    if day is None:
        return None
    moment = datetime.datetime.combine(day + datetime.timedelta(days=days_after), datetime.time.min)
    return timezone.make_aware(moment)


@staff_page(AUDIT_LOG_ROLES)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """A page of entries, newest first (keyset: ``before``/``after`` a sequence), the filters, the verifications."""
    form = AuditLogForm(request.GET)
    page = None
    if form.is_valid():
        page = audit_log_page(
            user=request.user,
            filters=form.filters(request),
            source=request_source(request),
            before=form.cleaned_data["before"],
            after=form.cleaned_data["after"],
        )
    context = {
        "form": form,
        "page": page,
        "paged": bool(form.is_valid() and (form.cleaned_data["before"] or form.cleaned_data["after"])),
        "verifications": [_verification_row(run) for run in audit_verifications_recent()],
    }
    return render(request, "backoffice/audit_log.html", context, status=200 if page is not None else 400)


@staff_page(AUDIT_LOG_ROLES)
@require_GET
def audit_log_entry_view(request: HttpRequest, sequence: int) -> HttpResponse:
    entry = audit_log_entry(user=request.user, sequence=sequence, source=request_source(request))
    subject = audit_entry_subject(entry)
    context = {"entry": entry, "subject": str(subject) if subject else "", "fields": entry.fields}
    return render(request, "backoffice/audit_log_entry.html", context)


@staff_page(AUDIT_LOG_ROLES)
@require_GET
def audit_log_export(request: HttpRequest) -> HttpResponse:
    """The filtered view as CSV (at most ``selectors.EXPORT_LIMIT`` entries, newest first); the export is audited."""
    form = AuditLogForm(request.GET)
    if not form.is_valid():
        return HttpResponse(gettext("The filter is not valid."), status=400, content_type="text/plain; charset=utf-8")
    rows = audit_log_rows(user=request.user, filters=form.filters(request), source=request_source(request))
    access_exports_check(user=request.user, request=request)
    response = StreamingHttpResponse(audit_log_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    # Streamed (up to ``EXPORT_LIMIT`` rows, read in chunks); ``staff_page`` types its views' answers as HttpResponse.
    return cast(HttpResponse, response)


@staff_page(AUDIT_LOG_ROLES)
@require_POST
def audit_log_verify(request: HttpRequest) -> HttpResponse:
    """Start a walk over the chain (or find the one running); its outcome shows on the log's page."""
    run = audit_verification_start(by=staff_user(request), source=request_source(request))
    row = _verification_row(run)
    if run.outcome == VerificationOutcome.WHOLE:
        messages.success(request, row["summary"])
    elif run.outcome == VerificationOutcome.RUNNING:
        messages.info(request, _("The verification is running; this page shows what it found once it is done."))
    else:
        messages.error(request, row["summary"])
    return HttpResponseRedirect(reverse("backoffice:audit-log"))


def _verification_row(run: AuditVerification) -> dict[str, Any]:
    """A verification as the page tells it."""
    if run.outcome == VerificationOutcome.WHOLE:
        summary = gettext("The audit chain is whole: %(entries)s entries, up to entry %(last)s.") % {
            "entries": run.entries,
            "last": run.last_sequence or 0,
        }
    elif run.outcome == VerificationOutcome.BROKEN:
        summary = gettext("The audit chain is broken at entry %(sequence)s: %(why)s.") % {
            "sequence": run.broken_sequence,
            "why": BREAK_REASONS.get(run.broken_reason, run.broken_reason),
        }
    elif run.outcome == VerificationOutcome.RUNNING:
        summary = gettext("Running.")
    else:
        summary = gettext("The verification stopped without a verdict; start it again.")
    return {"run": run, "summary": summary, "outcome": OUTCOME_NAMES.get(run.outcome, run.outcome)}


urlpatterns = [
    path("", audit_log, name="audit-log"),
    path("<int:sequence>/", audit_log_entry_view, name="audit-log-entry"),
    path("verify/", audit_log_verify, name="audit-log-verify"),
    path("export.csv", audit_log_export, name="audit-log-export"),
]
