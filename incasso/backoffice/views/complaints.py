"""The complaints queue (Wki): staff read a complaint on one of their cases and answer or close it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from incasso.accounts.access import access_case_object_refused, access_may_write, request_source
from incasso.backoffice.permissions import COMPLAINT_ROLES, staff_page, staff_user
from incasso.complaints.models import TEXT_LENGTH, Complaint
from incasso.complaints.selectors import complaints_queue
from incasso.complaints.services import complaint_answer

SHOWN = 200


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 5}))
    close = forms.BooleanField(label=_("Close the complaint"), required=False, initial=True)


@staff_page(COMPLAINT_ROLES)
def complaints(request: HttpRequest) -> HttpResponse:
    show_closed = request.GET.get("closed") == "1"
    rows = complaints_queue(user=request.user, include_closed=show_closed)[:SHOWN]
    context = {"complaints": rows, "show_closed": show_closed, "today": timezone.localdate()}
    return render(request, "backoffice/complaints.html", context)


@staff_page(COMPLAINT_ROLES)
@require_http_methods(["GET", "POST"])
def complaint_detail(request: HttpRequest, complaint_id: int) -> HttpResponse:
    user = staff_user(request)
    complaint = complaints_queue(user=user, include_closed=True).filter(pk=complaint_id).first()
    if complaint is None:
        asked = Complaint.objects.filter(pk=complaint_id)
        raise access_case_object_refused(
            user=user, objects=asked, what="complaint", reference=complaint_id, request=request
        )
    may_write = access_may_write(user=user)
    form = AnswerForm(request.POST or None)
    if request.method == "POST":
        if not may_write:
            raise Http404("No such complaint.")
        if form.is_valid():
            try:
                complaint_answer(
                    complaint=complaint,
                    by=user,
                    answer=form.cleaned_data["answer"],
                    close=form.cleaned_data["close"],
                    source=request_source(request),
                )
            except ValidationError as exc:
                form.add_error("answer", exc)
            else:
                messages.success(request, _("The answer was saved."))
                return HttpResponseRedirect(reverse("backoffice:complaints"))
    context = {"complaint": complaint, "form": form, "may_write": may_write}
    return render(request, "backoffice/complaint_detail.html", context, status=400 if form.errors else 200)
