"""A stored explanation that repeats the rule's own value ("fase is herinnering (het is herinnering)") reads once,
on the debtor's page and on the staff case page; the stored text stays as the record."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from incasso.accounts.roles import Role
from incasso.backoffice.tests.conftest import login_as
from incasso.decisions.factories import strategy_inputs
from incasso.decisions.models import Decision
from incasso.decisions.services import decisions_decide_bulk

STORED_NL = "Wij sturen een herinnering.\n- fase is herinnering (het is herinnering)\n- dagen in deze fase is minstens 7 (het is 9)"
STORED_EN = "We send a reminder.\n- stage is reminder (it is reminder)\n- days in this stage is at least 7 (it is 9)"


def _stored(case) -> Decision:
    decision = decisions_decide_bulk(inputs=[strategy_inputs(case)], on=timezone.localdate())[case.pk]
    Decision.objects.filter(pk=decision.pk).update(explanation_nl=STORED_NL, explanation_en=STORED_EN)
    return decision


def test_the_debtor_reads_the_stage_once(debtor_client, portal_case):
    _stored(portal_case)
    url = reverse("debtor_portal:case", args=[portal_case.pk])
    dutch = debtor_client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    english = debtor_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "fase is herinnering" in dutch and "(het is herinnering)" not in dutch
    assert "minstens 7 (het is 9)" in dutch
    assert "stage is reminder" in english and "(it is reminder)" not in english


def test_staff_read_the_stage_once(client, portal_case):
    _stored(portal_case)
    staff = login_as(client, "collector@example.com", Role.COLLECTOR, clients=[portal_case.client])
    page = staff.get(reverse("backoffice:case-detail", args=[portal_case.pk]), HTTP_ACCEPT_LANGUAGE="nl")
    assert page.status_code == 200
    text = page.content.decode()
    assert "fase is herinnering" in text and "(het is herinnering)" not in text
