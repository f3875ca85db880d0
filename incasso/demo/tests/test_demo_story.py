"""The demo tells one story: every task, queue entry and page state has the object behind it, and every queue a
newcomer opens shows something (a review task without a plan, or an approval task the client cannot see, fails)."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from incasso.arrangements.models import Arrangement, ArrangementStatus
from incasso.backoffice import queues
from incasso.cases.models import Case, CaseHold, HoldKindChoices, StaffTask, TaskKind, TaskStatus
from incasso.client_portal.selectors import portal_awaiting_approval
from incasso.communications.models import Letter, PrintBatch
from incasso.complaints.models import Complaint
from incasso.decisions.models import Decision
from incasso.demo.dataset import LEGAL_STAGES
from incasso.ledger.models import Payout
from incasso.parties.models import Client, ClientContact, ProcessorAgreement
from incasso.rights.models import RequestStatus, RightsRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("demo", "--seed", "3", "--debtors", "100", stdout=StringIO())


def open_tasks(kind):
    return StaffTask.objects.filter(kind=kind, status=TaskStatus.OPEN).select_related("case__client")


def test_every_arrangement_review_task_has_a_proposed_arrangement(demo):
    tasks = list(open_tasks(TaskKind.ARRANGEMENT_REVIEW))
    assert tasks
    for task in tasks:
        assert Arrangement.objects.filter(case=task.case, status=ArrangementStatus.PROPOSED).exists(), task.title
    proposed = Arrangement.objects.filter(status=ArrangementStatus.PROPOSED)
    assert {a.case_id for a in proposed} == {task.case_id for task in tasks}


def test_every_approval_task_has_a_legal_step_waiting_in_that_clients_portal(demo):
    tasks = list(open_tasks(TaskKind.APPROVAL))
    assert tasks
    for task in tasks:
        client = task.case.client
        agreement = ProcessorAgreement.objects.get(client=client)
        assert agreement.legal_steps_need_approval and "legal" in agreement.allowed_measures, client.code
        user = User.objects.get(client_memberships__client=client)
        assert task.case in portal_awaiting_approval(user=user, client=client), (client.code, task.case.number)


def test_every_client_has_a_contact_to_write_to(demo):
    for client in Client.objects.all():
        assert ClientContact.objects.filter(client=client).exclude(email="").exists(), client.code


def test_no_case_is_in_court_without_the_clients_leave(demo):
    """A client whose agreement allows no legal steps has no case in court; one who must approve them approved."""
    in_court = Case.objects.filter(stage__in=[stage.value for stage in LEGAL_STAGES]).select_related("client")
    assert in_court.exists()
    for case in in_court:
        agreement = ProcessorAgreement.objects.get(client=case.client)
        assert "legal" in agreement.allowed_measures, (case.client.code, case.number)
        if agreement.legal_steps_need_approval:
            assert case.legal_steps_approved_at is not None, (case.client.code, case.number)


def test_every_dispute_task_has_its_case_on_hold(demo):
    tasks = list(open_tasks(TaskKind.DISPUTE))
    assert tasks
    for task in tasks:
        assert CaseHold.objects.filter(case=task.case, kind=HoldKindChoices.DISPUTE, lifted_at=None).exists()


def test_every_queue_a_newcomer_opens_shows_work(demo):
    administrator = User.objects.get(username="administrator@demo.incasso.test")
    counts = {count.key: count.count for count in queues.queue_counts(user=administrator, today=timezone.localdate())}
    assert all(counts.values()), counts
    assert Complaint.objects.exists()
    assert Payout.objects.exists()
    assert {RequestStatus.RECEIVED, RequestStatus.VERIFIED, RequestStatus.REFUSED} <= set(
        RightsRequest.objects.values_list("status", flat=True)
    )
    # A processor-role request is ready to forward: its controller has a contact to forward it to.
    ready = RightsRequest.objects.filter(status=RequestStatus.VERIFIED).exclude(controller=None)
    assert ready.exists() and all(r.controller.contacts.exclude(email="").exists() for r in ready)
    batch = PrintBatch.objects.get()
    assert batch.letter_count == Letter.objects.filter(batch=batch).count() > 0
    decisions = Decision.objects.all()
    assert decisions and all(d.explanation_nl and d.explanation_en for d in decisions)
    assert decisions.filter(contested_at__isnull=False, reviewed_at=None).exists()
