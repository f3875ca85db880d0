"""A person reviews an automated decision the debtor contested (GDPR art. 22(3)), from the case page.

Closing the review task in a work queue alone would leave the decision unreviewed, so the queue keeps listing it and
the case gets no new automated decisions: the review is recorded here, through ``decision_review_record``, which
closes the task as well."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from incasso.accounts.access import access_case_object_refused, access_case_to_change
from incasso.backoffice.permissions import staff_page, staff_user
from incasso.backoffice.views.cases import case_page_response
from incasso.decisions.models import Decision
from incasso.decisions.services import decision_review_record

OUTCOME_LENGTH = 2000


class ReviewForm(forms.Form):
    outcome = forms.CharField(
        label=_("What the review concluded"),
        max_length=OUTCOME_LENGTH,
        error_messages={
            "required": _("Say what the review concluded."),
            "max_length": _("Keep the review to at most %(limit_value)d characters (it has %(show_value)d)."),
        },
    )


@staff_page()
@require_POST
def case_decision_review(request: HttpRequest, case_id: int, decision_id: int) -> HttpResponse:
    user = staff_user(request)
    case = access_case_to_change(user=user, case_id=case_id, request=request, fields=["decisions"])
    decision = Decision.objects.filter(case=case, pk=decision_id).first()
    if decision is None:
        asked = Decision.objects.filter(pk=decision_id)
        raise access_case_object_refused(
            user=user, objects=asked, what="decision", reference=decision_id, request=request
        )
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            decision_review_record(decision=decision, outcome=form.cleaned_data["outcome"], actor=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The review was recorded and its task closed."))
            return HttpResponseRedirect(reverse("backoffice:case-detail", args=[case_id]) + "#decisions")
    # Refused: the case page again with what was typed and why, next to this decision's form.
    return case_page_response(request, case_id, status=400, review_form=form, review_decision=decision.pk)
