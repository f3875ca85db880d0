"""The case page's timeline starts with the case's opening: through which door, by whom (C-4)."""

import pytest
from django.urls import reverse

from incasso.accounts.roles import Role
from incasso.backoffice.tests.conftest import ENGLISH, login_as
from incasso.cases.models import Case
from incasso.intake.models import ImportSource
from incasso.intake.rows import ClaimRow
from incasso.intake.services import claims_import

pytestmark = pytest.mark.django_db


def test_the_back_office_timeline_shows_the_opening(client, creditor):
    row = ClaimRow(
        1,
        invoice_number="F1",
        invoice_date="2026-02-01",
        due_date="2026-02-15",
        amount="10.00",
        debtor_reference="D1",
        debtor_kind="consumer",
        surname="Jansen",
    )
    claims_import(client=creditor, rows=[row], source=ImportSource.CLI)
    case = Case.objects.get(debtor__reference="D1")
    login_as(client, "collector@example.com", Role.COLLECTOR, clients=[creditor])
    html = client.get(reverse("backoffice:case-detail", args=[case.pk]), **ENGLISH).content.decode()
    timeline = html[html.index('id="timeline-heading"') :]
    timeline = timeline[: timeline.index("</section>")]
    assert "Opened → <strong>Reminder</strong> · system" in timeline
    assert "claim intake cli" in timeline
    assert "No stage changes yet." not in timeline
