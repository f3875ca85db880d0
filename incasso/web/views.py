from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from incasso.accounts.selectors import user_is_agency_staff
from incasso.web.selectors import home_summary

DEFAULT_AGENCY_NAME = "Incasso demo agency"


def home(request: HttpRequest) -> HttpResponse:
    """The agency's front page: the pipeline for agency staff, a welcome and the log-in for everyone else."""
    agency_name = getattr(settings, "INCASSO_AGENCY_NAME", DEFAULT_AGENCY_NAME)
    user = request.user
    is_staff = isinstance(user, User) and user_is_agency_staff(user=user)
    summary = home_summary() if is_staff else None
    return render(request, "web/home.html", {"summary": summary, "agency_name": agency_name, "is_staff": is_staff})
