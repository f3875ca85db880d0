"""Cases: the list, the case page, its actions (stage moves, notes) and letter PDFs. Every case via ``access_case``."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from incasso.accounts.access import (
    access_case,
    access_case_object_refused,
    access_case_to_change,
    access_cases,
    access_has_role,
    access_may_write,
    request_source,
)
from incasso.backoffice.case_search import debtor_search
from incasso.backoffice.models import NOTE_LENGTH
from incasso.backoffice.permissions import PORTAL_UNLOCK_ROLES, staff_page, staff_user
from incasso.backoffice.selectors import case_page
from incasso.backoffice.services import case_note_add
from incasso.backoffice.views.circumstances import FlagForm, situation_form
from incasso.cases.models import Case
from incasso.cases.services import case_transition
from incasso.circumstances.access import circumstances_may_read, circumstances_may_record
from incasso.circumstances.selectors import case_circumstances
from incasso.communications.letter_data import LetterDataError
from incasso.communications.models import Letter
from incasso.communications.services import letter_render_single
from incasso.debtor_portal.login import portal_login_unlock
from incasso.debtor_portal.models import DisputeFile
from incasso.debtor_portal.selectors import dispute_file_read
from incasso.domain.case_lifecycle import TransitionRefused
from incasso.domain.case_stages import ClosedReason, Stage
from incasso.privacy.retention.dispute_files import GONE as ANONYMISED_FILE
from incasso.web.fields import PlausibleDateField

CASES_SHOWN = 100
SEARCH_LENGTH = 64
CASE_PAGE_FIELDS = ["display_name", "address", "claims", "payments", "communications"]


class NoteForm(forms.Form):
    text = forms.CharField(label=_("New note"), max_length=NOTE_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))


class PromiseForm(forms.Form):
    """The debtor's promise to pay, as a collector hears it on the phone (``arrangements.services.promise_record``)."""

    amount = forms.DecimalField(
        label=_("Amount (€)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2, localize=True
    )
    due_on = PlausibleDateField(label=_("Pay by"), widget=forms.DateInput(attrs={"type": "date"}))


class MoveForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"), choices=[(stage.value, stage.label) for stage in Stage])
    closed_reason = forms.ChoiceField(
        label=_("Closing reason"),
        choices=[("", "—"), *((reason.value, reason.label) for reason in ClosedReason)],
        required=False,
    )
    reason = forms.CharField(label=_("Why"), max_length=500)


class CaseSearchForm(forms.Form):
    # A form, not ``request.GET`` as is: it refuses NUL characters (which PostgreSQL cannot compare) and overlong text.
    q = forms.CharField(required=False, max_length=SEARCH_LENGTH)


@staff_page()
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the user may see (``access_cases``), newest first; a search by case number or the debtor's exact
    name, e-mail, postcode or IBAN (``case_search``)."""
    cases = access_cases(user=request.user).select_related("client").order_by("-pk")
    search = CaseSearchForm(request.GET)
    if search.is_valid():
        query = search.cleaned_data["q"]
        if query:
            cases = cases.filter(Q(number__icontains=query) | debtor_search(query.strip()))
    else:
        query, cases = "", cases.none()
        messages.error(
            request,
            _("Search with at most %(max)d characters and no control characters.") % {"max": SEARCH_LENGTH},
        )
    return render(request, "backoffice/case_list.html", {"cases": cases[:CASES_SHOWN], "query": query})


@staff_page()
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """One case (``access_case``: 404 when not the user's, the read audited with the debtor as subject)."""
    return case_page_response(request, case_id)


def case_page_response(
    request: HttpRequest, case_id: int, *, status: int = 200, **bound_forms: forms.Form | int
) -> HttpResponse:
    """The case page; an action whose form was refused passes it here bound (``situation_form=form``; with the
    row it belongs to where the page has one per row, ``review_decision=decision.pk``), so the page shows each
    error next to its field and keeps what the user typed instead of redirecting."""
    case = access_case(user=request.user, case_id=case_id, request=request, fields=CASE_PAGE_FIELDS)
    may_write = access_may_write(user=request.user)
    context = {
        "page": case_page(case=case, today=timezone.localdate()),
        **_circumstances_context(request, case),
        "case": case,
        "note_form": NoteForm(),
        "promise_form": PromiseForm(),
        "may_write": may_write,
        "may_unlock_portal": access_has_role(user=request.user, roles=PORTAL_UNLOCK_ROLES),
        **bound_forms,
    }
    return render(request, "backoffice/case_detail.html", context, status=status)


def _circumstances_context(request: HttpRequest, case: Case) -> dict[str, object]:
    """The debtor's circumstances, for the roles that need them only (their read is audited on its own)."""
    user = request.user
    if not isinstance(user, User) or not circumstances_may_read(user=user):
        return {}
    may_record = circumstances_may_record(user=user) and access_may_write(user=user)
    return {
        "circumstances": case_circumstances(user=user, case=case, source=request_source(request)),
        "may_record_circumstances": may_record,
        "situation_form": situation_form() if may_record else None,
        "flag_form": FlagForm() if may_record else None,
    }


@staff_page()
@require_POST
def case_move(request: HttpRequest, case_id: int) -> HttpResponse:
    """Move the case to another stage through ``cases.services.case_transition`` (the stage machine decides)."""
    user = staff_user(request)
    case = access_case_to_change(user=user, case_id=case_id, request=request, fields=["stage"])
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a stage and say why."))
    else:
        closed = form.cleaned_data["closed_reason"]
        try:
            case_transition(
                case=case,
                to=Stage(form.cleaned_data["to"]),
                reason=form.cleaned_data["reason"],
                today=timezone.localdate(),
                actor=user,
                closed_reason=ClosedReason(closed) if closed else None,
            )
        except TransitionRefused as refused:
            messages.error(request, _("This move is not allowed: %(why)s") % {"why": refused.message})
        else:
            messages.success(request, _("The case was moved."))
    return HttpResponseRedirect(reverse("backoffice:case-detail", args=[case_id]))


@staff_page(PORTAL_UNLOCK_ROLES)
@require_POST
def case_portal_unlock(request: HttpRequest, case_id: int) -> HttpResponse:
    """End the debtor-portal lock on the case, for a debtor staff have identified (``portal_login_unlock``)."""
    user = staff_user(request)
    case = access_case_to_change(user=user, case_id=case_id, request=request, fields=["portal_login_lock"])
    if portal_login_unlock(case=case, by=user, source=request_source(request)):
        messages.success(request, _("The debtor can log in to the portal again."))
    else:
        messages.info(request, _("The debtor's portal log-in was not locked."))
    return HttpResponseRedirect(reverse("backoffice:case-detail", args=[case_id]))


@staff_page()
@require_POST
def case_note(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = access_case_to_change(user=user, case_id=case_id, request=request, fields=["case_note"])
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            case_note_add(case=case, author=user, text=form.cleaned_data["text"], source=request_source(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The note was added."))
    else:
        messages.error(request, _("A note cannot be empty."))
    return HttpResponseRedirect(reverse("backoffice:case-detail", args=[case_id]) + "#notes")


@staff_page()
def letter_pdf(request: HttpRequest, case_id: int, letter_id: int) -> HttpResponse:
    """A letter of the case as PDF: as sent, or a preview of a queued one. ``?download=1`` saves it."""
    case = access_case(user=request.user, case_id=case_id, request=request, fields=["letters"])
    letter = Letter.objects.filter(case=case, pk=letter_id).select_related("template").first()
    if letter is None:
        asked = Letter.objects.filter(pk=letter_id)
        raise access_case_object_refused(
            user=request.user, objects=asked, what="letter", reference=letter_id, request=request
        )
    try:
        pdf = letter_render_single(letter=letter)
    except (LetterDataError, RuntimeError, ValueError) as error:
        return render(request, "backoffice/letter_error.html", {"case": case, "error": error}, status=409)
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{case.number}-{letter.kind}-{letter.pk}.pdf"'
    return response


@staff_page()
def dispute_file(request: HttpRequest, case_id: int, file_id: int) -> HttpResponse:
    """A file the debtor uploaded with a dispute, as stored; refused when it no longer matches its recorded hash."""
    case = access_case(user=request.user, case_id=case_id, request=request, fields=["dispute_files"])
    upload = DisputeFile.objects.filter(case=case, pk=file_id).first()
    if upload is None:
        asked = DisputeFile.objects.filter(pk=file_id)
        raise access_case_object_refused(
            user=request.user, objects=asked, what="dispute file", reference=file_id, request=request
        )
    if upload.stored_path.startswith(ANONYMISED_FILE):
        return HttpResponse(_("This file was deleted when the debtor's data was anonymised."), status=410)
    content = dispute_file_read(upload=upload)
    if content is None:
        return HttpResponse(_("This file is missing or was changed after it was uploaded."), status=409)
    response = HttpResponse(content, content_type=upload.content_type)
    response["Content-Disposition"] = f'attachment; filename="{case.number}-dispute-{upload.pk}.{upload.extension}"'
    return response
