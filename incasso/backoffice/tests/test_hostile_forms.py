"""Regression tests of the back office's refusals found by the hostile-input test (incasso/web/tests)."""

from django.contrib.auth.models import User
from django.urls import reverse

from incasso.accounts.roles import Role
from incasso.backoffice.tests.conftest import ENGLISH, login_as


def test_a_team_id_out_of_range_is_a_form_error(client, db):
    login_as(client, "admin@example.com", Role.ADMINISTRATOR)
    users = User.objects.count()
    new = client.post(
        reverse("backoffice:user-new"),
        {"email": "n@example.com", "password": "a long enough password 1!", "teams": [str(2**63)]},
        **ENGLISH,
    )
    assert new.status_code == 400 and b"is not a valid value" in new.content
    assert User.objects.count() == users
    edit = client.post(reverse("backoffice:user-edit", args=[client.user.pk]), {"teams": ["-" + "9" * 30]})
    assert edit.status_code == 400


def test_a_case_search_with_a_nul_character_lists_nothing_and_says_why(collector_client, two_teams):
    response = collector_client.get(reverse("backoffice:case-list"), {"q": "2026\x00"}, **ENGLISH)
    assert response.status_code == 200
    assert two_teams["our_case"].number.encode() not in response.content
    assert b"no control characters" in response.content
    found = collector_client.get(reverse("backoffice:case-list"), {"q": "000101"})
    assert two_teams["our_case"].number.encode() in found.content
