"""A collector's work on what the debtor will pay: record a promise to pay, accept or reject a proposed payment
arrangement. Every case via ``access_case_to_change``; the writes are ``incasso.arrangements.services``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from incasso.accounts.access import access_case_object_refused, access_case_to_change
from incasso.arrangements.models import Arrangement, ArrangementStatus
from incasso.arrangements.services import arrangement_decide, promise_record
from incasso.backoffice.permissions import staff_page, staff_user
from incasso.backoffice.views.cases import PromiseForm, case_page_response
from incasso.domain.money import Money

SECTION = "#arrangement"
REASON_LENGTH = 500


class ArrangementDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Why"), max_length=REASON_LENGTH)


def _back(case_id: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("backoffice:case-detail", args=[case_id]) + SECTION)


@staff_page()
@require_POST
def case_promise(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record a promise to pay; a refused form comes back on the case page with its errors and the input kept."""
    user = staff_user(request)
    case = access_case_to_change(user=user, case_id=case_id, request=request, fields=["promises"])
    form = PromiseForm(request.POST)
    if form.is_valid():
        try:
            promise_record(
                case=case,
                amount=Money.from_decimal(form.cleaned_data["amount"]),
                due_on=form.cleaned_data["due_on"],
                on=timezone.localdate(),
                actor=user,
            )
        except ValidationError as error:
            field = "due_on" if error.code == "due_past" else "amount"
            form.add_error(field, error)
        else:
            messages.success(request, _("The promise to pay was recorded."))
            return _back(case_id)
    return case_page_response(request, case_id, status=422, promise_form=form)


@staff_page()
@require_POST
def case_arrangement_decide(request: HttpRequest, case_id: int, arrangement_id: int) -> HttpResponse:
    """Accept or reject a payment arrangement the debtor proposed (its review task is closed with the reason)."""
    user = staff_user(request)
    case = access_case_to_change(user=user, case_id=case_id, request=request, fields=["arrangements"])
    arrangement = Arrangement.objects.filter(case=case, pk=arrangement_id, status=ArrangementStatus.PROPOSED).first()
    if arrangement is None:
        asked = Arrangement.objects.filter(pk=arrangement_id)
        raise access_case_object_refused(
            user=user, objects=asked, what="arrangement", reference=arrangement_id, request=request
        )
    form = ArrangementDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you accept or reject the arrangement."))
        return _back(case_id)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        arrangement_decide(arrangement=arrangement, accept=accept, actor=user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The arrangement was accepted.") if accept else _("The arrangement was rejected."))
    return _back(case_id)
