"""A review request the form refuses comes back beside its decision with the reason typed and why (status 400)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from incasso.decisions.factories import strategy_inputs
from incasso.decisions.services import decisions_decide_bulk


def test_a_too_long_reason_is_kept_with_why_and_nothing_is_contested(debtor_client, portal_case):
    decision = decisions_decide_bulk(inputs=[strategy_inputs(portal_case)], on=timezone.localdate())[portal_case.pk]
    reason = "Ik heb al betaald. " * 110  # 2,090 characters
    url = reverse("debtor_portal:decision-review", args=[portal_case.pk, decision.pk])
    response = debtor_client.post(url, {"reason": reason}, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 400
    page = response.content.decode()
    form = page.split(f'data-decision="{decision.pk}"')[1]
    error = form.split("<textarea")[0]
    assert 'class="errorlist' in error and "2000" in error
    assert reason.strip() in form.split("</textarea>")[0]
    decision.refresh_from_db()
    assert decision.contested_at is None
