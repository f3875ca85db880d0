import datetime

import pytest
from django.urls import reverse

from incasso.accounts.roles import Role
from incasso.audit.models import AuditAction, AuditEvent
from incasso.backoffice.models import CaseNote
from incasso.backoffice.tests.conftest import ENGLISH, login_as
from incasso.cases.factories import ClaimFactory
from incasso.cases.models import StageEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def collector(client, two_teams):
    return login_as(client, "collector@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])


def test_the_case_page_shows_the_case_file(collector, two_teams):
    case = two_teams["our_case"]
    response = collector.get(reverse("backoffice:case-detail", args=[case.pk]), **ENGLISH)
    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "Parties",
        "What the debtor owes today",
        "Claims",
        "Timeline",
        "Decisions",
        "Letters",
        "Communications",
        "Payments and where they went",
        "Payment arrangement",
        "Notes",
    ):
        assert heading in html
    page = response.context["page"]
    assert page.quote is not None and page.quote.total_outstanding.cents >= 12_500
    assert f'data-total="{page.quote.total_outstanding.cents}"' in html
    assert "€125.00" in html  # the claim's principal, in the English locale
    assert AuditEvent.objects.filter(action=AuditAction.READ, details__case_id=case.pk).exists()


def test_a_collector_moves_a_case_the_stage_machine_allows(collector, two_teams):
    case = two_teams["our_case"]  # a business debtor in the reminder stage
    response = collector.post(
        reverse("backoffice:case-move", args=[case.pk]), {"to": "formal_demand", "reason": "Geen reactie"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == "formal_demand"
    event = StageEvent.objects.get(case=case)
    assert (event.actor, event.reason) == (collector.user, "Geen reactie")


def test_a_move_the_stage_machine_refuses_changes_nothing(collector, two_teams):
    case = two_teams["our_case"]
    response = collector.post(
        reverse("backoffice:case-move", args=[case.pk]), {"to": "enforcement", "reason": "x"}, follow=True, **ENGLISH
    )
    assert "This move is not allowed" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == "reminder" and not StageEvent.objects.exists()


def test_closing_needs_a_reason(collector, two_teams):
    case = two_teams["our_case"]
    collector.post(reverse("backoffice:case-move", args=[case.pk]), {"to": "closed", "reason": "x"})
    case.refresh_from_db()
    assert case.stage == "reminder"
    collector.post(
        reverse("backoffice:case-move", args=[case.pk]), {"to": "closed", "closed_reason": "paid", "reason": "Betaald"}
    )
    case.refresh_from_db()
    assert (case.stage, case.closed_reason) == ("closed", "paid")


def test_notes_are_added_audited_and_shown(collector, two_teams):
    case = two_teams["our_case"]
    url = reverse("backoffice:case-note", args=[case.pk])
    assert collector.post(url, {"text": "   "}).status_code == 302
    assert not CaseNote.objects.exists()
    collector.post(url, {"text": "Debiteur belt morgen terug"})
    note = CaseNote.objects.get()
    assert (note.case, note.author) == (case, collector.user)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, details__note_id=note.pk).exists()
    html = collector.get(reverse("backoffice:case-detail", args=[case.pk])).content.decode()
    assert "Debiteur belt morgen terug" in html


def test_the_auditor_reads_but_cannot_act(client, two_teams):
    login_as(client, "auditor@example.com", Role.AUDITOR)
    case = two_teams["our_case"]
    html = client.get(reverse("backoffice:case-detail", args=[case.pk]), **ENGLISH).content.decode()
    assert "Move the case" not in html and "Add note" not in html
    response = client.post(reverse("backoffice:case-move", args=[case.pk]), {"to": "formal_demand", "reason": "x"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.stage == "reminder"


def test_the_case_page_costs_the_same_queries_however_full_the_file(
    collector, two_teams, django_assert_max_num_queries
):
    from incasso.backoffice.models import CaseNote
    from incasso.cases.models import StageEvent
    from incasso.complaints.models import ComplaintChannel
    from incasso.complaints.services import complaint_submit

    case = two_teams["our_case"]
    url = reverse("backoffice:case-detail", args=[case.pk])
    collector.get(url)
    with django_assert_max_num_queries(80) as before:
        collector.get(url)
    for n in range(5):
        CaseNote.objects.create(case=case, author=collector.user, text=f"notitie {n}")
        StageEvent.objects.create(case=case, from_stage="reminder", to_stage="reminder", actor_name="x", reason="r")
        complaint_submit(case=case, text=f"klacht {n}", channel=ComplaintChannel.POST, source="t")
    with django_assert_max_num_queries(len(before)):
        html = collector.get(url).content.decode()
    assert "notitie 4" in html and "klacht 4" in html


def test_why_a_case_has_no_quote_is_worded_in_the_readers_language(collector, two_teams):
    case = two_teams["our_case"]
    # Due long before the first rate in the interest tables: the domain refuses to compute a quote.
    ClaimFactory(
        case=case,
        invoice_number="OLD-1",
        invoice_date=datetime.date(2001, 1, 1),
        due_date=datetime.date(2001, 1, 31),
    )
    url = reverse("backoffice:case-detail", args=[case.pk])
    dutch = collector.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Geen berekening:" in dutch
    assert "De rente over factuur OLD-1 loopt vanaf 31 januari 2001, vóór het eerste tarief van de" in dutch
    english = collector.get(url, **ENGLISH).content.decode()
    assert "Interest on invoice OLD-1 runs from 31 January 2001, before the first" in english
