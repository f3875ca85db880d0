"""Found by walking the back office in a browser as each role, in Dutch and English (issue: judges' review)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from incasso.accounts.alerts import security_alert_raise
from incasso.accounts.models import SecurityAlertKind
from incasso.accounts.roles import Role
from incasso.audit.models import AuditVerification, VerificationOutcome
from incasso.backoffice.tests.conftest import ENGLISH, login_as
from incasso.backoffice.tests.test_circumstances_section import situation_post
from incasso.backoffice.views.audit_log import _verification_row
from incasso.circumstances.models import FinancialSituation
from incasso.ledger.services import payment_receive
from incasso.ledger.tests.conftest import eur
from incasso.privacy.models import LegalHold

pytestmark = pytest.mark.django_db

LOG = reverse("backoffice:audit-log")


def test_the_audit_log_names_purposes_in_the_readers_language_not_by_their_code(client, two_teams):
    login_as(client, "auditor@example.com", Role.AUDITOR)
    dutch = client.get(LOG).content.decode()
    assert "Incasso van vorderingen (incassodossiers)" in dutch
    assert ">debt_collection<" not in dutch  # neither as an option of the filter nor in a row
    english = client.get(LOG, **ENGLISH).content.decode()
    assert "Collecting claims (collection cases)" in english
    assert ">debt_collection<" not in english
    # The filter still takes the code.
    assert client.get(LOG, {"purpose": "debt_collection"}).status_code == 200


def test_a_broken_chain_reads_as_broken_not_as_a_broken_promise():
    """Django merges the apps' catalogues and the first installed wins: the arrangements app's "Broken" ("Niet
    nagekomen", a broken payment promise) used to label a broken audit chain."""
    run = AuditVerification(outcome=VerificationOutcome.BROKEN, broken_sequence=7, broken_reason="gap")
    with translation.override("nl"):
        assert str(_verification_row(run)["outcome"]) == "Gebroken"
    with translation.override("en"):
        assert str(_verification_row(run)["outcome"]) == "Broken"


def test_making_a_payout_asks_first(client, two_teams):
    """The button that pays sits inside a closed <details> saying how much goes to whom: one click never pays."""
    case = two_teams["our_case"]
    payment_receive(case_id=case.pk, amount=eur("100.00"), received_on=case.opened_on, key="pay-1", source="test")
    login_as(client, "finance@example.com", Role.FINANCE)
    page = client.get(reverse("backoffice:payouts")).content.decode()
    question = page.index('<details class="confirm">')
    assert question < page.index("data-payout-for") < page.index("Ja, uitbetaling maken")
    assert "uitbetalen aan Onze Klant B.V.? Een uitbetaling kan niet ongedaan worden gemaakt." in page


def test_releasing_a_legal_hold_asks_first(client, two_teams):
    login_as(client, "legal@example.com", Role.LEGAL_OFFICER)
    url = reverse("backoffice:legal-holds")
    assert client.post(url, {"case_number": two_teams["our_case"].number, "reason": "Rechtszaak"}).status_code == 302
    hold = LegalHold.objects.get()
    page = client.get(url).content.decode()
    release = reverse("backoffice:legal-hold-release", args=[hold.pk])
    assert page.index('<details class="confirm">') < page.index(release) < page.index("Ja, bewaarplicht opheffen")


def test_a_too_short_first_password_is_refused_in_dutch(client, two_teams):
    """Django 5.2 words this refusal anew and its Dutch catalogue lags: the back office carries the translation."""
    login_as(client, "admin@example.com", Role.ADMINISTRATOR)
    body = {"roles": ["collector"], "email": "nieuw@example.com", "full_name": "Nieuw", "password": "kort"}
    page = client.post(reverse("backoffice:user-new"), body).content.decode()
    assert "Dit wachtwoord is te kort. Het moet minstens 12 tekens bevatten." in page
    assert "too short" not in page


def test_an_impossible_count_of_debts_is_refused(client, two_teams):
    """99999999999 other debts used to be stored as given."""
    collector = login_as(client, "collector@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])
    url = reverse("backoffice:case-situation", args=[two_teams["our_case"].pk])
    for bad in ({"other_debts": "99999999999"}, {"attachments": "1000"}):
        response = collector.post(url, situation_post(**bad))
        assert response.status_code == 422
        assert set(response.context["situation_form"].errors) == set(bad)
    assert not FinancialSituation.objects.exists()


def test_a_security_alert_says_its_details_in_words_not_as_a_python_dict(client, two_teams):
    security_alert_raise(
        kind=SecurityAlertKind.OUTSIDE_CASES,
        user=None,
        details={"what": "case", "source": "ip:192.0.2.9", "caller": "someone@example.com", "case_id": 42},
    )
    login_as(client, "privacy@example.com", Role.PRIVACY_OFFICER)
    page = client.get(reverse("backoffice:security-alerts")).content.decode()
    assert "<dt>Wat werd opgevraagd</dt><dd>case</dd>" in page
    assert "<dt>Dossier-id</dt><dd>42</dd>" in page
    assert "{&#x27;" not in page and "{'" not in page
    assert '<th scope="col">Afgehandeld</th>' in page  # the column matches its button, not the print house's word
