"""A person reviews an automated decision the debtor contested (GDPR art. 22(3)), from the case page.

Closing the review task in a work queue alone would leave the decision unreviewed, so the queue keeps listing it and
the case gets no new automated decisions: the review is recorded here, through ``decision_review_record``, which
closes the task as well."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from incasso.accounts.access import access_case_to_change
from incasso.backoffice.permissions import staff_page, staff_user
from incasso.decisions.models import Decision
from incasso.decisions.services import decision_review_record

OUTCOME_LENGTH = 2000


class ReviewForm(forms.Form):
    outcome = forms.CharField(label=_("What the review concluded"), max_length=OUTCOME_LENGTH)


@staff_page()
@require_POST
def case_decision_review(request: HttpRequest, case_id: int, decision_id: int) -> HttpResponse:
    user = staff_user(request)
    case = access_case_to_change(user=user, case_id=case_id, request=request, fields=["decisions"])
    decision = Decision.objects.filter(case=case, pk=decision_id).first()
    if decision is None:
        raise Http404("No such decision.")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the review concluded."))
    else:
        try:
            decision_review_record(decision=decision, outcome=form.cleaned_data["outcome"], actor=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The review was recorded and its task closed."))
    return HttpResponseRedirect(reverse("backoffice:case-detail", args=[case_id]) + "#decisions")
