"""The debtor portal's pages (Plan&Pay). Thin: check the form, call one selector or service, render.

Every case is fetched with ``access_debtor_case`` (404 for anything but the session's own debtor's cases).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from schwifty import IBAN

from incasso.accounts.access import access_debtor_case, access_debtor_object_refused
from incasso.arrangements.models import ArrangementStatus
from incasso.cases.models import Case
from incasso.communications.models import Letter
from incasso.debtor_portal import forms
from incasso.debtor_portal.login import PortalIdentity, portal_login
from incasso.debtor_portal.selectors import (
    plan_preview,
    portal_arrangement,
    portal_breakdown,
    portal_case_view,
    portal_cases,
    portal_contact_changes,
    portal_debtor,
    portal_decision,
    portal_decisions,
    portal_instalments,
    portal_letter,
    portal_next_instalment,
    portal_payment_link,
)
from incasso.debtor_portal.services import (
    ContactDetails,
    portal_complaint_submit,
    portal_contact_update,
    portal_decision_contest,
    portal_dispute_submit,
    portal_letter_download,
    portal_plan_propose,
    portal_question_ask,
    portal_rights_request,
)
from incasso.debtor_portal.session import debtor_required, session_bind, session_end, session_identity
from incasso.decisions.models import Decision
from incasso.disclosures.errors import TransferRefused
from incasso.domain import wording
from incasso.domain.payment_reference import rf_for_case
from incasso.integrations.recipients import RecipientNotRegistered
from incasso.paylinks.errors import EarlierLinksUnchecked, PaidMeanwhile, PaymentInProgress, PaymentLinkError
from incasso.paylinks.models import PaymentLink
from incasso.paylinks.provider import Method, PaymentProviderError
from incasso.paylinks.rest import RestPaymentProvider
from incasso.paylinks.services import payment_link_for
from incasso.rights.mail import COMPLAINT
from incasso.rights.models import RequestKind


def _ip(request: HttpRequest) -> str | None:
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


def _today() -> datetime.date:
    return timezone.localdate()


def _case(request: HttpRequest, identity: PortalIdentity, case_id: int) -> Case:
    return access_debtor_case(debtor_id=identity.debtor_id, case_id=case_id, request=request)


def _refused(
    request: HttpRequest, identity: PortalIdentity, asked: QuerySet[Any], what: str, reference: int
) -> Http404:
    """The 404 for an object the debtor named under their own case; another debtor's also raises the alert."""
    return access_debtor_object_refused(
        debtor_id=identity.debtor_id, objects=asked, what=what, reference=reference, request=request
    )


