"""The client portal in a real browser: a client user uploads a CSV with a bad row and sees the error."""

from __future__ import annotations

from pathlib import Path

import pytest

from incasso.accounts.models import ClientMembership
from incasso.accounts.roles import Role
from incasso.accounts.services import user_create
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.client_portal.tests.test_portal import CSV
from incasso.core.browser import assert_accessible, screenshot
from incasso.parties.factories import ClientFactory, DebtorFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-Horse-battery-9"


def test_a_client_uploads_a_csv_with_a_bad_row_and_sees_the_error(page, tmp_path: Path) -> None:
    acme = ClientFactory(code="acme", name="Acme B.V.")
    ClaimFactory(case=CaseFactory(debtor=DebtorFactory(client=acme), number="2026-000777"))
    user = user_create(email="client@acme.example", password=PASSWORD, roles=[Role.CLIENT_USER])
    ClientMembership.objects.create(user=user, client=acme)

    page.goto("/login/?next=/client/")
    page.fill("input[name=username]", "client@acme.example")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action^='/login/'] [type=submit]").click()
    page.wait_for_url("**/client/")
    assert page.locator("text=2026-000777").count() == 0  # the overview shows figures, not debtors
    screenshot(page, "client-portal")
    assert_accessible(page)

    csv_file = tmp_path / "claims.csv"
    csv_file.write_text(CSV, encoding="utf-8")
    page.goto("/client/claims/upload/")
    assert_accessible(page)
    page.set_input_files("input[type=file]", str(csv_file))
    page.locator("#upload-form [type=submit]").click()
    page.wait_for_url("**/client/imports/*/")
    row = page.locator("table.row-errors tbody tr").first
    assert row.locator("td").nth(0).inner_text() == "3"
    assert row.locator("td").nth(1).inner_text() == "amount"
    assert_accessible(page)
    screenshot(page, "client-portal-upload-result")

    page.goto("/client/reports/")
    assert page.locator("svg[role=img]").count() == 3
    assert_accessible(page)
    screenshot(page, "client-portal-reports")
