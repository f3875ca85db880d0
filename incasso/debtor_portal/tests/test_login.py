"""Log-in: case number + letter code + postcode or date of birth; limited, locked, audited, one message."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incasso.audit.models import AuditAction, AuditEvent
from incasso.debtor_portal import login as login_rules
from incasso.debtor_portal.models import LoginAttempt, LoginLock, LoginOutcome
from incasso.debtor_portal.session import SESSION_KEY
from incasso.debtor_portal.tests.conftest import BORN, CODE, POSTCODE, issue_code, owing_case, portal_login_post

FAILURE_NL = "We konden u met deze gegevens niet inloggen"


def _logged_in(http) -> bool:
    return SESSION_KEY in http.session


def test_the_right_details_log_the_debtor_in_and_open_their_case(client, portal_case):
    response = portal_login_post(client, portal_case.number)
    assert response.status_code == 302
    assert response["Location"] == reverse("debtor_portal:case", args=[portal_case.pk])
    assert client.session[SESSION_KEY] == {"debtor_id": portal_case.debtor_id, "case_id": portal_case.pk}
    event = AuditEvent.objects.filter(action=AuditAction.LOGIN).get()
    assert event.subject_id == str(portal_case.debtor_id)
    assert LoginAttempt.objects.get().outcome == LoginOutcome.SUCCEEDED


@pytest.mark.parametrize(
    ("code", "second_factor"),
    [
        ("abcd-2345", "1012ab"),  # as people type: lower case, dash, no space
        (CODE, BORN.strftime("%d-%m-%Y")),
        (CODE, "17/5/1980"),
        (CODE, BORN.isoformat()),
    ],
)
def test_the_code_and_second_factor_are_accepted_as_people_type_them(client, portal_case, code, second_factor):
    response = portal_login_post(client, f" {portal_case.number} ", code=code, second_factor=second_factor)
    assert response.status_code == 302
    assert _logged_in(client)


def test_every_failure_gives_the_same_answer_and_logs_nobody_in(client, portal_case, energy):
    other = owing_case(energy, number="2026-000778")
    issue_code(other, "WXYZ6789")
    # A surname no page could show by chance (a random one can be a word of the page, as "Engels").
    portal_case.debtor.surname = "Zwartkop-Verborgen"
    portal_case.debtor.save()
    attempts = [
        (portal_case.number, "ABCD2346", POSTCODE),  # wrong code
        (portal_case.number, CODE, "9999 ZZ"),  # wrong postcode
        (portal_case.number, CODE, "01-01-1990"),  # wrong date of birth
        (portal_case.number, "WXYZ6789", POSTCODE),  # another case's code
        ("2026-999999", CODE, POSTCODE),  # no such case
        (portal_case.number, CODE, ""),  # no second factor
    ]
    messages = set()
    for number, code, second in attempts:
        response = portal_login_post(client, number, code=code, second_factor=second)
        assert response.status_code == 400
        assert not _logged_in(client)
        text = response.content.decode()
        assert FAILURE_NL in text
        messages.add(tuple(response.context["form"].errors.get("__all__", [])))
        # Nothing of the case leaks into the answer.
        assert portal_case.debtor.surname not in text
    assert len(messages) == 1  # one answer for every failure, whatever the reason
    # Every attempt that reached the check is audited; the empty form never did (it asks nothing of the database).
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == len(attempts) - 1


def test_repeated_failures_lock_the_case_even_for_the_right_details(client, portal_case):
    for _ in range(login_rules.LOCK_AFTER_FAILURES):
        assert portal_login_post(client, portal_case.number, code="ABCD2346").status_code == 400
    lock = LoginLock.objects.get(case_number=portal_case.number)
    assert lock.failures == login_rules.LOCK_AFTER_FAILURES
    assert AuditEvent.objects.filter(details__failures=login_rules.LOCK_AFTER_FAILURES).exists()

    response = portal_login_post(client, portal_case.number, ip="10.9.9.9")
    assert response.status_code == 400
    assert FAILURE_NL in response.content.decode()
    assert not _logged_in(client)
    assert LoginAttempt.objects.filter(outcome=LoginOutcome.LOCKED).count() == 1


def test_an_unknown_case_number_is_locked_like_a_known_one(client, db):
    for _ in range(login_rules.LOCK_AFTER_FAILURES):
        portal_login_post(client, "2026-424242")
    assert LoginLock.objects.filter(case_number="2026-424242").exists()


def test_a_success_resets_the_count_towards_the_lock(client, portal_case):
    for _ in range(login_rules.LOCK_AFTER_FAILURES - 1):
        portal_login_post(client, portal_case.number, code="ABCD2346")
    assert portal_login_post(client, portal_case.number).status_code == 302
    portal_login_post(client, portal_case.number, code="ABCD2346")
    assert not LoginLock.objects.exists()


def test_too_many_failures_from_one_address_refuse_that_address(client, portal_case, monkeypatch):
    monkeypatch.setattr(login_rules, "IP_MAX_FAILURES", 3)
    for number in ("2026-000001", "2026-000002", "2026-000003"):  # spread over cases: no case lock
        portal_login_post(client, number, ip="10.1.1.1")
    assert not LoginLock.objects.exists()
    assert portal_login_post(client, portal_case.number, ip="10.1.1.1").status_code == 400
    assert LoginAttempt.objects.filter(outcome=LoginOutcome.RATE_LIMITED).count() == 1
    assert portal_login_post(client, portal_case.number, ip="10.2.2.2").status_code == 302


def test_too_many_attempts_on_one_case_are_refused(client, portal_case, monkeypatch):
    monkeypatch.setattr(login_rules, "CASE_MAX_ATTEMPTS", 2)
    assert portal_login_post(client, portal_case.number, ip="10.0.0.1").status_code == 302
    assert portal_login_post(client, portal_case.number, ip="10.0.0.2").status_code == 302
    assert portal_login_post(client, portal_case.number, ip="10.0.0.3").status_code == 400


def test_a_revoked_code_opens_nothing(client, portal_case):
    portal_case.portal_codes.update(revoked_at=portal_case.created_at)
    assert portal_login_post(client, portal_case.number).status_code == 400


def test_logging_out_ends_the_portal_session(debtor_client, portal_case):
    response = debtor_client.post(reverse("debtor_portal:logout"))
    assert response.status_code == 302
    assert not _logged_in(debtor_client)
    assert debtor_client.get(reverse("debtor_portal:case", args=[portal_case.pk])).status_code == 302
