"""Finance's work on the unmatched-payments queue: put a bank entry that named no case on the right case by hand
(``incasso.payments.services.entry_match_by_hand``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from incasso.accounts.access import access_cases, access_may_write
from incasso.backoffice import queues
from incasso.backoffice.permissions import staff_page, staff_user
from incasso.backoffice.views.home import queue_page_response
from incasso.payments.services import entry_match_by_hand

CASE_NUMBER_LENGTH = 32


class MatchForm(forms.Form):
    case_number = forms.CharField(
        label=_("Case number"),
        max_length=CASE_NUMBER_LENGTH,
        error_messages={"required": _("Enter the number of the case this payment belongs to.")},
    )


@staff_page(queues.FINANCE_ROLES)
@require_POST
def unmatched_match(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Match one unmatched entry to the case whose number finance typed: back to the queue when done; when refused,
    the queue again with the number typed and why (status 400)."""
    user = staff_user(request)
    if not access_may_write(user=user):
        raise Http404("No such payment.")
    entry = queues.unmatched_payments(user=user).filter(pk=entry_id).first()
    if entry is None:
        raise Http404("No such payment.")
    form = MatchForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["case_number"].strip()
        case = access_cases(user=user).filter(number=number).first()
        if case is None:
            form.add_error("case_number", _("There is no case %(number)s.") % {"number": number})
        else:
            try:
                entry_match_by_hand(entry=entry, case=case, actor=user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The payment was put on case %(number)s.") % {"number": case.number})
                return HttpResponseRedirect(reverse("backoffice:queue", args=[queues.QueueKey.UNMATCHED.value]))
    # Refused: the queue again with what was typed and why, beside this entry.
    return queue_page_response(request, queues.QueueKey.UNMATCHED, status=400, match_form=form, match_entry=entry.pk)