def _case_url(case_id: int) -> str:
    return reverse("debtor_portal:case", args=[case_id])


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Case number, the code from the letter, and postcode or date of birth. One message for every failure."""
    identity = session_identity(request)
    if identity is not None and request.method == "GET":
        return HttpResponseRedirect(_case_url(identity.case_id))
    # Bound on every POST, even an empty one: the refusal below is added to a form that was validated.
    form = forms.LoginForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            identity = portal_login(
                case_number=form.cleaned_data["case_number"],
                code=form.cleaned_data["code"],
                second_factor=form.cleaned_data["second_factor"],
                ip=_ip(request),
            )
            if identity is not None:
                session_bind(request, identity)
                return HttpResponseRedirect(_case_url(identity.case_id))
        form.add_error(
            None,
            _(
                "We could not log you in with these details. Check the case number, the code and your postcode or "
                "date of birth, and try again later. Lost your letter? Call or e-mail us."
            ),
        )
        status = 400
    return render(request, "debtor_portal/login.html", {"form": form, "agency": _agency_contact()}, status=status)


def _agency_contact() -> dict[str, object]:
    """How a debtor without a working log-in reaches us ("Lost your letter? Call or e-mail us" named neither): the
    phone number and e-mail address when the agency set them, else the postal address."""
    return {
        "phone": settings.INCASSO_AGENCY_PHONE,
        "email": settings.INCASSO_AGENCY_EMAIL,
        "address": ", ".join(settings.INCASSO_AGENCY_ADDRESS),
    }


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    session_end(request)
    messages.success(request, _("You are logged out."))
    return HttpResponseRedirect(reverse("debtor_portal:login"))


@debtor_required
def case_list(request: HttpRequest, identity: PortalIdentity) -> HttpResponse:
    cases = portal_cases(identity=identity, today=_today(), request=request)
    return render(request, "debtor_portal/case_list.html", {"cases": cases, "identity": identity})


@debtor_required
def case_detail(request: HttpRequest, identity: PortalIdentity, case_id: int) -> HttpResponse:
    return _case_page(request, _case(request, identity, case_id))


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    review_form: forms.DecisionReviewForm | None = None,
    review_decision: int | None = None,
) -> HttpResponse:
    """The case page; a refused review request passes its bound form and decision, so the reason typed and why it
    was refused stay beside that decision (status 400) instead of being lost in a redirect."""
    view = portal_case_view(case=case, today=_today())
    context = {
        "view": view,
        "case": case,
        "today": _today(),
        **_bank_transfer(case),
        # With a plan running, "to pay today" is the next instalment, not the whole debt: offered first on the page.
        "next_instalment": view.next_instalment,
        "pay_form": forms.PayForm(),
        "returned_from_payment": request.GET.get("paid") == "1",
        "decisions": portal_decisions(case=case, language=wording.reader_language(get_language())),
        "review_form": review_form or forms.DecisionReviewForm(),
        "review_decision": review_decision,
    }
    status = 400 if review_form is not None else 200
    return render(request, "debtor_portal/case_detail.html", context, status=status)


@debtor_required
@require_POST
def decision_review(request: HttpRequest, identity: PortalIdentity, case_id: int, decision_id: int) -> HttpResponse:
    """Ask a person to review an automated decision about the debtor's own case (GDPR art. 22(3))."""
    case = _case(request, identity, case_id)
    decision = portal_decision(case=case, decision_id=decision_id)
    if decision is None:
        raise _refused(request, identity, Decision.objects.filter(pk=decision_id), "decision", decision_id)
    form = forms.DecisionReviewForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, review_form=form, review_decision=decision.pk)
    portal_decision_contest(decision=decision, identity=identity, reason=form.cleaned_data["reason"], ip=_ip(request))
    messages.success(
        request, _("Thank you. A person will review this decision and tell you the outcome within one month.")
    )
    return HttpResponseRedirect(f"{_case_url(case.pk)}#decisions")


def _bank_transfer(case: Case) -> dict[str, str]:
    """What a bank transfer needs: the account (grouped as the letters print it) and the reference that matches the
    payment to the case automatically - not only the reference, which leaves the debtor asking "to which account?"."""
    return {"rf_reference": rf_for_case(case.number), "agency_iban": IBAN(settings.INCASSO_AGENCY_IBAN).formatted}


