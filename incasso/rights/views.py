"""Pages: the public request form and code check, the export download, and the privacy officer's queue.

Thin: each view checks its input and calls one service or selector. The public pages say nothing about whether
the person is known to the agency: an unverified request discloses nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from incasso.accounts.access import PRIVACY_PAGE_ROLES, access_has_role, access_may_write, request_source
from incasso.accounts.roles import Role
from incasso.rights.delivery import export_deliver
from incasso.rights.execution import request_execute, restriction_lift
from incasso.rights.forms import CodeForm, NoteForm, PhoneRequestForm, PublicRequestForm
from incasso.rights.models import RequestChannel, RequestKind, RightsRequest
from incasso.rights.selectors import deadline_state, debtors_of_case_number, request_for_officer, requests_open
from incasso.rights.services import (
    Requester,
    request_close,
    request_extend,
    request_forward,
    request_instruction_record,
    request_verification_send,
    request_verify_staff,
    requests_receive,
    requests_verify_code,
)

PRIVACY_OFFICER_ROLES = frozenset({Role.PRIVACY_OFFICER})
PUBLIC_LIMIT_PER_HOUR = 5


def _rate_limited(request: HttpRequest, bucket: str) -> bool:
    """At most ``PUBLIC_LIMIT_PER_HOUR`` posts per address and hour to a public form."""
    key = f"rights:{bucket}:{request_source(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > PUBLIC_LIMIT_PER_HOUR


def public_request(request: HttpRequest) -> HttpResponse:
    form = PublicRequestForm(request.POST or None)
    if request.method == "POST":
        if _rate_limited(request, "form"):
            return render(request, "rights/public_request.html", {"form": form, "limited": True}, status=429)
        if form.is_valid():
            data = form.cleaned_data
            created = requests_receive(
                kind=RequestKind(data["kind"]),
                channel=RequestChannel.WEB_FORM,
                requester=Requester(name=data["name"], email=data["email"]),
                message=data["message"],
                actor="public web form",
            )
            for found in created:
                if request_verification_send(request=found):
                    break
            # The same answer whether or not the address is on file: nothing is disclosed.
            return redirect("rights:public_verify", intake_key=created[0].intake_key)
    return render(request, "rights/public_request.html", {"form": form})


def public_verify(request: HttpRequest, intake_key: str) -> HttpResponse:
    form = CodeForm(request.POST or None)
    verified = False
    if request.method == "POST":
        if _rate_limited(request, "code"):
            return render(request, "rights/public_verify.html", {"form": form, "limited": True}, status=429)
        if form.is_valid():
            try:
                verified = bool(requests_verify_code(intake_key=intake_key, code=form.cleaned_data["code"]))
            except ValidationError as error:
                form.add_error("code", error)
            else:
                if not verified:
                    form.add_error("code", _("This code is not right."))
    return render(request, "rights/public_verify.html", {"form": form, "verified": verified})


def export_download(request: HttpRequest, token: str, fmt: str = "") -> HttpResponse:
    if not fmt:
        return render(request, "rights/export.html", {"token": token})
    try:
        delivered = export_deliver(
            token=token, fmt=fmt, source=request_source(request), language=(get_language() or "nl")[:2]
        )
    except ValidationError as error:
        return render(request, "rights/export.html", {"error": error.messages[0]}, status=404)
    response = HttpResponse(delivered.content, content_type=delivered.content_type)
    response["Content-Disposition"] = f'attachment; filename="{delivered.filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _officer(request: HttpRequest, roles: frozenset[Role] = PRIVACY_OFFICER_ROLES) -> User:
    """The privacy officer, who handles requests; ``PRIVACY_PAGE_ROLES`` (administrator, auditor) may read them."""
    user = request.user
    if not isinstance(user, User) or not access_has_role(user=user, roles=roles):
        raise PermissionDenied
    return user


@login_required
def staff_queue(request: HttpRequest) -> HttpResponse:
    officer = _officer(request, PRIVACY_PAGE_ROLES)
    today = timezone.localdate()
    rows = [(r, deadline_state(r, today=today)) for r in requests_open()[:500]]
    may_act = access_has_role(user=officer, roles=PRIVACY_OFFICER_ROLES) and access_may_write(user=officer)
    return render(request, "rights/staff_queue.html", {"rows": rows, "today": today, "may_act": may_act})


@login_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_response(request, _officer(request, PRIVACY_PAGE_ROLES), pk)


def _detail_response(
    request: HttpRequest, officer: User, pk: int, *, form: NoteForm | None = None, status: int = 200
) -> HttpResponse:
    """The request's page; a refused action passes its bound ``form``, so the note typed and why it was refused
    stay on the page (status 400) instead of being lost in a redirect."""
    found = request_for_officer(request_id=pk, officer=officer, source=request_source(request))
    if found is None:
        raise Http404
    context = {
        "r": found,
        "state": deadline_state(found, today=timezone.localdate()),
        "debtors": found.debtors.all(),
        "events": found.events.all(),
        "form": form or NoteForm(),
        "may_act": access_has_role(user=officer, roles=PRIVACY_OFFICER_ROLES) and access_may_write(user=officer),
    }
    return render(request, "rights/staff_detail.html", context, status=status)


@login_required
def staff_phone(request: HttpRequest) -> HttpResponse:
    """Enter a request taken by telephone: received on the phone channel, its identity still to be checked."""
    officer = _officer(request)
    if not access_may_write(user=officer):
        raise PermissionDenied
    form = PhoneRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        debtors = debtors_of_case_number(user=officer, number=data["case_number"].strip())
        if data["case_number"].strip() and not debtors:
            form.add_error("case_number", _("No case with this number."))
        else:
            created = requests_receive(
                kind=RequestKind(data["kind"]),
                channel=RequestChannel.PHONE,
                requester=Requester(name=data["name"], email=data["email"], phone=data["phone"]),
                actor=officer,
                message=data["message"],
                debtors=debtors,
            )
            messages.success(
                request,
                _("Request received: %(refs)s. Check the caller's identity next.")
                % {"refs": ", ".join(r.reference for r in created)},
            )
            return redirect("rights:staff_detail", pk=created[0].pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "rights/staff_phone.html", {"form": form}, status=status)


# What the officer is told after each action: "Done." alone did not say which of the seven buttons had worked.
ACTION_DONE = {
    "verify": gettext_lazy("The requester's identity is recorded as checked."),
    "extend": gettext_lazy("The deadline is extended by two months."),
    "forward": gettext_lazy("The request was forwarded to the client."),
    "instruction": gettext_lazy("The client's instruction is recorded."),
    "execute": gettext_lazy("The request was carried out."),
    "lift": gettext_lazy("The restriction is lifted."),
    "complete": gettext_lazy("The request is closed as completed."),
    "refuse": gettext_lazy("The request is closed as refused."),
}


@login_required
@require_POST
def staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    officer = _officer(request)
    if not access_may_write(user=officer):
        raise PermissionDenied
    found = get_object_or_404(RightsRequest.objects.select_related("controller"), pk=pk)
    if action not in ACTION_DONE:
        raise PermissionDenied
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _detail_response(request, officer, pk, form=form, status=400)
    note = form.cleaned_data["note"]
    try:
        if action == "verify":
            request_verify_staff(request=found, actor=officer, note=note)
        elif action == "extend":
            request_extend(request=found, reason=note, actor=officer)
        elif action == "forward":
            request_forward(request=found, actor=officer)
        elif action == "instruction":
            request_instruction_record(request=found, instruction=note, actor=officer)
        elif action == "execute":
            request_execute(request=found, actor=officer, base_url=settings.INCASSO_PUBLIC_BASE_URL)
        elif action == "lift":
            restriction_lift(request=found, actor=officer, reason=note)
        elif action in {"complete", "refuse"}:
            request_close(request=found, outcome=note, actor=officer, refused=action == "refuse")
        else:
            raise PermissionDenied
    except ValidationError as error:
        form.add_error(None, error)
        return _detail_response(request, officer, pk, form=form, status=400)
    messages.success(request, ACTION_DONE[action])
    return redirect("rights:staff_detail", pk=pk)
