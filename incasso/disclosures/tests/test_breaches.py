from __future__ import annotations

import datetime
import json
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from incasso.audit.models import AuditEvent
from incasso.cases.models import StaffTask
from incasso.disclosures.breaches import (
    breach_assess,
    breach_clock,
    breach_close,
    breach_notify_authority,
    breach_notify_controllers,
    breach_notify_subjects,
    breach_record,
)
from incasso.disclosures.errors import BreachStateError
from incasso.disclosures.models import Breach, BreachNotification, BreachRisk, BreachStep
from incasso.domain.data_map import DataCategory
from incasso.parties.agreements import ClientContact
from incasso.parties.factories import ClientFactory

AMS = ZoneInfo("Europe/Amsterdam")
# Awareness just before the change to summer time (29 March 2026): the 72 hours are elapsed hours.
AWARE = datetime.datetime(2026, 3, 27, 10, 0, tzinfo=AMS)


def hours(n: float) -> datetime.datetime:
    """``n`` elapsed hours after awareness (summed in UTC: local wall-clock arithmetic would skip the DST hour)."""
    return (AWARE.astimezone(datetime.UTC) + datetime.timedelta(hours=n)).astimezone(AMS)


@pytest.fixture
def clients(db):
    affected = [ClientFactory(name="Alpha B.V."), ClientFactory(name="Beta B.V.")]
    ClientContact.objects.create(client=affected[0], name="A. Jansen", email="privacy@alpha.example")
    ClientContact.objects.create(client=affected[0], name="B. Smit", email="fg@alpha.example")
    ClientContact.objects.create(client=affected[1], name="C. de Boer", email="")
    bystander = ClientFactory(name="Gamma B.V.")
    ClientContact.objects.create(client=bystander, name="D. Visser", email="privacy@gamma.example")
    return affected, bystander


def _breach(clients_: list) -> Breach:
    return breach_record(
        description="A batch of letters was sent to the wrong print-house mailbox",
        nature="confidentiality",
        detected_at=hours(-2),
        became_aware_at=AWARE,
        categories=[DataCategory.NAME, DataCategory.CONTACT_ADDRESS, DataCategory.DEBT],
        approximate_subjects=350,
        affected_subjects=["parties.Debtor:1", "parties.Debtor:2"],
        affected_clients=clients_,
        measures="mailbox closed, recipient asked to delete",
        actor="privacy officer",
        now=hours(1),
    )


