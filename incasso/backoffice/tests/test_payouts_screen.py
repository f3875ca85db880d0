"""Finance's payout desk: what is due per client, making a payout once, and the statement and pain.001 downloads."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incasso.accounts.roles import Role
from incasso.audit.models import AuditAction, AuditEvent
from incasso.backoffice.tests.conftest import ENGLISH, login_as
from incasso.ledger.models import Payout
from incasso.ledger.services import payment_receive
from incasso.ledger.tests.conftest import eur


@pytest.fixture
def paid(two_teams):
    """A payment of EUR 100 on our case (the other client's case has none)."""
    case = two_teams["our_case"]
    payment_receive(case_id=case.pk, amount=eur("100.00"), received_on=case.opened_on, key="pay-1", source="test")
    return two_teams


@pytest.fixture
def finance(client):
    return login_as(client, "finance@example.com", Role.FINANCE)


def _desk(http, **query):
    return http.get(reverse("backoffice:payouts"), query, **ENGLISH)


def _make(http, client_id, until=None, after=0):
    """The desk's form as a browser sends it: ``after`` is the client's latest payout the page showed."""
    body = {"client": client_id, "until": (until or timezone.localdate()).isoformat(), "after": after}
    return http.post(reverse("backoffice:payout-new"), body, follow=True, **ENGLISH)


def _shown(response):
    return " ".join(str(message) for message in response.context["messages"])


def test_the_desk_shows_what_each_client_is_due(finance, paid):
    response = _desk(finance)
    assert response.status_code == 200
    due = {row.client.pk: row for row in response.context["due"]}
    assert set(due) == {paid["ours"].pk}
    row = due[paid["ours"].pk]
    assert row.payments == 1
    assert row.net.cents == row.gross.cents - row.commission.cents > 0
    assert f'data-net="{row.net.cents}"'.encode() in response.content


def test_the_preview_is_what_the_payout_pays(finance, paid):
    preview = _desk(finance).context["due"][0]
    _make(finance, paid["ours"].pk)
    payout = Payout.objects.get()
    assert (payout.gross_cents, payout.commission_cents, payout.net_cents) == (
        preview.gross.cents,
        preview.commission.cents,
        preview.net.cents,
    )
    assert _desk(finance).context["due"] == []


def test_a_double_click_makes_one_payout_and_shows_it_twice(finance, paid):
    first = _make(finance, paid["ours"].pk)
    second = _make(finance, paid["ours"].pk)
    payout = Payout.objects.get()
    assert _shown(first) == _shown(second) == f"Payout P-{payout.pk} to {paid['ours'].name} made."
    made = AuditEvent.objects.get(action=AuditAction.CREATE, details__payout=payout.pk)  # the replay audits nothing
    assert (made.actor_label, made.subject_type, made.subject_id) == (
        "finance@example.com",
        "parties.Client",
        str(paid["ours"].pk),
    )


def test_a_later_payment_is_paid_out_from_a_fresh_page(finance, paid):
    _make(finance, paid["ours"].pk)
    first = Payout.objects.get()
    case = paid["our_case"]
    payment_receive(case_id=case.pk, amount=eur("50.00"), received_on=case.opened_on, key="pay-2", source="test")
    row = _desk(finance).context["due"][0]
    assert (row.payments, row.last_payout_id) == (1, first.pk)
    _make(finance, paid["ours"].pk, after=row.last_payout_id)
    assert Payout.objects.count() == 2


def test_a_payout_of_another_client_as_after_is_refused(finance, paid):
    _make(finance, paid["ours"].pk)
    response = _make(finance, paid["theirs"].pk, after=Payout.objects.get().pk)
    assert "No payout was made" in _shown(response)
    assert Payout.objects.count() == 1


def test_a_stale_or_forged_after_is_refused_in_the_readers_language(finance, paid):
    response = finance.post(
        reverse("backoffice:payout-new"),
        {"client": paid["ours"].pk, "until": timezone.localdate().isoformat(), "after": 999},
        HTTP_ACCEPT_LANGUAGE="nl",
        follow=True,
    )
    shown = _shown(response)
    assert "Er is niets uitbetaald: de pagina was verouderd." in shown
    assert "999" not in shown and "has no payout" not in shown
    assert not Payout.objects.exists()


def test_nothing_to_pay_out_is_a_message(finance, paid):
    response = _make(finance, paid["theirs"].pk)
    assert response.status_code == 200
    assert "has nothing to be paid out" in _shown(response)
    assert not Payout.objects.exists()


def test_a_day_to_come_is_refused(finance, paid):
    response = _make(finance, paid["ours"].pk, until=timezone.localdate() + datetime.timedelta(days=1))
    assert "a day that has passed" in _shown(response)
    assert not Payout.objects.exists()
    assert _desk(finance, until="2099-01-01").status_code == 422


def test_statement_and_credit_transfer_downloads_are_audited(finance, paid):
    _make(finance, paid["ours"].pk)
    payout = Payout.objects.get()
    page = _desk(finance)
    assert f'data-payout="{payout.pk}"'.encode() in page.content
    csv = finance.get(reverse("backoffice:payout-statement", args=[payout.pk, "csv"]))
    assert csv.status_code == 200
    assert paid["our_case"].number in csv.content.decode()
    xml = finance.get(reverse("backoffice:payout-credit-transfer", args=[payout.pk]))
    assert xml.status_code == 200
    assert xml.content == payout.credit_transfer_xml.encode()
    assert b"pain.001" in xml.content
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, details__payout=payout.pk).count() == 2
    assert finance.get(reverse("backoffice:payout-statement", args=[payout.pk, "exe"])).status_code == 404


def test_the_menu_links_the_desk_for_finance_only(client, paid):
    finance = login_as(client, "finance@example.com", Role.FINANCE)
    assert reverse("backoffice:payouts").encode() in finance.get(reverse("backoffice:home"), **ENGLISH).content


@pytest.mark.parametrize("role", [Role.COLLECTOR, Role.AUDITOR, Role.PRIVACY_OFFICER])
def test_other_roles_are_refused(client, paid, role):
    http = login_as(client, "other@example.com", role, clients=[paid["ours"]])
    assert reverse("backoffice:payouts").encode() not in http.get(reverse("backoffice:home"), **ENGLISH).content
    assert _desk(http).status_code == 403
    assert _make(http, paid["ours"].pk).status_code == 403
    assert not Payout.objects.exists()


def test_an_administrator_may_use_the_desk(client, paid):
    admin = login_as(client, "admin@example.com", Role.ADMINISTRATOR)
    _make(admin, paid["ours"].pk)
    assert Payout.objects.count() == 1


def test_the_desk_speaks_dutch(finance, paid):
    page = finance.get(reverse("backoffice:payouts"), HTTP_ACCEPT_LANGUAGE="nl")
    assert "Uit te betalen" in page.content.decode()
    assert "Uitbetaling maken" in page.content.decode()
