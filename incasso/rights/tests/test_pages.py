"""The public form and code page, the download link, and the privacy officer's queue, through HTTP."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from incasso.accounts.factories import UserFactory
from incasso.accounts.roles import Role
from incasso.accounts.testing import staff_login
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.rights.execution import request_execute
from incasso.rights.models import ExportDelivery, RequestChannel, RequestKind, RightsRequest
from incasso.rights.services import Requester, request_verify_staff, requests_receive

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def _post_form(client, email="jan@example.nl", **extra):
    data = {"kind": "access", "name": "Jan", "email": email, "message": "<script>alert(1)</script>", **extra}
    return client.post(reverse("rights:public_request"), data)


def test_the_public_form_answers_alike_for_known_and_unknown_people_and_verifies_by_code(client):
    DebtorFactory(client=ClientFactory(is_agency=True), email="jan@example.nl", surname="Jansen")
    unknown = _post_form(client, email="nobody@example.nl")
    known = _post_form(client)
    assert unknown.status_code == known.status_code == 302
    page = client.get(known["Location"])
    assert page.status_code == 200 and b"Jansen" not in page.content
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["jan@example.nl"]
    code = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)
    wrong = client.post(known["Location"], {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 200 and not RightsRequest.objects.filter(verified_at__isnull=False).exists()
    client.post(known["Location"], {"code": code})
    (known_request,) = [r for r in RightsRequest.objects.all() if r.requester_email == "jan@example.nl"]  # sealed
    assert known_request.verified_at is not None


def test_the_public_form_is_rate_limited(client):
    for _ in range(5):
        assert _post_form(client, email="x@example.nl").status_code == 302
    assert _post_form(client, email="x@example.nl").status_code == 429


def test_the_queue_is_for_the_privacy_officer_only_and_escapes_what_people_wrote(client):
    _post_form(client, email="nobody@example.nl")
    collector = UserFactory()
    collector.groups.add(Group.objects.get(name=Role.COLLECTOR))
    staff_login(client, collector)
    assert client.get(reverse("rights:staff_queue")).status_code == 403
    officer = UserFactory()
    officer.groups.add(Group.objects.get(name=Role.PRIVACY_OFFICER))
    staff_login(client, officer)
    request = RightsRequest.objects.get()
    queue = client.get(reverse("rights:staff_queue"))
    assert queue.status_code == 200 and request.reference.encode() in queue.content
    assert b"deadline-ok" in queue.content
    detail = client.get(reverse("rights:staff_detail", kwargs={"pk": request.pk}))
    assert b"<script>alert(1)" not in detail.content and b"&lt;script&gt;" in detail.content
    client.post(reverse("rights:staff_action", kwargs={"pk": request.pk, "action": "verify"}), {"note": "ID seen"})
    request.refresh_from_db()
    assert request.verification_method == "staff_check" and request.verified_by == officer


def test_the_download_link_serves_each_format_and_logs_it(client):
    debtor = DebtorFactory(client=ClientFactory(is_agency=True), email="jan@example.nl", surname="Jansen")
    officer = UserFactory()
    officer.groups.add(Group.objects.get(name=Role.PRIVACY_OFFICER))
    (request,) = requests_receive(
        kind=RequestKind.ACCESS,
        channel=RequestChannel.PHONE,
        requester=Requester(name="Jan"),
        actor=officer,
        debtors=[debtor],
    )
    request_verify_staff(request=request, actor=officer, note="checked")
    request_execute(request=request, actor=officer, base_url="https://agency.example")
    (link_mail,) = [m for m in mail.outbox if "https://agency.example" in m.body]
    link = re.search(r"https://agency.example(\S+)", link_mail.body).group(1)
    assert link_mail.to == ["jan@example.nl"]
    landing = client.get(link)
    assert landing.status_code == 200
    csv_response = client.get(link + "csv/")
    assert csv_response.status_code == 200 and b"Jansen" in csv_response.content
    assert client.get(link[:-3] + "zz/csv/").status_code == 404
    assert ExportDelivery.objects.count() == 1


def test_the_administrator_and_auditor_read_the_queue_but_only_the_privacy_officer_acts(client):
    _post_form(client, email="nobody@example.nl")
    request = RightsRequest.objects.get()
    detail_url = reverse("rights:staff_detail", kwargs={"pk": request.pk})
    verify_url = reverse("rights:staff_action", kwargs={"pk": request.pk, "action": "verify"})
    for role in (Role.AUDITOR, Role.ADMINISTRATOR):
        reader = UserFactory()
        reader.groups.add(Group.objects.get(name=role))
        staff_login(client, reader)
        assert request.reference.encode() in client.get(reverse("rights:staff_queue")).content
        detail = client.get(detail_url)
        assert detail.status_code == 200 and verify_url.encode() not in detail.content
        assert client.post(verify_url, {"note": "ID seen"}).status_code == 403
    request.refresh_from_db()
    assert request.verified_at is None
    officer = UserFactory()
    officer.groups.add(Group.objects.get(name=Role.PRIVACY_OFFICER))
    staff_login(client, officer)
    assert verify_url.encode() in client.get(detail_url).content


def test_the_privacy_officer_enters_a_request_taken_by_telephone_for_the_callers_case(client):
    from incasso.cases.factories import CaseFactory

    case = CaseFactory(debtor=DebtorFactory(client=ClientFactory(is_agency=True), email="jan@example.nl"))
    auditor = UserFactory()
    auditor.groups.add(Group.objects.get(name=Role.AUDITOR))
    staff_login(client, auditor)
    assert b"telephone" not in client.get(reverse("rights:staff_queue")).content
    assert client.get(reverse("rights:staff_phone")).status_code == 403
    officer = UserFactory()
    officer.groups.add(Group.objects.get(name=Role.PRIVACY_OFFICER))
    staff_login(client, officer)
    assert reverse("rights:staff_phone").encode() in client.get(reverse("rights:staff_queue")).content
    call = {"kind": "erasure", "name": "Jan", "phone": "0612345678", "message": "Belde om 10:12"}
    unknown = client.post(reverse("rights:staff_phone"), {**call, "case_number": "NO-SUCH-CASE"})
    assert unknown.status_code == 400 and not RightsRequest.objects.exists()
    answer = client.post(reverse("rights:staff_phone"), {**call, "case_number": case.number})
    request = RightsRequest.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("rights:staff_detail", args=[request.pk])
    assert (request.channel, request.kind, request.requester_phone) == ("phone", "erasure", "0612345678")
    assert list(request.debtors.all()) == [case.debtor] and request.verified_at is None