@debtor_required
def letter_download(request: HttpRequest, identity: PortalIdentity, case_id: int, letter_id: int) -> HttpResponse:
    case = _case(request, identity, case_id)
    letter = portal_letter(case=case, letter_id=letter_id)
    if letter is None:
        raise _refused(request, identity, Letter.objects.filter(pk=letter_id), "letter", letter_id)
    pdf = portal_letter_download(letter=letter, identity=identity, ip=_ip(request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case.number}-{letter.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@debtor_required
@require_POST
def pay(request: HttpRequest, identity: PortalIdentity, case_id: int) -> HttpResponse:
    """Send the debtor to the provider's checkout, with the open link already made for the same amount if there is
    one (``payment_link_for``), else a new one.

    For what the case owes today, or, when the debtor chose it, the next instalment of the running plan: only the
    choice comes from the form, the instalment's amount is worked out here from the plan and the ledger.
    """
    case = _case(request, identity, case_id)
    form = forms.PayForm(request.POST)
    valid = form.is_valid()
    method: Method = "creditcard" if valid and form.cleaned_data["method"] == "creditcard" else "ideal"
    amount = None
    if valid and form.cleaned_data["what"] == forms.PAY_INSTALMENT:
        instalment = portal_next_instalment(case=case, today=_today())
        if instalment is None:
            messages.error(request, _("There is no instalment to pay now. Your payment plan is shown below."))
            return HttpResponseRedirect(_case_url(case.pk))
        amount = instalment.amount
    back = request.build_absolute_uri(f"{_case_url(case.pk)}?paid=1")
    try:
        with RestPaymentProvider.from_settings() as provider:
            link = payment_link_for(case=case, method=method, provider=provider, amount=amount, redirect_url=back)
    except PaidMeanwhile as came_in:
        messages.success(
            request,
            _("Your earlier payment of %(amount)s came in. Below is what is left to pay.")
            % {"amount": wording.money_screen(came_in.amount, wording.reader_language(get_language()))},
        )
        return HttpResponseRedirect(_case_url(case.pk))
    except PaymentInProgress:
        # The case page says that a payment is being processed, and offers no second one meanwhile.
        return HttpResponseRedirect(_case_url(case.pk))
    except EarlierLinksUnchecked:
        # Paying by bank transfer now could pay twice what an earlier online payment may already have paid.
        messages.error(
            request, _("We cannot check your earlier online payment right now. Please try again in a few minutes.")
        )
        return HttpResponseRedirect(_case_url(case.pk))
    except (PaymentProviderError, PaymentLinkError, RecipientNotRegistered, TransferRefused):
        # TransferRefused: the provider may not receive the debtor's data now (processing restricted, no agreement
        # in force); a bank transfer with the reference discloses nothing to anyone.
        messages.error(
            request,
            _("Paying online is not possible right now. You can pay by bank transfer with reference %(rf)s.")
            % {"rf": rf_for_case(case.number)},
        )
        return HttpResponseRedirect(_case_url(case.pk))
    # Our Content-Security-Policy (form-action 'self') rightly stops a form from redirecting to another site, so
    # the debtor continues to the provider's checkout with a plain link from a page of ours.
    return HttpResponseRedirect(reverse("debtor_portal:checkout", args=[case.pk, link.pk]))


@debtor_required
def checkout(request: HttpRequest, identity: PortalIdentity, case_id: int, link_id: int) -> HttpResponse:
    case = _case(request, identity, case_id)
    link = portal_payment_link(case=case, link_id=link_id)
    if link is None:
        raise _refused(request, identity, PaymentLink.objects.filter(pk=link_id), "payment", link_id)
    return render(request, "debtor_portal/checkout.html", {"case": case, "link": link})


@debtor_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, identity: PortalIdentity, case_id: int) -> HttpResponse:
    """Propose a payment plan. GET with ``months`` shows the schedule first; POST proposes it."""
    case = _case(request, identity, case_id)
    today = _today()
    existing = portal_arrangement(case=case)
    if existing is not None:
        instalments = portal_instalments(case=case, arrangement=existing, today=today)
        paid_off = bool(instalments) and all(instalment.paid for instalment in instalments)
        context = {"case": case, "arrangement": existing, "instalments": instalments, "paid_off": paid_off}
        context |= _bank_transfer(case)
        return render(request, "debtor_portal/plan_done.html", context)
    if request.method == "POST":
        form = forms.PlanForm(request.POST)
        if form.is_valid():
            try:
                arrangement = portal_plan_propose(
                    case=case,
                    identity=identity,
                    months=form.cleaned_data["months"],
                    first_due=form.cleaned_data["first_due"],
                    on=today,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if arrangement.status == ArrangementStatus.ACTIVE:
                    messages.success(request, _("Your payment plan is accepted."))
                else:
                    messages.info(
                        request, _("Thank you. A collector will look at your proposal within 5 working days.")
                    )
                return HttpResponseRedirect(reverse("debtor_portal:plan", args=[case.pk]))
    else:
        form = forms.PlanForm(request.GET if "months" in request.GET else None)
    preview = None
    if form.is_bound and form.is_valid():
        preview = plan_preview(
            case=case, months=form.cleaned_data["months"], first_due=form.cleaned_data["first_due"], today=today
        )
    context = {"case": case, "form": form, "preview": preview, "breakdown": portal_breakdown(case=case, today=today)}
    partial = request.method == "GET" and request.headers.get("HX-Request") == "true"
    template = "debtor_portal/_plan_preview.html" if partial else "debtor_portal/plan.html"
    return render(request, template, context, status=400 if request.method == "POST" else 200)


@debtor_required
@require_http_methods(["GET", "POST"])
def dispute(request: HttpRequest, identity: PortalIdentity, case_id: int) -> HttpResponse:
    case = _case(request, identity, case_id)
    form = forms.DisputeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            portal_dispute_submit(
                case=case,
                identity=identity,
                reason=form.cleaned_data["reason"],
                upload=form.cleaned_data["file"] or None,
                ip=_ip(request),
            )
        except ValidationError as error:
            form.add_error("file" if error.code in {"too_large", "file_type"} else None, error)
        else:
            messages.success(
                request, _("We received your dispute. We pause collection of this case while we look into it.")
            )
            return HttpResponseRedirect(_case_url(case.pk))
    status = 400 if request.method == "POST" else 200
    return render(request, "debtor_portal/dispute.html", {"case": case, "form": form}, status=status)


@debtor_required
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, identity: PortalIdentity) -> HttpResponse:
    debtor = portal_debtor(identity=identity, request=request)
    form = forms.ContactForm(request.POST) if request.method == "POST" else forms.ContactForm.for_debtor(debtor)
    if request.method == "POST" and form.is_valid():
        try:
            changed = portal_contact_update(
                identity=identity, details=ContactDetails(**form.cleaned_data), ip=_ip(request)
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("Your details are saved.") if changed else _("Nothing changed."))
            return HttpResponseRedirect(reverse("debtor_portal:contact"))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "identity": identity, "changes": portal_contact_changes(identity=identity)}
    return render(request, "debtor_portal/contact.html", context, status=status)


