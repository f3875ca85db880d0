"""Reads of complaints. Staff reads go through the cases the user may see (``access_cases``)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from incasso.accounts.access import access_cases
from incasso.cases.models import Case
from incasso.complaints.models import Complaint, ComplaintStatus


def complaints_queue(*, user: User | AnonymousUser, include_closed: bool = False) -> QuerySet[Complaint]:
    """The complaints on the user's cases, oldest due first (open and answered; closed too when asked)."""
    complaints = Complaint.objects.filter(case__in=access_cases(user=user))
    if not include_closed:
        complaints = complaints.exclude(status=ComplaintStatus.CLOSED)
    return complaints.select_related("case", "answered_by").order_by("due_on", "pk")


def complaints_of_case(*, case: Case) -> list[Complaint]:
    """The complaints of one case (the caller got the case through ``access_case`` or the debtor's log-in)."""
    return list(Complaint.objects.filter(case=case).order_by("-received_at", "-pk"))
