"""The client portal: thin views over ``selectors`` / ``services``; every case through ``accounts.access``."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable
from typing import TypeVar

from babel.dates import format_date
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from incasso.accounts.access import (
    access_case_by_number,
    access_client_object_refused,
    access_exports_check,
    request_source,
)
from incasso.cases.models import STAGE_CHOICES
from incasso.cases.selectors import case_quote
from incasso.client_portal import selectors
from incasso.client_portal.charts import BarChart, bar_chart
from incasso.client_portal.forms import (
    ApiKeyForm,
    CaseFilterForm,
    ClaimForm,
    InstructionForm,
    LegalStepsForm,
    UploadForm,
    WebhookForm,
)
from incasso.client_portal.services import NothingToDecide, legal_steps_decide
from incasso.domain import wording
from incasso.intake import csv_format
from incasso.intake.models import ClientApiKey, ImportBatch, ImportFormat, ImportSource
from incasso.intake.rows import ClaimRow, DocumentKind, ImportFileError, stored_error_text, stored_refusal
from incasso.intake.services import api_key_create, api_key_revoke, claims_import, claims_import_file
from incasso.ledger.models import Payout
from incasso.ledger.services import payout_statement_download
from incasso.parties.models import Client
from incasso.rights.models import RightsRequest
from incasso.rights.services import request_instruction_record
from incasso.web.templatetags.money import active_language
from incasso.webhooks.models import WebhookEndpoint
from incasso.webhooks.selectors import webhook_deliveries_of, webhook_endpoints_of
from incasso.webhooks.services import webhook_endpoint_create, webhook_endpoint_disable

CASES_PER_PAGE = 50
T = TypeVar("T")
STAGE_LABELS = dict(STAGE_CHOICES)


def _stage_chart(per_stage: list[tuple[str, int]]) -> BarChart:
    """The stages in the order a case goes through them (reminder first, closed last), not as the query returned
    them, which read as a random list."""
    order = {stage: index for index, stage in enumerate(STAGE_LABELS)}
    ordered = sorted(per_stage, key=lambda item: order.get(item[0], len(order)))
    return bar_chart([(str(STAGE_LABELS.get(stage, stage)), count) for stage, count in ordered])


def _month_label(month: datetime.date) -> str:
    """A month as the reader says it ("dec 2026" in Dutch, "Dec 2026" in English), not as "2026-12"."""
    return format_date(month, format="MMM y", locale=wording.babel_locale(active_language()))


def _client(request: HttpRequest) -> tuple[User, Client]:
    user = request.user
    client = selectors.portal_client(user=user)
    assert isinstance(user, User)  # noqa: S101 - portal_client admits users only
    return user, client


# What each object a client user names by id is, and where its client is (for the alert on another client's).
_OWNED: dict[object, tuple[str, type[models.Model], str]] = {
    selectors.portal_import: ("import", ImportBatch, "client"),
    selectors.portal_payout: ("payout", Payout, "client"),
    selectors.portal_api_key: ("API key", ClientApiKey, "client"),
    selectors.forwarded_rights_request: ("rights request", RightsRequest, "controller"),
}


def _owned(request: HttpRequest, user: User, select: Callable[..., T], *, client: Client, **ids: int) -> T:
    """The client's object ``select`` finds; another client's answers the same 404 and raises the alert for access
    outside the user's cases (``access_client_object_refused``), one that does not exist only the 404."""
    try:
        return select(client=client, **ids)
    except Http404:
        what, model, client_path = _OWNED[select]
        (reference,) = ids.values()
        asked = model._default_manager.filter(pk=reference)
        raise access_client_object_refused(
            user=user, objects=asked, what=what, reference=reference, request=request, client_path=client_path
        ) from None


