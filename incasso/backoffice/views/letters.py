"""A letter on demand from the case page: the collector picks a kind and a language, the letter is queued for the
next print batch (``incasso.communications.on_demand``, which applies the daily run's guards) or the page says
why it may not go out."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from incasso.accounts.access import access_case_to_change, request_source
from incasso.accounts.roles import Role
from incasso.backoffice.permissions import staff_page, staff_user
from incasso.communications.models import LetterKind, LetterLanguage
from incasso.communications.on_demand import LetterRefused, letter_on_demand_queue

# Who sends letters by hand: the collectors working the case, the legal officer (notices of legal steps), and the
# administrator; finance, privacy and the auditor do not write to debtors.
LETTER_ROLES: frozenset[Role] = frozenset({Role.COLLECTOR, Role.LEGAL_OFFICER, Role.ADMINISTRATOR})
SECTION = "#letters-heading"


class LetterOnDemandForm(forms.Form):
    kind = forms.ChoiceField(label=_("Letter"), choices=LetterKind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=LetterLanguage.choices, initial=LetterLanguage.DUTCH)


@staff_page(LETTER_ROLES)
@require_POST
def case_letter_send(request: HttpRequest, case_id: int) -> HttpResponse:
    """Queue the letter the form names; back to the case page with the planned day, or with the reason it may not."""
    user = staff_user(request)
    case = access_case_to_change(user=user, case_id=case_id, request=request, fields=["letters"])
    back = HttpResponseRedirect(reverse("backoffice:case-detail", args=[case.pk]) + SECTION)
    form = LetterOnDemandForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a letter and a language."))
        return back
    try:
        queued = letter_on_demand_queue(
            case=case,
            kind=form.cleaned_data["kind"],
            language=form.cleaned_data["language"],
            actor=user,
            now=timezone.now(),
            source=request_source(request),
        )
    except LetterRefused as refused:
        messages.error(request, _("The letter was not sent. %(reason)s") % {"reason": refused.reason})
        return back
    values = {"letter": LetterKind(queued.kind).label, "day": formats.date_format(queued.planned_for)}
    if queued.new:
        messages.success(request, _("%(letter)s queued for posting on %(day)s.") % values)
    else:
        messages.info(request, _("%(letter)s was already queued for posting on %(day)s.") % values)
    return back
