import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from incasso.accounts.roles import Role
from incasso.audit.models import AuditEvent
from incasso.backoffice.tests.conftest import ENGLISH, login_as
from incasso.complaints.models import Complaint, ComplaintChannel, ComplaintStatus
from incasso.complaints.services import complaint_submit

pytestmark = pytest.mark.django_db


def test_a_debtor_complaint_is_due_fourteen_days_later_and_audited(two_teams, settings):
    case = two_teams["our_case"]
    complaint = complaint_submit(
        case=case, text="  Onterechte kosten  ", channel=ComplaintChannel.DEBTOR_PORTAL, source="ip:192.0.2.1"
    )
    assert complaint.text == "Onterechte kosten"
    assert complaint.due_on == timezone.localdate() + datetime.timedelta(days=settings.INCASSO_COMPLAINT_ANSWER_DAYS)
    assert AuditEvent.objects.filter(details__complaint_id=complaint.pk, actor_label="debtor").exists()


def test_an_empty_complaint_is_refused(two_teams):
    with pytest.raises(ValidationError):
        complaint_submit(case=two_teams["our_case"], text=" ", channel=ComplaintChannel.POST, source="t")
    assert not Complaint.objects.exists()


def test_staff_answer_and_close_a_complaint(client, two_teams):
    complaint = complaint_submit(
        case=two_teams["our_case"], text="Te hoge rente", channel=ComplaintChannel.EMAIL, source="t"
    )
    login_as(client, "collector@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])
    queue = client.get(reverse("backoffice:complaints"), **ENGLISH).content.decode()
    assert f'data-complaint="{complaint.pk}"' in queue
    url = reverse("backoffice:complaint-detail", args=[complaint.pk])
    assert client.post(url, {"answer": "", "close": "on"}).status_code == 400
    response = client.post(url, {"answer": "De rente is de wettelijke rente.", "close": "on"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED and complaint.answered_by == client.user
    assert f'data-complaint="{complaint.pk}"' not in client.get(reverse("backoffice:complaints")).content.decode()
    assert client.post(url, {"answer": "Nog iets", "close": "on"}).status_code == 400


def test_the_auditor_cannot_answer(client, two_teams):
    complaint = complaint_submit(case=two_teams["our_case"], text="Klacht", channel=ComplaintChannel.POST, source="t")
    login_as(client, "auditor@example.com", Role.AUDITOR)
    url = reverse("backoffice:complaint-detail", args=[complaint.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"answer": "x", "close": "on"}).status_code == 404