def _render(request: HttpRequest, template: str, client: Client, context: dict[str, object]) -> HttpResponse:
    return render(request, f"client_portal/{template}", {"portal_client": client, **context})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user, client = _client(request)
    report = selectors.client_report(user=user, client=client, today=timezone.localdate(), months=6)
    return _render(
        request,
        "dashboard.html",
        client,
        {
            "awaiting": selectors.portal_awaiting_approval(user=user, client=client)[:10],
            "imports": selectors.portal_imports(client=client, limit=5),
            "report": report,
            "stage_chart": _stage_chart(report.cases_per_stage),
        },
    )


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user, client = _client(request)
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = selectors.portal_cases(
        user=user,
        client=client,
        stage=filters.get("stage", ""),
        status=filters.get("status", ""),
        search=filters.get("q", ""),
    )
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return _render(request, "case_list.html", client, {"form": form, "page": page, "stages": STAGE_CHOICES})


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    user, client = _client(request)
    case = access_case_by_number(user=user, number=number, request=request, fields=["claims", "payments"])
    if case.client_id != client.pk:
        raise Http404("No such case.")
    claims = list(case.claims.order_by("due_date", "pk"))
    quote = case_quote(case=case, as_of=timezone.localdate()) if claims else None
    return _render(
        request,
        "case_detail.html",
        client,
        {
            "case": case,
            "claims": claims,
            "quote": quote,
            "events": case.stage_events.order_by("occurred_at", "pk"),
            "payments": case.payment_allocations.order_by("received_on", "pk"),
            "awaits_approval": selectors.case_awaits_approval(case=case),
            "decisions": case.legal_steps_decisions.select_related("decided_by"),
            "legal_form": LegalStepsForm(),
        },
    )


@login_required
@require_POST
def legal_steps(request: HttpRequest, number: str) -> HttpResponse:
    user, client = _client(request)
    case = access_case_by_number(user=user, number=number, request=request, fields=["legal_steps_approved_at"])
    if case.client_id != client.pk:
        raise Http404("No such case.")
    form = LegalStepsForm(request.POST)
    if form.is_valid():
        approved = form.cleaned_data["decision"] == "approve"
        # NothingToDecide: answered already (a second tab); the case page shows the recorded answer.
        with contextlib.suppress(NothingToDecide):
            legal_steps_decide(
                case=case,
                user=user,
                approved=approved,
                reason=form.cleaned_data["reason"],
                source=request_source(request),
            )
            done = _("You approved legal steps.") if approved else _("You refused legal steps.")
            messages.success(request, done)
    else:
        # Said out loud: a silent redirect left the client unsure whether the answer had been recorded.
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    return HttpResponseRedirect(reverse("client_portal:case", args=[case.number]))


