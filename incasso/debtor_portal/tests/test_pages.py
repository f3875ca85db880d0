"""The portal's pages: the amount from the one quote, plans, payment links, disputes, details, messages, rights."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from incasso.arrangements.models import Arrangement, ArrangementStatus
from incasso.audit.models import AuditAction, AuditEvent
from incasso.cases.models import CaseHold, StaffTask, TaskKind
from incasso.cases.selectors import case_quote
from incasso.communications.models import Communication
from incasso.complaints.models import Complaint, ComplaintChannel
from incasso.debtor_portal import services
from incasso.debtor_portal.models import ContactChange, DisputeFile
from incasso.domain.payment_reference import rf_for_case
from incasso.parties.models import Debtor
from incasso.paylinks.models import PaymentLink
from incasso.paylinks.services import payment_link_sync
from incasso.rights.models import RightsRequest, VerificationMethod
from incasso.web.templatetags.money import money

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _url(name: str, case, *args) -> str:
    return reverse(f"debtor_portal:{name}", args=[case.pk, *args])


def test_the_case_page_shows_the_quote_total_and_a_breakdown_that_adds_up(debtor_client, portal_case):
    response = debtor_client.get(_url("case", portal_case))
    assert response.status_code == 200
    breakdown = response.context["view"].breakdown
    expected = case_quote(case=portal_case, as_of=timezone.localdate()).total_outstanding
    assert breakdown.total == expected
    assert breakdown.adds_up
    assert breakdown.principal.cents == 60_000
    assert breakdown.interest.cents > 0 and breakdown.costs.cents > 0
    assert breakdown.vat.cents > 0  # the client cannot deduct VAT
    assert money(expected) in response.content.decode()
    # The read went through access_debtor_case: audited with the debtor as subject.
    assert AuditEvent.objects.filter(action=AuditAction.READ, subject_id=str(portal_case.debtor_id)).exists()


def test_the_overview_lists_the_debtors_cases_with_their_totals(debtor_client, portal_case):
    response = debtor_client.get(reverse("debtor_portal:cases"))
    assert response.status_code == 200
    (summary,) = response.context["cases"]
    assert summary.number == portal_case.number
    assert summary.total == case_quote(case=portal_case, as_of=timezone.localdate()).total_outstanding


def test_the_plan_page_previews_the_schedule(debtor_client, portal_case):
    first = timezone.localdate() + datetime.timedelta(days=7)
    response = debtor_client.get(_url("plan", portal_case), {"months": 3, "first_due": first.isoformat()})
    preview = response.context["preview"]
    assert len(preview.schedule) == 3
    assert sum(i.amount.cents for i in preview.schedule) == preview.total.cents
    assert preview.accepted_at_once
    partial = debtor_client.get(
        _url("plan", portal_case), {"months": 3, "first_due": first.isoformat()}, HTTP_HX_REQUEST="true"
    )
    assert b"<html" not in partial.content
    assert b'name="months" value="3"' in partial.content


def test_a_plan_within_the_clients_bounds_is_accepted_at_once(debtor_client, portal_case):
    first = timezone.localdate() + datetime.timedelta(days=7)
    response = debtor_client.post(_url("plan", portal_case), {"months": 6, "first_due": first.isoformat()})
    assert response.status_code == 302
    plan = Arrangement.objects.get(case=portal_case)
    assert plan.status == ArrangementStatus.ACTIVE
    assert plan.proposed_by == "debtor"
    assert plan.total_cents == case_quote(case=portal_case, as_of=timezone.localdate()).total_outstanding.cents
    page = debtor_client.get(_url("plan", portal_case))
    assert page.context["arrangement"] == plan
    assert plan.instalments.count() == 6


def test_a_plan_outside_the_bounds_waits_for_a_collector(debtor_client, portal_case):
    first = timezone.localdate() + datetime.timedelta(days=7)
    debtor_client.post(_url("plan", portal_case), {"months": 24, "first_due": first.isoformat()})
    plan = Arrangement.objects.get(case=portal_case)
    assert plan.status == ArrangementStatus.PROPOSED
    assert StaffTask.objects.filter(case=portal_case, kind=TaskKind.ARRANGEMENT_REVIEW).exists()


def test_a_plan_refuses_bad_input_and_changes_nothing(debtor_client, portal_case):
    past = timezone.localdate() - datetime.timedelta(days=1)
    assert debtor_client.post(_url("plan", portal_case), {"months": 3, "first_due": past}).status_code == 400
    assert debtor_client.post(_url("plan", portal_case), {"months": 99, "first_due": past}).status_code == 400
    assert not Arrangement.objects.exists()


def test_paying_creates_a_link_at_the_provider_and_the_paid_payment_clears_the_case(
    debtor_client, portal_case, local_provider, settings
):
    settings.INCASSO_PAYMENT_PROVIDER_URL = local_provider.url
    settings.INCASSO_PAYMENT_PROVIDER_KEY = local_provider.api_key
    owed = case_quote(case=portal_case, as_of=timezone.localdate()).total_outstanding
    response = debtor_client.post(_url("pay", portal_case), {"method": "ideal"})
    link = PaymentLink.objects.get(case=portal_case)
    assert response.status_code == 302
    assert response["Location"] == _url("checkout", portal_case, link.pk)
    assert link.checkout_url.startswith(local_provider.url)
    assert link.amount_cents == owed.cents
    checkout = debtor_client.get(response["Location"])
    assert f'href="{link.checkout_url}"' in checkout.content.decode()

    local_provider.mark_paid(link.provider_payment_id)
    with local_provider.adapter() as provider:
        payment_link_sync(provider_payment_id=link.provider_payment_id, provider=provider)
    page = debtor_client.get(_url("case", portal_case) + "?paid=1")
    assert page.context["view"].breakdown.total.cents == 0
    assert page.context["view"].breakdown.paid == owed


def test_without_a_reachable_provider_the_debtor_is_told_to_pay_by_transfer(debtor_client, portal_case, settings):
    settings.INCASSO_PAYMENT_PROVIDER_URL = ""
    response = debtor_client.post(_url("pay", portal_case), {"method": "ideal"}, follow=True)
    assert response.redirect_chain[-1][0] == _url("case", portal_case)
    assert "RF" in response.content.decode()
    assert not PaymentLink.objects.exists()


def test_when_the_provider_may_not_receive_the_data_the_debtor_is_told_to_pay_by_transfer(
    debtor_client, portal_case, local_provider, settings
):
    settings.INCASSO_PAYMENT_PROVIDER_URL = local_provider.url
    settings.INCASSO_PAYMENT_PROVIDER_KEY = local_provider.api_key
    settings.INCASSO_PAYMENT_RECIPIENT = "A provider not in the recipients register"
    response = debtor_client.post(_url("pay", portal_case), {"method": "ideal"}, follow=True)
    assert response.redirect_chain[-1][0] == _url("case", portal_case)
    assert "RF" in response.content.decode()
    assert not PaymentLink.objects.exists()


def test_a_dispute_with_a_pdf_pauses_the_case_and_makes_a_task(debtor_client, portal_case, settings):
    upload = SimpleUploadedFile("bon.pdf", PDF, content_type="application/pdf")
    response = debtor_client.post(_url("dispute", portal_case), {"reason": "Al betaald op 3 maart.", "file": upload})
    assert response.status_code == 302
    hold = CaseHold.objects.get(case=portal_case, kind="dispute", lifted_at__isnull=True)
    assert hold.reason == "Al betaald op 3 maart."
    assert StaffTask.objects.filter(case=portal_case, kind=TaskKind.DISPUTE).exists()
    stored = DisputeFile.objects.get(case=portal_case)
    path = settings.INCASSO_MEDIA_DIR / stored.stored_path
    assert path.read_bytes() == PDF
    assert "bon" not in path.name  # stored by a random name, never the one sent
    assert stored.content_type == "application/pdf" and stored.size_bytes == len(PDF)
    assert debtor_client.get(_url("case", portal_case)).context["view"].disputed


def test_a_dispute_file_of_another_type_or_too_large_is_refused(debtor_client, portal_case, settings, monkeypatch):
    script = SimpleUploadedFile("bon.pdf", b"#!/bin/sh\nrm -rf /\n", content_type="application/pdf")
    response = debtor_client.post(_url("dispute", portal_case), {"reason": "Klopt niet", "file": script})
    assert response.status_code == 400
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", len(PDF) - 1)
    big = SimpleUploadedFile("bon.pdf", PDF, content_type="application/pdf")
    response = debtor_client.post(_url("dispute", portal_case), {"reason": "Klopt niet", "file": big})
    assert response.status_code == 400
    assert not CaseHold.objects.exists() and not DisputeFile.objects.exists()
    assert not StaffTask.objects.filter(kind=TaskKind.DISPUTE).exists()
    disputes = settings.INCASSO_MEDIA_DIR / services.DISPUTE_DIR
    assert not disputes.exists() or not any(disputes.iterdir())


def test_contact_details_are_checked_like_intake_and_their_change_is_kept(debtor_client, portal_case):
    data = {
        "email": "nieuw@example.com",
        "phone": "06 12345678",
        "street": "Dorpsstraat",
        "house_number": "3",
        "postcode": "3511ab",
        "city": "Utrecht",
    }
    assert debtor_client.post(reverse("debtor_portal:contact"), data).status_code == 302
    debtor = Debtor.objects.get(pk=portal_case.debtor_id)
    assert (debtor.email, debtor.postcode, debtor.city) == ("nieuw@example.com", "3511 AB", "Utrecht")
    change = ContactChange.objects.get(debtor=debtor)
    assert set(change.fields) == {"email", "phone", "street", "house_number", "postcode", "city"}
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, subject_id=str(debtor.pk)).exists()
    page = debtor_client.get(reverse("debtor_portal:contact"))
    assert page.context["changes"] == [change]
    assert page.context["form"].initial["city"] == "Utrecht"

    bad = {**data, "email": "geen-adres", "postcode": "12345"}
    response = debtor_client.post(reverse("debtor_portal:contact"), bad)
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"email", "postcode"}
    assert Debtor.objects.get(pk=debtor.pk).email == "nieuw@example.com"
    assert ContactChange.objects.count() == 1


def test_a_question_and_a_complaint_reach_staff(debtor_client, portal_case):
    debtor_client.post(_url("question", portal_case), {"subject": "Rente", "message": "Waarom rente?"})
    debtor_client.post(_url("complaint", portal_case), {"subject": "Toon", "message": "Onvriendelijk gesprek."})
    assert StaffTask.objects.filter(case=portal_case, kind=TaskKind.GENERAL).count() == 1
    complaint = Complaint.objects.get(case=portal_case)
    assert complaint.channel == ComplaintChannel.DEBTOR_PORTAL
    assert "Onvriendelijk gesprek." in complaint.text
    assert Communication.objects.filter(case=portal_case, channel="portal", direction="in").count() == 2


def test_a_rights_request_from_the_portal_is_verified_by_the_log_in(debtor_client, portal_case):
    response = debtor_client.post(reverse("debtor_portal:privacy"), {"kind": "access", "message": ""})
    assert response.status_code == 302
    request = RightsRequest.objects.get()
    assert request.kind == "access" and request.channel == "portal"
    assert request.verification_method == VerificationMethod.PORTAL_LOGIN
    assert list(request.debtors.all()) == [portal_case.debtor]


def test_the_privacy_page_links_the_privacy_statement(debtor_client, settings):
    response = debtor_client.get(reverse("debtor_portal:privacy"))
    assert settings.INCASSO_PRIVACY_STATEMENT_URL in response.content.decode()


def test_a_paid_link_is_not_offered_again(debtor_client, portal_case, local_provider, settings):
    settings.INCASSO_PAYMENT_PROVIDER_URL = local_provider.url
    settings.INCASSO_PAYMENT_PROVIDER_KEY = local_provider.api_key
    debtor_client.post(_url("pay", portal_case), {"method": "ideal"})
    link = PaymentLink.objects.get(case=portal_case)
    local_provider.mark_paid(link.provider_payment_id)
    with local_provider.adapter() as provider:
        payment_link_sync(provider_payment_id=link.provider_payment_id, provider=provider)
    assert debtor_client.get(_url("checkout", portal_case, link.pk)).status_code == 404


def test_an_empty_complaint_is_refused_and_nothing_is_stored(debtor_client, portal_case):
    response = debtor_client.post(_url("complaint", portal_case), {"subject": "Toon", "message": "   "})
    assert response.status_code == 400
    assert not Complaint.objects.exists()
    assert not Communication.objects.filter(case=portal_case).exists()


def test_the_case_page_speaks_dutch_and_english(debtor_client, portal_case):
    dutch = debtor_client.get(_url("case", portal_case), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    english = debtor_client.get(_url("case", portal_case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Zo is dit bedrag opgebouwd" in dutch
    assert "How this amount is made up" in english


def test_the_bank_transfer_hints_name_the_account_as_well_as_the_reference(debtor_client, portal_case, settings):
    """ "Pay by transfer with reference RF..." left the debtor asking: to which account? Both hints now say."""
    settings.INCASSO_AGENCY_IBAN = "NL91ABNA0417164300"
    dutch = {"HTTP_ACCEPT_LANGUAGE": "nl"}
    case_page = debtor_client.get(_url("case", portal_case), **dutch).content.decode()
    assert "Of maak het over naar rekening NL91 ABNA 0417 1643 00 ten name van" in case_page
    first = timezone.localdate() + datetime.timedelta(days=7)
    debtor_client.post(_url("plan", portal_case), {"months": 6, "first_due": first.isoformat()})
    plan_page = debtor_client.get(_url("plan", portal_case), **dutch).content.decode()
    assert "Maak elke termijn over naar rekening NL91 ABNA 0417 1643 00" in plan_page
    assert f"met betalingskenmerk {rf_for_case(portal_case.number)}" in plan_page
    # With the plan running, the case page says first that the next instalment is due, not only the whole debt.
    case_page = debtor_client.get(_url("case", portal_case), **dutch).content.decode()
    assert "U betaalt in termijnen: de volgende termijn is" in case_page


def test_the_log_in_page_says_how_to_reach_the_agency_without_a_letter(client, settings, db):
    """ "Lost your letter? Call or e-mail us" gave no number and no address: a dead end for a debtor."""
    settings.INCASSO_AGENCY_PHONE, settings.INCASSO_AGENCY_EMAIL = "020 123 45 67", "info@incasso.example"
    page = client.get(reverse("debtor_portal:login"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert 'href="tel:0201234567"' in page and 'href="mailto:info@incasso.example"' in page
    settings.INCASSO_AGENCY_PHONE, settings.INCASSO_AGENCY_EMAIL = "", ""
    settings.INCASSO_AGENCY_ADDRESS = ["Voorbeeldstraat 1", "1012 AB Amsterdam"]
    page = client.get(reverse("debtor_portal:login"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Schrijf naar" in page and "Voorbeeldstraat 1, 1012 AB Amsterdam" in page


def test_the_dispute_form_help_is_in_the_readers_language(debtor_client, portal_case):
    """The help text was formatted at import time, so English readers got the Dutch one."""
    english = debtor_client.get(_url("dispute", portal_case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    dutch = debtor_client.get(_url("dispute", portal_case), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "A PDF, PNG or JPEG file of at most 5 MB." in english
    assert "Een PDF-, PNG- of JPEG-bestand van hoogstens 5 MB." in dutch
