"""Issue 7 item 6: every back-office page that shows case data answers another team's collector with 404 (or a
list without the case) and shows none of its data."""

import pytest
from django.urls import reverse
from django.utils import timezone

from incasso.accounts.roles import Role
from incasso.backoffice.models import CaseNote
from incasso.backoffice.tests.conftest import login_as
from incasso.cases.models import StaffTask, TaskKind, TaskStatus
from incasso.communications.models import Letter
from incasso.complaints.models import ComplaintChannel
from incasso.complaints.services import complaint_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def their_things(two_teams):
    case = two_teams["their_case"]
    today = timezone.localdate()
    case.next_measure_on = today
    case.save(update_fields=["next_measure_on"])
    task = StaffTask.objects.create(case=case, kind=TaskKind.DISPUTE, title="Geheime betwisting", due_on=today)
    complaint = complaint_submit(
        case=case, text="Geheime klacht", channel=ComplaintChannel.DEBTOR_PORTAL, source="test"
    )
    letter = Letter.objects.create(
        case=case, kind="reminder_letter", language="nl", planned_for=today, rf_reference="RF18X", idempotency_key="x-1"
    )
    return {"case": case, "task": task, "complaint": complaint, "letter": letter}


@pytest.fixture
def outsider(client, two_teams):
    return login_as(client, "ours@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])


def no_data(response, things):
    html = response.content.decode()
    assert things["case"].number not in html
    assert "Geheime" not in html
    assert things["case"].debtor.surname not in html


@pytest.mark.parametrize(
    "name",
    ["backoffice:case-detail"],
)
def test_another_teams_case_page_is_404(outsider, their_things, name):
    response = outsider.get(reverse(name, args=[their_things["case"].pk]))
    assert response.status_code == 404
    no_data(response, their_things)


def test_another_teams_letter_pdf_is_404(outsider, their_things):
    url = reverse("backoffice:letter-pdf", args=[their_things["case"].pk, their_things["letter"].pk])
    assert outsider.get(url).status_code == 404


def test_another_teams_case_actions_are_404_and_change_nothing(outsider, their_things):
    case = their_things["case"]
    move = outsider.post(reverse("backoffice:case-move", args=[case.pk]), {"to": "formal_demand", "reason": "x"})
    note = outsider.post(reverse("backoffice:case-note", args=[case.pk]), {"text": "sneaky"})
    work = outsider.post(
        reverse("backoffice:task-work", args=[their_things["task"].pk]), {"outcome": "done", "done": "1"}
    )
    assert move.status_code == note.status_code == work.status_code == 404
    case.refresh_from_db()
    their_things["task"].refresh_from_db()
    assert case.stage == "reminder" and not CaseNote.objects.exists()
    assert their_things["task"].status == TaskStatus.OPEN


def test_another_teams_complaint_is_404(outsider, their_things):
    url = reverse("backoffice:complaint-detail", args=[their_things["complaint"].pk])
    response = outsider.get(url)
    assert response.status_code == 404
    assert outsider.post(url, {"answer": "x", "close": "on"}).status_code == 404
    their_things["complaint"].refresh_from_db()
    assert their_things["complaint"].answer == ""


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("backoffice:home", []),
        ("backoffice:case-list", []),
        ("backoffice:complaints", []),
        ("backoffice:queue", ["due-today"]),
        ("backoffice:queue", ["disputes"]),
        ("backoffice:queue", ["tasks"]),
        ("backoffice:queue", ["promises"]),
        ("backoffice:queue", ["reviews"]),
    ],
)
def test_lists_leave_out_another_teams_cases(outsider, their_things, name, args):
    response = outsider.get(reverse(name, args=args))
    assert response.status_code == 200
    no_data(response, their_things)


def test_a_case_search_does_not_find_another_teams_case(outsider, their_things):
    response = outsider.get(reverse("backoffice:case-list"), {"q": their_things["case"].number})
    assert response.status_code == 200 and not response.context["cases"]


def test_the_same_pages_show_the_case_to_its_own_team(client, two_teams, their_things):
    login_as(client, "theirs@example.com", Role.COLLECTOR, clients=[two_teams["theirs"]])
    case = their_things["case"]
    assert case.number in client.get(reverse("backoffice:case-list")).content.decode()
    assert client.get(reverse("backoffice:case-detail", args=[case.pk])).status_code == 200
    assert "Geheime klacht" in client.get(reverse("backoffice:complaints")).content.decode()
    assert "Geheime betwisting" in client.get(reverse("backoffice:queue", args=["disputes"])).content.decode()


def test_staff_pages_are_closed_to_client_users_and_anonymous_visitors(client, two_teams, their_things):
    case = their_things["case"]
    assert client.get(reverse("backoffice:case-detail", args=[case.pk])).status_code == 302
    login_as(client, "klant@example.com", Role.CLIENT_USER)
    for url in (
        reverse("backoffice:home"),
        reverse("backoffice:case-detail", args=[case.pk]),
        reverse("backoffice:complaints"),
    ):
        assert client.get(url).status_code == 403
