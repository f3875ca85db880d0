"""A privacy officer completes an access request in a real browser (issue 7 item 5).

The person asks through the public form; the officer logs in with the second factor, finds the request in the
queue, records how the identity was checked, carries the request out, and the person downloads the export from the
link that was mailed. Screenshots of the queue at phone and desktop width and an axe check.
"""

import json
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from incasso.accounts.confidentiality import confidentiality_accept, confidentiality_statement_current
from incasso.accounts.roles import Role
from incasso.accounts.services import user_create
from incasso.core.browser import assert_accessible, screenshot
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.rights.models import ExportDelivery, RequestStatus, RightsRequest, VerificationMethod

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-Horse-battery-9"
EMAIL = "anna.de.vries@example.nl"


def _officer_logs_in(page, *, email: str, device: TOTPDevice) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action='/login/'] [type=submit]").click()
    page.wait_for_url("**/second-factor/verify/**")
    page.fill("input[name=token]", f"{totp(device.bin_key):06d}")
    page.locator("main [type=submit]").click()
    page.wait_for_url("**/office/")


def _act(page, action: str, note: str = "") -> None:
    page.fill("textarea[name=note]", note)
    page.locator(f"button[formaction$='/{action}/']").click()
    page.wait_for_load_state()
    # Done: a message above the page; refused: the reason beside the note, which keeps what was typed.
    page.locator("main .messages, main .errorlist").first.wait_for()


def test_a_privacy_officer_completes_an_access_request(page):
    cache.clear()  # the public form's rate limit counts per address
    debtor = DebtorFactory(
        client=ClientFactory(is_agency=True), email=EMAIL, given_names="Anna", surname="de Vries-Bakker"
    )
    officer = user_create(email="privacy@example.com", password=PASSWORD, roles=[Role.PRIVACY_OFFICER])
    officer.groups.add(Group.objects.get(name=Role.PRIVACY_OFFICER))
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    statement = confidentiality_statement_current()
    if statement is not None:
        confidentiality_accept(user=officer, statement=statement, source="test")

    # The person asks for a copy of their data through the public form.
    page.goto("/rights/")
    assert_accessible(page)
    page.select_option("select[name=kind]", "access")
    page.fill("input[name=name]", "Anna de Vries")
    page.fill("input[name=email]", EMAIL)
    page.fill("textarea[name=message]", "Ik wil graag weten welke gegevens u van mij heeft.")
    page.locator("main form [type=submit]").click()
    page.wait_for_url("**/rights/verify/**")
    (request,) = [r for r in RightsRequest.objects.all() if r.requester_email == EMAIL]  # sealed: no filter
    assert list(request.debtors.all()) == [debtor] and request.verified_at is None

    # The privacy officer finds it in the queue through the back-office menu.
    page.context.clear_cookies()
    _officer_logs_in(page, email="privacy@example.com", device=device)
    page.locator("a[href='/rights/office/']").first.click()
    page.wait_for_url("**/rights/office/")
    row = page.locator(f"tr[data-request='{request.pk}']")
    assert request.reference in row.inner_text()
    assert_accessible(page)
    screenshot(page, "rights-queue")

    row.locator("a").click()
    page.wait_for_url(f"**/rights/office/{request.pk}/")
    assert "de Vries-Bakker" in page.locator("main dl").inner_text()
    assert_accessible(page)

    # Carrying out before the identity is checked is refused, and nothing is sent.
    sent_before = len(mail.outbox)
    _act(page, "execute", "Nog niet gecontroleerd")
    request.refresh_from_db()
    assert request.status != RequestStatus.COMPLETED and len(mail.outbox) == sent_before
    assert page.input_value("textarea[name=note]") == "Nog niet gecontroleerd"
    assert_accessible(page)

    _act(page, "verify", "Kopie paspoort gezien via beveiligde upload, gegevens komen overeen.")
    request.refresh_from_db()
    assert request.verification_method == VerificationMethod.STAFF_CHECK and request.verified_by == officer
    assert "Kopie paspoort gezien" in page.locator("main dl").inner_text()

    _act(page, "execute")
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED and request.outcome
    assert request.outcome.splitlines()[0] in page.locator("main dl").inner_text()
    (link_mail,) = [m for m in mail.outbox[sent_before:] if "/rights/export/" in m.body]
    assert link_mail.to == [EMAIL]

    # The person opens the link and downloads the export: it holds their data.
    path = re.search(r"https?://[^/\s]+(/rights/export/\S+/)", link_mail.body).group(1)
    page.context.clear_cookies()
    page.goto(path)
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.locator("a[href$='/json/']").click()
    exported = json.loads(download_info.value.path().read_text(encoding="utf-8"))
    text = json.dumps(exported, ensure_ascii=False)
    assert "de Vries-Bakker" in text and EMAIL in text and debtor.reference in text
    assert ExportDelivery.objects.filter(request=request).count() == 1
