"""The register of processing activities as a page for the privacy officer (SPEC P-1).

The privacy officer, the administrator and the auditor may see it (``access.PRIVACY_PAGE_ROLES``); everybody
else who is logged in gets a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from incasso.accounts.access import PRIVACY_PAGE_ROLES, access_has_role
from incasso.privacy import labels
from incasso.privacy.selectors import ProcessingActivity, Retention, processing_register


@login_required
def register_page(request: HttpRequest) -> HttpResponse:
    if not access_has_role(user=request.user, roles=PRIVACY_PAGE_ROLES):
        raise PermissionDenied
    register = processing_register()
    context = {
        "agency": register.agency,
        "activities": [_activity_view(activity) for activity in register.activities],
        "controllers": register.controllers,
        "processor_purposes": [labels.label(labels.PURPOSES, a.purpose) for a in register.as_processor()],
        "recipients": [
            {
                "name": labels.label(labels.RECIPIENTS, r.code),
                "code": r.code,
                "outside_eea": r.outside_eea,
                "safeguards": r.safeguards,
            }
            for r in register.recipients
        ],
        "measures": [
            {"name": labels.label(labels.MEASURES, m.code), "in_place": m.in_place} for m in register.security_measures
        ],
    }
    return render(request, "privacy/register.html", context)


def _activity_view(activity: ProcessingActivity) -> dict[str, Any]:
    return {
        "code": activity.purpose.value,
        "name": labels.label(labels.PURPOSES, activity.purpose),
        "roles": [labels.label(labels.ROLES, role) for role in activity.roles],
        "legal_bases": [f"AVG/GDPR art. {basis}" for basis in activity.legal_bases],
        "subjects": [labels.label(labels.SUBJECTS, s) for s in activity.subjects],
        "data_categories": [labels.label(labels.DATA_CATEGORIES, c) for c in activity.data_categories],
        "special_categories": [labels.label(labels.DATA_CATEGORIES, c) for c in activity.special_categories],
        "recipients": [labels.label(labels.RECIPIENTS, r) for r in activity.recipients],
        "transfers": bool(activity.transfers),
        "retention": _retention_text(activity.retention),
        "field_count": len(activity.fields),
    }


def _retention_text(retention: Retention) -> str:
    if retention.months is None:
        return _("As long as the record the entry is about is kept.")
    trigger = labels.label(labels.TRIGGERS, retention.trigger)
    if retention.months == 0:
        return _("Deleted at once when %(trigger)s.") % {"trigger": trigger}
    if retention.end_of_calendar_year:
        return _("%(years)d years after the end of the calendar year in which the financial year ended.") % {
            "years": retention.months // 12
        }
    if retention.months % 12 == 0 and retention.months >= 60:
        return _("%(years)d years after %(trigger)s.") % {"years": retention.months // 12, "trigger": trigger}
    return _("%(months)d months after %(trigger)s.") % {"months": retention.months, "trigger": trigger}
