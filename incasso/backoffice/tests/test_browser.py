"""A collector works a queue item in a real browser (issue 7 item 5): log-in with the second factor, the work
queues, closing a task through htmx; screenshots at phone and desktop width and an axe check."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from incasso.accounts.confidentiality import confidentiality_accept, confidentiality_statement_current
from incasso.accounts.models import Team
from incasso.accounts.roles import Role
from incasso.accounts.services import user_create
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.cases.models import StaffTask, TaskKind, TaskStatus
from incasso.core.browser import assert_accessible, screenshot
from incasso.parties.factories import ClientFactory, DebtorFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-Horse-battery-9"


def test_a_collector_works_a_queue_item(page):
    client = ClientFactory(code="ours", name="Onze Klant B.V.")
    case = CaseFactory(debtor=DebtorFactory(client=client), number="2026-000777")
    ClaimFactory(case=case)
    task = StaffTask.objects.create(
        case=case, kind=TaskKind.CALL, title="Debiteur terugbellen", due_on=timezone.localdate()
    )
    collector = user_create(email="collector@example.com", password=PASSWORD, roles=[Role.COLLECTOR])
    collector.groups.add(Group.objects.get(name=Role.COLLECTOR))
    team = Team.objects.create(name="Team Noord")
    team.clients.add(client)
    team.members.add(collector)
    device = TOTPDevice.objects.create(user=collector, name="phone", confirmed=True)
    statement = confidentiality_statement_current()
    if statement is not None:
        confidentiality_accept(user=collector, statement=statement, source="test")

    page.goto("/login/")
    page.fill("input[name=username]", "collector@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action='/login/'] [type=submit]").click()
    page.wait_for_url("**/second-factor/verify/**")
    page.fill("input[name=token]", f"{totp(device.bin_key):06d}")
    page.locator("main [type=submit]").click()
    page.wait_for_url("**/office/")

    assert page.locator('[data-queue="tasks"]').inner_text() == "1"
    assert_accessible(page)
    screenshot(page, "backoffice-home")

    row = page.locator(f"#task-{task.pk}")
    row.locator("input[name=outcome]").fill("Gebeld: betaalt vrijdag")
    row.locator("button[type=submit]").click()
    # htmx swaps the row in place: the page does not reload, the row now shows the outcome.
    page.locator(f"#task-{task.pk} [role=status]").wait_for()
    assert "Gebeld: betaalt vrijdag" in page.locator(f"#task-{task.pk}").inner_text()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.closed_by == collector

    # The case page of the same case: accessible, and readable on a phone.
    page.locator(f"#task-{task.pk} a").first.click()
    page.wait_for_url(f"**/office/cases/{case.pk}/")
    assert page.locator("h1").inner_text().startswith(case.number)
    assert_accessible(page)
    screenshot(page, "backoffice-case")