def _status(now: datetime.datetime) -> tuple[int, list[dict]]:
    out = StringIO()
    try:
        call_command("breach", "status", "--now", now.isoformat(), stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(out.getvalue())


def test_a_breach_walks_through_the_72_hour_clock(clients, django_capture_on_commit_callbacks):
    affected, _bystander = clients
    breach = _breach(affected)
    assert breach.reference.startswith("BR-2026-")
    assert StaffTask.objects.get(idempotency_key=f"breach:{breach.pk}:authority").due_on == datetime.date(2026, 3, 30)

    clock = breach_clock(breach, hours(10))
    assert clock.deadline == hours(72)
    assert clock.deadline.utcoffset() == datetime.timedelta(hours=2)  # summer time by then
    assert (clock.warning, clock.overdue) == (False, False)

    breach = breach_assess(breach=breach, risk=BreachRisk.LOW, reasoning="addresses only", actor="dpo", now=hours(20))
    with django_capture_on_commit_callbacks(execute=True):
        notifications = breach_notify_controllers(
            breach=breach, actor="dpo", now=hours(21), contact="dpo@agency.example"
        )
    assert {n.client for n in notifications} == set(affected)
    assert notifications[0].facts["approximate_subjects"] == 350
    assert notifications[0].facts["contact"] == "dpo@agency.example"
    assert [m.to for m in mail.outbox] == [["fg@alpha.example", "privacy@alpha.example"]]
    assert "BR-2026-" in mail.outbox[0].subject
    assert "350" in mail.outbox[0].body
    assert breach_notify_controllers(breach=breach, actor="dpo", now=hours(22)) == []  # each client told once

    clock = breach_clock(breach, hours(50))
    assert (clock.warning, clock.overdue) == (True, False)
    assert clock.remaining == datetime.timedelta(hours=22)
    code, [entry] = _status(hours(50))
    assert (code, entry["warning"], entry["controllers_notified"], entry["controllers_affected"]) == (0, True, 2, 2)

    clock = breach_clock(breach, hours(73))
    assert (clock.warning, clock.overdue) == (False, True)
    code, [entry] = _status(hours(73))
    assert (code, entry["overdue"]) == (1, True)

    with pytest.raises(BreachStateError, match="reasons for the delay"):
        breach_notify_authority(breach=breach, actor="dpo", now=hours(73))
    breach = breach_notify_authority(
        breach=breach, actor="dpo", now=hours(73), reference="AP-123", delay_reasons="weekend, scope unclear"
    )
    assert not breach_clock(breach, hours(80)).overdue
    assert _status(hours(80))[0] == 0

    breach = breach_close(breach=breach, actor="dpo", now=hours(90))
    assert _status(hours(90)) == (0, [])
    kinds = list(BreachStep.objects.filter(breach=breach).values_list("kind", flat=True))
    assert kinds == [
        "recorded",
        "assessment",
        "controller_notification",
        "controller_notification",
        "authority_notification",
        "closed",
    ]
    assert AuditEvent.objects.filter(source="breach register").count() == len(kinds)


def test_a_high_risk_breach_cannot_close_before_the_subjects_are_told(clients):
    affected, _ = clients
    breach = _breach(affected[:1])
    breach = breach_assess(breach=breach, risk="high", reasoning="debts and addresses", actor="dpo", now=hours(2))
    breach = breach_notify_authority(breach=breach, actor="dpo", now=hours(3), reference="AP-1")
    breach_notify_controllers(breach=breach, actor="dpo", now=hours(3))
    with pytest.raises(BreachStateError, match="risk is high and the data subjects were not notified"):
        breach_close(breach=breach, actor="dpo", now=hours(4))
    breach = breach_notify_subjects(breach=breach, actor="dpo", now=hours(5), method="letter", notified_count=350)
    assert breach_close(breach=breach, actor="dpo", now=hours(6)).status == "closed"
    with pytest.raises(BreachStateError, match="closed"):
        breach_notify_subjects(breach=breach, actor="dpo", now=hours(7), method="letter", notified_count=1)


def test_a_breach_without_risk_needs_no_authority_notification(clients):
    breach = _breach([])
    assert breach_clock(breach, hours(73)).overdue  # unassessed: the clock runs
    breach = breach_assess(breach=breach, risk="none", reasoning="encrypted laptop", actor="dpo", now=hours(2))
    assert not breach_clock(breach, hours(100)).overdue
    assert breach_close(breach=breach, actor="dpo", now=hours(3)).status == "closed"


def test_an_unassessed_breach_or_untold_client_keeps_it_open(clients):
    affected, _ = clients
    breach = _breach(affected)
    with pytest.raises(BreachStateError, match=r"not assessed.*not every affected client"):
        breach_close(breach=breach, actor="dpo", now=hours(2))
    assert not BreachNotification.objects.exists()


@pytest.mark.django_db
def test_bad_breach_input_is_refused():
    with pytest.raises(ValueError, match="awareness"):
        breach_record(
            description="x",
            nature="integrity",
            detected_at=hours(1),
            became_aware_at=AWARE,
            categories=[],
            approximate_subjects=0,
            actor="dpo",
            now=hours(2),
        )
    with pytest.raises(ValueError, match="nature"):
        breach_record(
            description="x",
            nature="fun",
            detected_at=AWARE,
            became_aware_at=AWARE,
            categories=[],
            approximate_subjects=0,
            actor="dpo",
            now=hours(2),
        )
    assert not Breach.objects.exists()


@pytest.mark.django_db
def test_the_status_command_refuses_a_bad_moment():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="offset"):
        call_command("breach", "status", "--now", "2026-03-27T10:00:00")
