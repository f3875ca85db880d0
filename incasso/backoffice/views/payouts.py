"""Finance's payout desk: per client what is due up to a day, making a payout, and the payouts made with their
statements and pain.001 files. Finance and administrators only (``queues.FINANCE_ROLES``), and only the clients
the user may see (``access_clients``); the work is ``incasso.backoffice.payouts_due``."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from incasso.accounts.access import (
    access_client_object_refused,
    access_clients,
    access_exports_check,
    access_may_write,
    request_source,
)
from incasso.backoffice.payouts_due import StalePayoutDesk, payout_make, payouts_due
from incasso.backoffice.permissions import staff_page, staff_user
from incasso.backoffice.queues import FINANCE_ROLES
from incasso.ledger.errors import LedgerError, NoPayoutAccount, NothingToPayOut
from incasso.ledger.models import Payout
from incasso.ledger.services import payout_credit_transfer_download, payout_statement_download
from incasso.parties.models import Client
from incasso.web.fields import PlausibleDateField

logger = logging.getLogger(__name__)

PAYOUTS_SHOWN = 100
STATEMENT_FORMATS = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


class UntilForm(forms.Form):
    until = PlausibleDateField(label=_("Collected up to and including"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_until(self) -> object:
        until = self.cleaned_data["until"]
        if until > timezone.localdate():
            raise ValidationError(_("A payout cannot cover days still to come."), code="future")
        return until


class PayoutForm(UntilForm):
    client = forms.ModelChoiceField(queryset=Client.objects.none())  # set per user: the clients they may see
    # The client's latest payout when the desk was shown (0: none): part of the idempotency key.
    after = forms.IntegerField(min_value=0, max_value=2**63 - 1)

    def __init__(self, data: QueryDict, *, user: User) -> None:
        super().__init__(data)
        client = self.fields["client"]
        if isinstance(client, forms.ModelChoiceField):
            client.queryset = access_clients(user=user)


def _user_payout(request: HttpRequest, user: User, payout_id: int) -> Payout:
    payout = Payout.objects.filter(client__in=access_clients(user=user), pk=payout_id).select_related("client").first()
    if payout is None:
        asked = Payout.objects.filter(pk=payout_id)
        raise access_client_object_refused(
            user=user, objects=asked, what="payout", reference=payout_id, request=request
        )
    return payout


@staff_page(FINANCE_ROLES)
@require_GET
def payouts(request: HttpRequest) -> HttpResponse:
    """What each client is due up to the chosen day (today unless asked), and the payouts made."""
    user = staff_user(request)
    form = UntilForm(request.GET if "until" in request.GET else {"until": timezone.localdate()})
    until = form.cleaned_data["until"] if form.is_valid() else None
    context = {
        "form": form,
        "until": until,
        "due": payouts_due(user=user, until=until) if until is not None else [],
        "may_write": access_may_write(user=user),
        "payouts": Payout.objects.filter(client__in=access_clients(user=user)).select_related("client")[:PAYOUTS_SHOWN],
    }
    return render(request, "backoffice/payouts.html", context, status=200 if form.is_valid() else 422)


@staff_page(FINANCE_ROLES)
@require_POST
def payout_new(request: HttpRequest) -> HttpResponse:
    """Pay one client out up to the day; back to the desk with what happened (nothing due is a message too)."""
    user = staff_user(request)
    if not access_may_write(user=user):
        raise Http404("No such page.")
    form = PayoutForm(request.POST, user=user)
    if not form.is_valid():
        messages.error(request, _("Choose a client and a day that has passed."))
        return HttpResponseRedirect(reverse("backoffice:payouts"))
    client, until, after = (form.cleaned_data[name] for name in ("client", "until", "after"))
    back = HttpResponseRedirect(reverse("backoffice:payouts") + "?" + urlencode({"until": until.isoformat()}))
    try:
        payout = payout_make(
            user=user, client=client, until=until, last_payout_id=after, source=request_source(request)
        )
    except NothingToPayOut:
        messages.info(
            request,
            _("%(client)s has nothing to be paid out up to %(day)s.")
            % {"client": client.name, "day": formats.date_format(until)},
        )
    except NoPayoutAccount:
        messages.error(
            request,
            _("No payout was made: %(client)s has no IBAN. Add the client's IBAN first.") % {"client": client.name},
        )
    except StalePayoutDesk:
        messages.error(
            request,
            _("No payout was made: the page was out of date. Look at the payouts below and try again if need be."),
        )
    except LedgerError as error:
        # The ledger's reason is English text for the log, not for the page.
        logger.warning("payout refused for client %s: %s", client.pk, error)
        messages.error(request, _("No payout was made: the ledger refused it. Reload the page and try again."))
    else:
        messages.success(
            request,
            _("Payout P-%(number)s to %(client)s made.") % {"number": payout.pk, "client": client.name},
        )
    return back


@staff_page(FINANCE_ROLES)
@require_GET
def payout_statement(request: HttpRequest, payout_id: int, file_format: str) -> HttpResponse:
    """The payout's statement as CSV or PDF, from the lines stored with it (the download is audited)."""
    user = staff_user(request)
    if file_format not in STATEMENT_FORMATS:
        raise Http404("No such format.")
    payout = _user_payout(request, user, payout_id)
    content = payout_statement_download(
        payout=payout, user=user, file_format=file_format, source=request_source(request)
    )
    access_exports_check(user=user, request=request)
    response = HttpResponse(content, content_type=STATEMENT_FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="payout-{payout.pk}.{file_format}"'
    return response


@staff_page(FINANCE_ROLES)
@require_GET
def payout_credit_transfer(request: HttpRequest, payout_id: int) -> HttpResponse:
    """The payout's pain.001 file for the bank, exactly as made (the download is audited)."""
    user = staff_user(request)
    payout = _user_payout(request, user, payout_id)
    content = payout_credit_transfer_download(payout=payout, user=user, source=request_source(request))
    access_exports_check(user=user, request=request)
    response = HttpResponse(content, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="payout-{payout.pk}-pain001.xml"'
    return response
