"""The case search finds a case by the debtor's exact name, e-mail, postcode or IBAN as well as by its number, and
only among the cases the user may see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incasso.accounts.roles import Role
from incasso.backoffice.tests.conftest import ENGLISH, login_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def collector(client, two_teams):
    return login_as(client, "collector@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])


def _found(http, query: str) -> list[str]:
    response = http.get(reverse("backoffice:case-list"), {"q": query}, **ENGLISH)
    return [case.number for case in response.context["cases"]]


def test_a_case_is_found_by_its_debtors_name_email_postcode_or_iban(collector, two_teams):
    debtor = two_teams["our_case"].debtor
    debtor.given_names, debtor.surname = "Kaylee", "van der Stael"
    debtor.email, debtor.postcode, debtor.iban = "k.stael@example.org", "7612 GB", "NL91ABNA0417164300"
    debtor.save()
    for query in (
        "Kaylee van der Stael",
        "kaylee VAN DER stael",
        "van der Stael, Kaylee",
        "K.Stael@example.org",
        "7612gb",
        "NL91 ABNA 0417 1643 00",
        "000101",
    ):
        assert _found(collector, query) == ["2026-000101"], query
    assert _found(collector, "van der Stael") == []  # a part of a name is not enough: it is encrypted


def test_another_teams_debtor_is_not_found_by_name(collector, two_teams):
    debtor = two_teams["their_case"].debtor
    assert _found(collector, f"{debtor.given_names} {debtor.surname}") == []
    page = collector.get(reverse("backoffice:case-list"), {"q": "Nobody Known"}, **ENGLISH).content.decode()
    assert "No case matches “Nobody Known”." in page
