"""Work a user does, not only pages opened: in Debian's Chromium, a collector on a phone works the task list and
records a promise to pay with the keyboard alone, mistyping first; finance puts an unmatched payment on its case.

What is checked is what a demanding user notices: nothing wider than the phone's screen, an error beside the field
it is about with the input kept, and a confirmation after the action.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from incasso.accounts.confidentiality import confidentiality_accept, confidentiality_statement_current
from incasso.accounts.models import Team
from incasso.accounts.roles import Role
from incasso.accounts.services import user_create
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.cases.models import StaffTask, TaskKind
from incasso.core.browser import PHONE
from incasso.demo.tests.test_browser_crawl import _staff_log_in
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.payments.services import statement_import
from incasso.payments.tests.conftest import camt, camt_entry

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-Horse-battery-9"
# The longest task label there is: it used to push the task table past the right edge of a phone.
LONG_KIND = TaskKind.APPROVAL


@pytest.fixture
def office(settings):
    """A client with one open case (a claim, an approval task) and a staff member per role used here."""
    settings.INCASSO_DEMO_SKIP_SECOND_FACTOR = True
    client = ClientFactory(code="ours", name="Onze Klant B.V.")
    case = CaseFactory(debtor=DebtorFactory(client=client), number="2026-000777")
    ClaimFactory(case=case)
    StaffTask.objects.create(case=case, kind=LONG_KIND, title="Toestemming dagvaarding", due_on=timezone.localdate())
    team = Team.objects.create(name="Team Noord")
    team.clients.add(client)
    statement = confidentiality_statement_current()
    for role in (Role.COLLECTOR, Role.FINANCE):
        user = user_create(email=f"{role}@example.com", password=PASSWORD, roles=[role])
        user.groups.add(Group.objects.get(name=role))
        team.members.add(user)
        if statement is not None:
            confidentiality_accept(user=user, statement=statement, source="test")
    return case


def _fits_the_screen(page) -> bool:
    """Nothing sticks out at the right: not the page, and not a table stacked for phones (whose scroll box would
    otherwise hide a cut-off field or button behind a sideways scroll nobody expects)."""
    return bool(
        page.evaluate(
            """document.documentElement.scrollWidth <= window.innerWidth
            && [...document.querySelectorAll('.table-scroll:has(table.stack)')]
                .every(box => box.scrollWidth <= box.clientWidth)"""
        )
    )


def test_a_collector_on_a_phone_records_a_promise_with_the_keyboard(page, office):
    page.set_viewport_size(PHONE)
    _staff_log_in(page, f"{Role.COLLECTOR}@example.com", PASSWORD, "/office/")
    assert _fits_the_screen(page), "the work queues are wider than a phone"

    page.goto(f"/office/cases/{office.pk}/")
    assert _fits_the_screen(page), "the case page is wider than a phone"
    summary = page.locator("#arrangement summary")
    summary.focus()
    page.keyboard.press("Enter")  # opens the form, as a click would
    page.keyboard.press("Tab")
    page.keyboard.type("12,50")
    page.keyboard.press("Tab")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    page.locator("#id_due_on").fill(yesterday.isoformat())  # a date input takes its digits per locale; fill it
    page.locator("#id_due_on").focus()
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_load_state()

    error = page.locator("#id_due_on").locator("xpath=preceding-sibling::ul[1]")
    assert "verleden" in error.inner_text()  # the reason, in Dutch, right above the field it is about
    assert page.locator("#id_amount").input_value() == "12,50"  # what was typed is still there
    assert page.locator("#id_due_on").get_attribute("aria-invalid") == "true"

    page.locator("#id_due_on").fill((timezone.localdate() + datetime.timedelta(days=5)).isoformat())
    page.locator("#id_due_on").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "De betalingstoezegging is vastgelegd." in page.locator(".messages").inner_text()
    assert "12,50" in page.locator("#arrangement").inner_text()


def test_finance_matches_an_unmatched_payment_from_the_queue(page, office):
    statement_import(stream=io.BytesIO(camt(camt_entry("75.50", ref="U-1", ustrd="factuur"))), filename="s.xml")
    _staff_log_in(page, f"{Role.FINANCE}@example.com", PASSWORD, "/office/")
    page.locator('a:has([data-queue="unmatched"])').click()
    page.wait_for_url("**/office/queues/unmatched/")
    page.get_by_label("Dossiernummer").fill(office.number)
    page.get_by_role("button", name="Koppelen").click()
    page.wait_for_load_state()
    assert f"De betaling is op dossier {office.number} geboekt." in page.locator(".messages").inner_text()
    assert "Niets in deze werkvoorraad." in page.locator("main").inner_text()
