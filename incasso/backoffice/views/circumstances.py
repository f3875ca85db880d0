"""The debtor's circumstances on the case page (C-6, C-7): record a financial situation, set or lift a
vulnerability flag. Only the roles that need them (``incasso.circumstances.access``); every case via
``access_case_to_change``; every write a service that audits it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from incasso.accounts.access import access_case_to_change, request_source
from incasso.backoffice.permissions import staff_page, staff_user
from incasso.circumstances.access import WRITE_ROLES
from incasso.circumstances.models import (
    BASIS_CHOICES,
    HOUSEHOLD_CHOICES,
    PURPOSE_CHOICES,
    LivingSituation,
    SituationSource,
    VulnerabilityReason,
)
from incasso.circumstances.selectors import vulnerability_flag_of
from incasso.circumstances.services import (
    financial_situation_record,
    vulnerability_flag_lift,
    vulnerability_flag_set,
)
from incasso.domain.money import Money, MoneyError

SECTION = "#circumstances"


def _blank(choices: Sequence[tuple[str, object]]) -> list[tuple[str, object]]:
    return [("", _("Unknown")), *choices]


MAX_COUNT = 999


class SituationForm(forms.Form):
    net_income = forms.DecimalField(
        label=_("Net monthly income (€)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    household = forms.ChoiceField(label=_("Household"), choices=_blank(HOUSEHOLD_CHOICES), required=False)
    living_situation = forms.ChoiceField(
        label=_("Living situation"),
        choices=_blank([c for c in LivingSituation.choices if c[0] != LivingSituation.UNKNOWN]),
        required=False,
    )
    # Counts: a ceiling keeps a slip of the keyboard (99999999999 debts) out of the sealed record.
    other_debts = forms.IntegerField(label=_("Other debts"), min_value=0, max_value=MAX_COUNT, required=False)
    attachments = forms.IntegerField(
        label=_("Attachments by other creditors"), min_value=0, max_value=MAX_COUNT, required=False
    )
    source = forms.ChoiceField(label=_("Source"), choices=SituationSource.choices)
    source_reference = forms.CharField(label=_("Source reference"), max_length=200, required=False)
    obtained_on = forms.DateField(label=_("Obtained on"), widget=forms.DateInput(attrs={"type": "date"}))
    purpose = forms.ChoiceField(label=_("Purpose"), choices=PURPOSE_CHOICES)
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=BASIS_CHOICES, initial="6(1)(f)")


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=VulnerabilityReason.choices)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _back(case_id: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("backoffice:case-detail", args=[case_id]) + SECTION)


@staff_page(WRITE_ROLES)
@require_POST
def case_situation(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = access_case_to_change(user=user, case_id=case_id, request=request, fields=["financial_situation"])
    form = SituationForm(request.POST)
    if not form.is_valid():
        return _refused(request, case_id, form)
    data = form.cleaned_data
    try:
        income = Money.parse(data["net_income"]) if data["net_income"] is not None else None
        financial_situation_record(
            actor=user,
            debtor=case.debtor,
            source=data["source"],
            obtained_on=data["obtained_on"],
            net_income=income,
            household=data["household"],
            living_situation=data["living_situation"],
            other_debts=data["other_debts"],
            attachments=data["attachments"],
            source_reference=data["source_reference"],
            purpose=data["purpose"],
            legal_basis=data["legal_basis"],
            audit_source=request_source(request),
        )
    except (ValidationError, MoneyError) as error:
        form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        return _refused(request, case_id, form)
    messages.success(request, _("The financial situation was recorded."))
    return _back(case_id)


def _refused(request: HttpRequest, case_id: int, form: SituationForm) -> HttpResponse:
    """Back on the case page with each error beside its field and what was typed kept (not a redirect that
    loses it)."""
    from incasso.backoffice.views.cases import case_page_response  # here: cases imports this module

    return case_page_response(request, case_id, status=422, situation_form=form)


@staff_page(WRITE_ROLES)
@require_POST
def case_flag(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = access_case_to_change(user=user, case_id=case_id, request=request, fields=["vulnerability_flag"])
    form = FlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reason."))
        return _back(case_id)
    try:
        vulnerability_flag_set(
            actor=user,
            debtor=case.debtor,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            source=request_source(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The debtor is flagged as vulnerable."))
    return _back(case_id)


@staff_page(WRITE_ROLES)
@require_POST
def case_flag_lift(request: HttpRequest, case_id: int, flag_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = access_case_to_change(user=user, case_id=case_id, request=request, fields=["vulnerability_flag"])
    flag = vulnerability_flag_of(case=case, flag_id=flag_id)
    if flag is None:
        raise Http404("No such flag.")
    try:
        vulnerability_flag_lift(actor=user, flag=flag, source=request_source(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The flag was lifted."))
    return _back(case_id)


def situation_form() -> SituationForm:
    return SituationForm(initial={"obtained_on": timezone.localdate(), "purpose": "debt_collection"})
