"""The audit log in the back office: for the auditor, the privacy officer and the administrator only; newest first,
keyset pages, filters, an entry's page, a CSV export, the chain verified by a job; every read of the log recorded in
the log itself."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import reverse

from incasso.accounts.factories import ClientMembershipFactory, UserFactory
from incasso.accounts.roles import Role
from incasso.audit.models import AuditAction, AuditEvent, AuditVerification, VerificationOutcome
from incasso.audit.selectors import LIST_FIELDS, PAGE_SIZE
from incasso.audit.services import AuditEntry, audit_record_bulk
from incasso.audit.tests.test_audit_log import tamper
from incasso.backoffice.tests.conftest import ENGLISH, login_as
from incasso.domain.audit_chain import SubjectRef
from incasso.domain.data_map import ProcessingPurpose

pytestmark = pytest.mark.django_db

LOG = reverse("backoffice:audit-log")
VERIFY = reverse("backoffice:audit-log-verify")
EXPORT = reverse("backoffice:audit-log-export")


def _entry(url: int) -> str:
    return reverse("backoffice:audit-log-entry", args=[url])


def _record(*entries: AuditEntry) -> list[int]:
    with transaction.atomic():
        return [link.sequence for link in audit_record_bulk(list(entries))]


def _read(actor, subject, *, purpose=ProcessingPurpose.DEBT_COLLECTION, action=AuditAction.READ, source="ip:192.0.2.7"):
    return AuditEntry(actor, action, subject, ["parties.Debtor.surname"], purpose, source, {"why": "test"})


@pytest.fixture
def auditor(client, two_teams):
    return login_as(client, "auditor@example.com", Role.AUDITOR)


@pytest.fixture
def logged(two_teams):
    """A collector reads our debtor, the daily run changes theirs, a log-in fails, the collector reads our case:
    ``seq`` are their sequence numbers (the log-ins of the tests' users are entries too)."""
    collector = UserFactory(username="collector@example.com")
    ours, theirs = two_teams["our_case"], two_teams["their_case"]
    seq = _record(
        _read(collector, ours.debtor),
        _read("daily run", theirs.debtor, action=AuditAction.UPDATE),
        _read("anonymous", None, action=AuditAction.LOGIN_FAILED, purpose=ProcessingPurpose.SECURITY),
        _read(collector, SubjectRef("cases.Case", str(ours.pk))),
    )
    return {"collector": collector, "ours": ours, "theirs": theirs, "seq": seq}


def _shown(response, reader: str = "auditor@example.com") -> list[int]:
    """The entries a page shows, but the reader's own (its log-in, its earlier reads of the log)."""
    assert response.status_code == 200, response.content[:500]
    return [entry.sequence for entry in response.context["page"].entries if entry.actor_label != reader]


def _newest() -> int:
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0


def _mine(user, *, after: int) -> list[AuditEvent]:
    """What ``user`` did after the entry ``after``."""
    return list(AuditEvent.objects.filter(actor_id=user.pk, sequence__gt=after).order_by("sequence"))


# ---- who may look ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.PRIVACY_OFFICER, Role.ADMINISTRATOR])
def test_the_auditor_the_privacy_officer_and_the_administrator_read_the_log(client, logged, role):
    login_as(client, f"{role}@example.com", role)
    response = client.get(LOG, **ENGLISH)
    assert _shown(response, f"{role}@example.com") == logged["seq"][::-1]
    assert LOG.encode() in client.get(reverse("backoffice:home"), **ENGLISH).content  # in the menu
    assert client.get(_entry(logged["seq"][0]), **ENGLISH).status_code == 200


@pytest.mark.parametrize("role", [Role.COLLECTOR, Role.FINANCE, Role.LEGAL_OFFICER])
def test_other_staff_are_refused(client, logged, role):
    login_as(client, f"{role}@example.com", role)
    for url in (LOG, _entry(1), EXPORT):
        assert client.get(url).status_code == 403, url
    assert client.post(VERIFY).status_code == 403
    assert LOG.encode() not in client.get(reverse("backoffice:home"), **ENGLISH).content
    assert not AuditVerification.objects.exists()


def test_a_client_user_a_debtor_and_a_stranger_never_see_it(client, logged, two_teams):
    client_user = UserFactory(username="client@example.com")
    client_user.groups.add(Group.objects.get(name=Role.CLIENT_USER))
    ClientMembershipFactory(user=client_user, client=two_teams["ours"])
    client.force_login(client_user)
    assert client.get(LOG).status_code == 403
    assert client.post(VERIFY).status_code == 403
    anonymous = HttpClient()
    for url in (LOG, _entry(1), EXPORT):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    assert anonymous.post(VERIFY).status_code == 302
    assert not AuditVerification.objects.exists()


# ---- the list ----------------------------------------------------------------------------------------------------


def test_pages_go_back_by_sequence_and_forward_again(auditor, logged):
    _record(*(_read("intake", SubjectRef("cases.Case", str(n))) for n in range(120)))
    newest = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    top, oldest = newest + 1, 1  # every entry, the auditor's log-in too

    def span(high: int, low: int) -> list[int]:
        return list(range(high, low - 1, -1))

    first = auditor.get(LOG, **ENGLISH)
    assert _shown(first, reader="") == span(newest, top - PAGE_SIZE)
    page = first.context["page"]
    assert (page.newer, page.older) == (None, top - PAGE_SIZE)
    second = auditor.get(LOG, {"before": page.older}, **ENGLISH)
    assert _shown(second, reader="") == span(top - PAGE_SIZE - 1, top - 2 * PAGE_SIZE)
    assert second.context["page"].newer == top - PAGE_SIZE - 1
    third = auditor.get(LOG, {"before": second.context["page"].older}, **ENGLISH)
    assert _shown(third, reader="") == span(top - 2 * PAGE_SIZE - 1, oldest)
    assert third.context["page"].older is None
    back = auditor.get(LOG, {"after": top - 2 * PAGE_SIZE - 1}, **ENGLISH)
    assert _shown(back, reader="") == span(top - PAGE_SIZE - 1, top - 2 * PAGE_SIZE)
    assert (back.context["page"].newer, back.context["page"].older) == (top - PAGE_SIZE - 1, top - 2 * PAGE_SIZE)
    assert b'rel="next"' in first.content and f"before={top - PAGE_SIZE}".encode() in first.content


def test_filters_by_subject_found_by_case_number_or_blind_index(auditor, logged):
    ours = logged["ours"]
    ours.debtor.given_names, ours.debtor.surname = "Kaylee", "van der Stael"
    ours.debtor.save()
    first, second, _third, fourth = logged["seq"]
    for query in (ours.number, "Kaylee van der Stael", "kaylee VAN DER stael"):
        assert _shown(auditor.get(LOG, {"subject": query}, **ENGLISH)) == [fourth, first], query
    assert _shown(auditor.get(LOG, {"subject": "van der Stael"}, **ENGLISH)) == []  # encrypted: exact names only
    theirs = f"parties.Debtor:{logged['theirs'].debtor_id}"
    assert _shown(auditor.get(LOG, {"subject": theirs}, **ENGLISH)) == [second]


def test_filters_by_actor_action_and_purpose(auditor, logged):
    first, second, third, fourth = logged["seq"]
    assert _shown(auditor.get(LOG, {"actor": "collector@example.com"}, **ENGLISH)) == [fourth, first]
    assert _shown(auditor.get(LOG, {"actor": "daily run"}, **ENGLISH)) == [second]
    assert _shown(auditor.get(LOG, {"action": "login_failed"}, **ENGLISH)) == [third]
    assert _shown(auditor.get(LOG, {"action": "update"}, **ENGLISH)) == [second]
    assert _shown(auditor.get(LOG, {"purpose": "security"}, **ENGLISH)) == [third]
    both = {"actor": "collector@example.com", "subject": logged["ours"].number, "action": "read"}
    assert _shown(auditor.get(LOG, both, **ENGLISH)) == [fourth, first]


def test_filters_by_date(client, two_teams):
    debtor = two_teams["our_case"].debtor
    seq = []
    for day in ("2026-03-01", "2026-03-02", "2026-03-03"):  # late in the evening, Amsterdam time
        with time_machine.travel(datetime.datetime.fromisoformat(f"{day}T23:30:00+01:00"), tick=False):
            seq += _record(_read("daily run", debtor))
    auditor = login_as(client, "auditor@example.com", Role.AUDITOR)  # today, after March: the log's order
    assert _shown(auditor.get(LOG, {"since": "2026-03-02", "until": "2026-03-02"}, **ENGLISH)) == [seq[1]]
    assert _shown(auditor.get(LOG, {"since": "2026-03-02", "actor": "daily run"}, **ENGLISH)) == [seq[2], seq[1]]
    assert _shown(auditor.get(LOG, {"until": "2026-03-01", "actor": "daily run"}, **ENGLISH)) == [seq[0]]
    refused = auditor.get(LOG, {"since": "2026-03-03", "until": "2026-03-01"}, **ENGLISH)
    assert refused.status_code == 400 and refused.context["page"] is None


def test_hostile_filters_are_refused_not_run(auditor, logged):
    before = AuditEvent.objects.count()
    for query in ({"before": str(2**63)}, {"after": "-1"}, {"subject": "a\x00b"}, {"action": "drop"}):
        response = auditor.get(LOG, query, **ENGLISH)
        assert response.status_code == 400, query
    assert AuditEvent.objects.count() == before  # a refused filter reads nothing, so records nothing


# ---- an entry ------------------------------------------------------------------------------------------------


def test_an_entry_shows_who_whom_what_why_when_where_and_its_hashes(auditor, logged):
    entry = AuditEvent.objects.get(sequence=logged["seq"][0])
    response = auditor.get(_entry(entry.sequence), **ENGLISH)
    text = response.content.decode()
    for shown in ("collector@example.com", f"parties.Debtor:{logged['ours'].debtor_id}", "parties.Debtor.surname"):
        assert shown in text
    assert "debt_collection" in text and "ip:192.0.2.7" in text
    assert entry.hash in text and entry.prev_hash in text
    assert auditor.get(_entry(99_999), **ENGLISH).status_code == 404


# ---- the reads are audited ----------------------------------------------------------------------------------


def test_reading_the_log_is_recorded_in_it(auditor, logged):
    start = _newest()
    auditor.get(LOG, {"subject": logged["ours"].number, "actor": "collector@example.com"}, **ENGLISH)
    recorded = _mine(auditor.user, after=start)
    subjects = {f"{row.subject_type}:{row.subject_id}" for row in recorded}
    assert subjects == {
        f"parties.Debtor:{logged['ours'].debtor_id}",
        f"cases.Case:{logged['ours'].pk}",
        f"auth.User:{logged['collector'].pk}",
    }
    first = recorded[0]
    assert (first.action, first.purpose, first.fields) == ("read", "security", list(LIST_FIELDS))
    assert first.details["shown"] == 2
    assert (first.details["newest"], first.details["oldest"]) == (logged["seq"][3], logged["seq"][0])
    assert logged["ours"].number not in str(first.details) and first.source.startswith("ip:")

    auditor.get(_entry(logged["seq"][1]), **ENGLISH)
    detail = _mine(auditor.user, after=start)[-1]
    assert (detail.subject_type, detail.subject_id) == ("parties.Debtor", str(logged["theirs"].debtor_id))
    assert detail.details == {"view": "audit log entry", "audit_event": logged["seq"][1]}

    auditor.get(LOG, **ENGLISH)
    whole = _mine(auditor.user, after=start)[-1]
    assert whole.subject_type == "" and whole.details["filters"] == {}


def test_the_csv_export_holds_the_filtered_view_and_is_audited(auditor, logged):
    (planted,) = _record(_read("=cmd|' /C calc'!A0", logged["ours"].debtor))  # a label a spreadsheet would run
    start = _newest()
    response = auditor.get(EXPORT, {"subject": logged["ours"].number}, **ENGLISH)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    others = [row for row in rows if row["actor"] != "auditor@example.com"]  # the export's own entries come first
    assert [int(row["sequence"]) for row in others] == [planted, logged["seq"][3], logged["seq"][0]]
    assert others[0]["actor"].startswith("'=") and others[2]["fields"] == "parties.Debtor.surname"
    assert others[2]["hash"] == AuditEvent.objects.get(sequence=logged["seq"][0]).hash
    export = _mine(auditor.user, after=start)[-1]
    assert export.action == AuditAction.EXPORT and export.details["view"] == "audit log export"
    assert auditor.get(EXPORT, {"since": "nope"}).status_code == 400


def test_the_query_count_does_not_grow_with_the_log(auditor, logged, django_assert_max_num_queries):
    with django_assert_max_num_queries(30) as few:
        _shown(auditor.get(LOG, {"subject": logged["ours"].number, "actor": "collector@example.com"}, **ENGLISH))
    _record(*(_read(logged["collector"], logged["ours"].debtor) for _ in range(200)))
    with django_assert_max_num_queries(len(few)):
        assert len(_shown(auditor.get(LOG, {"subject": logged["ours"].number}, **ENGLISH))) == PAGE_SIZE
    with django_assert_max_num_queries(len(few)):
        auditor.get(_entry(3), **ENGLISH)


# ---- verifying the chain ------------------------------------------------------------------------------------


def test_the_button_verifies_the_chain_and_the_page_shows_the_outcome(
    auditor, logged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = auditor.post(VERIFY, **ENGLISH)
    assert response.status_code == 302
    run = AuditVerification.objects.get()
    newest = _newest()  # the recorded start of this verification
    assert run.outcome == VerificationOutcome.WHOLE and run.started_by == auditor.user
    assert run.last_sequence == run.entries == newest and run.finished_at is not None
    page = auditor.get(LOG, **ENGLISH).content.decode()
    assert f"The audit chain is whole: {newest} entries, up to entry {newest}." in page

    planted = logged["seq"][2]
    tamper("UPDATE audit_auditevent SET source = %s WHERE sequence = %s", ["ip:203.0.113.66", planted])
    with django_capture_on_commit_callbacks(execute=True):
        auditor.post(VERIFY, **ENGLISH)
    broken = AuditVerification.objects.order_by("-pk").first()
    assert (broken.outcome, broken.broken_sequence, broken.last_sequence) == ("broken", planted, planted - 1)
    assert broken.broken_reason == "hash mismatch"
    page = auditor.get(LOG, **ENGLISH).content.decode()
    assert f"The audit chain is broken at entry {planted}: its content is not what was hashed." in page
    assert f'href="{_entry(planted)}"' in page


def test_only_a_post_with_its_csrf_token_starts_a_verification(logged, two_teams):
    http = HttpClient(enforce_csrf_checks=True)
    login_as(http, "auditor@example.com", Role.AUDITOR)
    assert http.get(VERIFY).status_code == 405
    assert http.post(VERIFY).status_code == 403
    assert not AuditVerification.objects.exists()
    http.get(LOG)
    assert http.post(VERIFY, {"csrfmiddlewaretoken": http.cookies["csrftoken"].value}).status_code == 302
    assert AuditVerification.objects.count() == 1


def test_with_a_broker_the_verification_is_a_celery_task_enqueued_after_commit(
    auditor, logged, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from incasso.audit import tasks

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    queued: list[int] = []
    monkeypatch.setattr(tasks.audit_verification_task, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        auditor.post(VERIFY, **ENGLISH)
    assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    run = AuditVerification.objects.get()
    assert queued == [run.pk] and run.outcome == VerificationOutcome.RUNNING
    assert "Running." in auditor.get(LOG, **ENGLISH).content.decode()
    assert tasks.audit_verification_task(run.pk) == "whole"  # what a worker runs
    auditor.post(VERIFY, **ENGLISH)
    assert AuditVerification.objects.count() == 2