def _message(request: HttpRequest, identity: PortalIdentity, case_id: int, *, complaint: bool) -> HttpResponse:
    case = _case(request, identity, case_id)
    form = forms.MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {"subject": form.cleaned_data["subject"], "message": form.cleaned_data["message"]}
        try:
            if complaint:
                received = portal_complaint_submit(case=case, identity=identity, ip=_ip(request), **fields)
                answer_by = wording.date_text(received.due_on, wording.reader_language(get_language()))
                messages.success(
                    request, _("We received your complaint and answer by %(day)s at the latest.") % {"day": answer_by}
                )
            else:
                portal_question_ask(case=case, identity=identity, ip=_ip(request), **fields)
                messages.success(request, _("We received your question and answer within 5 working days."))
        except ValidationError as error:
            form.add_error("message", error)
        else:
            return HttpResponseRedirect(_case_url(case.pk))
    context = {"case": case, "form": form, "complaint": complaint}
    return render(request, "debtor_portal/message.html", context, status=400 if request.method == "POST" else 200)


@debtor_required
@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, identity: PortalIdentity, case_id: int) -> HttpResponse:
    return _message(request, identity, case_id, complaint=False)


@debtor_required
@require_http_methods(["GET", "POST"])
def complaint(request: HttpRequest, identity: PortalIdentity, case_id: int) -> HttpResponse:
    return _message(request, identity, case_id, complaint=True)


@debtor_required
@require_http_methods(["GET", "POST"])
def privacy(request: HttpRequest, identity: PortalIdentity) -> HttpResponse:
    """Every GDPR right: a request from here is identity-verified by the portal log-in."""
    form = forms.RightsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        references = portal_rights_request(
            identity=identity, kind=RequestKind(form.cleaned_data["kind"]), message=form.cleaned_data["message"]
        )
        messages.success(
            request,
            _("We received your request (%(refs)s). We answer within one month.") % {"refs": ", ".join(references)},
        )
        return HttpResponseRedirect(reverse("debtor_portal:privacy"))
    context = {
        "form": form,
        "identity": identity,
        # Reversed without a fallback: a wrong name fails loudly instead of hiding the link.
        "public_form_url": reverse("rights:public_request"),
        # The rights app's own wording of where to complain, as its answers by e-mail give it (GDPR art. 77).
        "complaint_text": _(COMPLAINT),
    }
    return render(request, "debtor_portal/privacy.html", context, status=400 if request.method == "POST" else 200)
