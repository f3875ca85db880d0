"""Isolation (issue 7 item 6): a debtor sees only their own cases; no other log-in opens the portal's pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incasso.accounts.roles import Role
from incasso.accounts.services import client_membership_create, user_create
from incasso.accounts.testing import staff_login
from incasso.audit.models import AuditAction, AuditEvent
from incasso.debtor_portal.tests.conftest import issue_code, owing_case

CASE_PAGES = ("case", "plan", "dispute", "question", "complaint")


@pytest.fixture
def other_case(energy):
    """Another debtor of the same client, with a letter of its own."""
    case = owing_case(energy, number="2026-000999", surname="Anderman")
    letter = issue_code(case, "WXYZ6789")
    case.letter = letter
    return case


@pytest.mark.parametrize("name", CASE_PAGES)
def test_another_debtors_case_is_not_found_and_shows_nothing(debtor_client, other_case, name):
    response = debtor_client.get(reverse(f"debtor_portal:{name}", args=[other_case.pk]))
    assert response.status_code == 404
    assert other_case.number.encode() not in response.content
    assert b"Anderman" not in response.content


def test_another_debtors_case_cannot_be_written_to(debtor_client, other_case):
    for name in ("pay", "plan", "dispute", "question", "complaint"):
        url = reverse(f"debtor_portal:{name}", args=[other_case.pk])
        assert debtor_client.post(url, {"months": 3, "reason": "x", "message": "x"}).status_code == 404
    assert not other_case.tasks.exists() and not other_case.holds.exists()


def test_another_debtors_letter_is_not_found(debtor_client, portal_case, other_case):
    url = reverse("debtor_portal:letter", args=[other_case.pk, other_case.letter.pk])
    assert debtor_client.get(url).status_code == 404
    # Nor through the debtor's own case: the letter must belong to the case in the address.
    url = reverse("debtor_portal:letter", args=[portal_case.pk, other_case.letter.pk])
    assert debtor_client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_overview_lists_only_the_debtors_own_cases(debtor_client, portal_case, other_case):
    response = debtor_client.get(reverse("debtor_portal:cases"))
    assert [summary.number for summary in response.context["cases"]] == [portal_case.number]
    assert other_case.number.encode() not in response.content


def _all_pages(case) -> list[str]:
    pages = [reverse(f"debtor_portal:{name}", args=[case.pk]) for name in CASE_PAGES]
    return [*pages, reverse("debtor_portal:cases"), reverse("debtor_portal:contact"), reverse("debtor_portal:privacy")]


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.COLLECTOR, Role.CLIENT_USER])
def test_a_staff_or_client_log_in_does_not_open_the_portal(client, portal_case, energy, role):
    user = user_create(email=f"{role.value}@example.com", password="correct-Horse-battery-9", roles=[role])
    if role is Role.CLIENT_USER:
        client_membership_create(user=user, client=energy)
        client.force_login(user)
    else:
        staff_login(client, user)
    for url in _all_pages(portal_case):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("debtor_portal:login")
        assert portal_case.debtor.surname.encode() not in response.content


def test_anonymous_visitors_are_sent_to_the_log_in(client, portal_case):
    for url in _all_pages(portal_case):
        assert client.get(url)["Location"] == reverse("debtor_portal:login")


def test_the_debtors_own_letter_downloads_as_a_pdf_and_the_copy_is_audited(debtor_client, portal_case):
    letter = portal_case.letters.get()
    response = debtor_client.get(reverse("debtor_portal:letter", args=[portal_case.pk, letter.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, subject_id=str(portal_case.debtor_id)).exists()