@login_required
@require_http_methods(["GET", "POST"])
def claim_new(request: HttpRequest) -> HttpResponse:
    user, client = _client(request)
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        row = ClaimRow(1, DocumentKind.INVOICE, **form.as_row_values())
        summary = claims_import(
            client=client, rows=[row], source=ImportSource.REST, file_format=ImportFormat.JSON, actor=user
        )
        return HttpResponseRedirect(reverse("client_portal:import", args=[summary.batch_id]))
    return _render(request, "claim_form.html", client, {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """The file is imported in the request, in chunks that commit one by one (the intake streams it, never
    holding it in memory); the browser shows the upload's progress, then the import's result page."""
    user, client = _client(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            summary = claims_import_file(
                client=client, stream=upload_file, filename=upload_file.name[:255], source=ImportSource.CSV, actor=user
            )
        except ImportFileError as error:
            refusal = error.render(translate=True)
        else:
            return HttpResponseRedirect(reverse("client_portal:import", args=[summary.batch_id]))
    imports = selectors.portal_imports(client=client)
    context = {"form": form, "refusal": refusal, "imports": imports, "columns": _csv_columns()}
    return _render(request, "upload.html", client, context)


def _csv_columns() -> list[tuple[str, str, bool]]:
    """The columns a CSV file may hold (English name, Dutch name, required), read from the importer itself: the
    upload page is where a client learns the format, and a list kept by hand would drift from what is accepted."""
    return [(names[0], names[1], field in csv_format.REQUIRED) for field, names in csv_format.COLUMNS.items()]


@login_required
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    user, client = _client(request)
    batch = _owned(request, user, selectors.portal_import, client=client, batch_id=batch_id)
    refusal, entries = stored_refusal(batch.rejected)
    errors = [{**entry, "error": stored_error_text(entry)} for entry in entries]
    # A refusal in the reader's language; any other failure (or a refusal stored before they were) as recorded.
    error = stored_error_text(refusal) if refusal is not None else batch.error
    return _render(request, "import_detail.html", client, {"batch": batch, "row_errors": errors, "error": error})


@login_required
def payouts(request: HttpRequest) -> HttpResponse:
    _user, client = _client(request)
    return _render(request, "payouts.html", client, {"payouts": selectors.portal_payouts(client=client)})


@login_required
def payout_statement(request: HttpRequest, payout_id: int, file_format: str) -> HttpResponse:
    user, client = _client(request)
    if file_format not in ("csv", "pdf"):
        raise Http404("No such format.")
    payout = _owned(request, user, selectors.portal_payout, client=client, payout_id=payout_id)
    content = payout_statement_download(
        payout=payout, user=user, file_format=file_format, source=request_source(request)
    )
    access_exports_check(user=user, request=request)
    content_type = "text/csv" if file_format == "csv" else "application/pdf"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="payout-{payout.pk}.{file_format}"'
    return response


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    user, client = _client(request)
    report = selectors.client_report(user=user, client=client, today=timezone.localdate())
    monthly = [(_month_label(month), cents) for month, cents in report.recovered_per_month]
    return _render(
        request,
        "reports.html",
        client,
        {
            "report": report,
            "stage_chart": _stage_chart(report.cases_per_stage),
            "month_chart": bar_chart(monthly),
            "ageing_chart": bar_chart(report.ageing),
            "monthly": monthly,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    _user, client = _client(request)
    form = ApiKeyForm(request.POST or None)
    new_key = ""
    if request.method == "POST" and form.is_valid():
        _key, new_key = api_key_create(client=client, name=form.cleaned_data["name"])
        form = ApiKeyForm()
    keys = selectors.portal_api_keys(client=client)
    return _render(request, "api_keys.html", client, {"form": form, "keys": keys, "new_key": new_key})


@login_required
@require_POST
def api_key_revoke_view(request: HttpRequest, key_id: int) -> HttpResponse:
    user, client = _client(request)
    api_key_revoke(api_key=_owned(request, user, selectors.portal_api_key, client=client, key_id=key_id))
    return HttpResponseRedirect(reverse("client_portal:api-keys"))


@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    user, client = _client(request)
    form = WebhookForm(request.POST or None)
    new_secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            _endpoint, new_secret = webhook_endpoint_create(
                client=client, url=form.cleaned_data["url"], events=form.cleaned_data["events"], actor=user
            )
        except ValidationError as error:
            form.add_error("url", error)
        else:
            form = WebhookForm()
    context = {
        "form": form,
        "new_secret": new_secret,
        "endpoints": webhook_endpoints_of(client=client),
        "deliveries": webhook_deliveries_of(client=client),
    }
    return _render(request, "webhooks.html", client, context)


@login_required
@require_POST
def webhook_disable(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    user, client = _client(request)
    endpoint = webhook_endpoints_of(client=client).filter(pk=endpoint_id).first()
    if endpoint is None:
        asked = WebhookEndpoint.objects.filter(pk=endpoint_id)
        raise access_client_object_refused(
            user=user, objects=asked, what="webhook endpoint", reference=endpoint_id, request=request
        )
    webhook_endpoint_disable(endpoint=endpoint, actor=user)
    return HttpResponseRedirect(reverse("client_portal:webhooks"))


@login_required
def agreement(request: HttpRequest) -> HttpResponse:
    _user, client = _client(request)
    current = selectors.processor_agreement_current(client=client, on=timezone.localdate())
    return _render(
        request, "agreement.html", client, {"agreement": current, "sub_processors": selectors.sub_processors()}
    )


@login_required
def agreement_download(request: HttpRequest) -> HttpResponse:
    _user, client = _client(request)
    current = selectors.processor_agreement_current(client=client, on=timezone.localdate())
    if current is None:
        raise Http404("No processor agreement.")
    text = render(
        request,
        "client_portal/agreement.txt",
        {"agreement": current, "client": client, "sub_processors": selectors.sub_processors()},
    ).content
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="processor-agreement-v{current.version}.txt"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def rights_requests(request: HttpRequest) -> HttpResponse:
    """Requests of data subjects forwarded to the client as controller: the client records its instruction."""
    user, client = _client(request)
    form = InstructionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if "request" in form.errors:
            raise Http404("No such request.")  # not an id at all: as unknown as an id of another client's request
        if form.is_valid():
            forwarded = _owned(
                request,
                user,
                selectors.forwarded_rights_request,
                client=client,
                request_id=form.cleaned_data["request"],
            )
            try:
                request_instruction_record(request=forwarded, instruction=form.cleaned_data["instruction"], actor=user)
            except ValidationError as error:
                form.add_error("instruction", error)
            else:
                return HttpResponseRedirect(reverse("client_portal:rights"))
    requests = selectors.forwarded_rights_requests(client=client)
    return _render(request, "rights.html", client, {"requests": requests, "form": form})
