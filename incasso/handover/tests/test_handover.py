"""Hand-overs over real SFTP to the local double: encrypted, logged as disclosures, refused without safeguards."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command

from incasso.audit.models import AuditAction, AuditEvent
from incasso.cases.models import Case, CaseHold
from incasso.cases.services import case_hold_place
from incasso.disclosures.errors import SubjectRestricted, TransferRefused
from incasso.disclosures.models import Disclosure, RefusedDisclosure
from incasso.disclosures.selectors import disclosures_for_subject
from incasso.domain.case_lifecycle import HoldKind
from incasso.domain.case_stages import ClosedReason, Stage
from incasso.handover.crypto import PackageCryptoError, package_decrypt
from incasso.handover.models import Handover, HandoverRole, HandoverStatus
from incasso.handover.services import HANDOVER_DELIVER_KIND, handover_poll, handover_send
from incasso.integrations.models import PendingCall
from incasso.integrations.services import integrations_retry

TODAY = datetime.date(2026, 11, 2)


def _status_file(partner_server, recipient, handover, status="accepted"):
    outbox = partner_server.root / recipient.outbox_dir
    outbox.mkdir(exist_ok=True)
    body = {"package": handover.package_name, "status": status, "reference": "CH-991", "note": "taken on"}
    (outbox / "status-1.json").write_text(json.dumps(body))


def test_a_case_handed_to_a_partner_abroad_is_encrypted_logged_and_closed_as_transferred(
    make_partner, demo_case, partner_server, partner_private_key
):
    partner = make_partner(code="ch-partner", country="CH")  # adequacy decision: allowed without SCC
    handover = handover_send(case=demo_case, recipient=partner, actor="tester", as_of=TODAY)

    assert handover.status == HandoverStatus.SENT
    uploaded = (partner_server.root / "inbox" / handover.package_name).read_bytes()
    assert b"Jansen" not in uploaded  # encrypted
    package = json.loads(package_decrypt(uploaded, private_key=partner_private_key))
    assert package["case"]["number"] == demo_case.number
    assert package["debtor"]["surname"] == "Jansen"
    assert package["claims"][0]["invoice_number"] == "INV-77"
    assert package["quote"]["total_outstanding"]  # from the one quote function

    # The disclosure log, which the access export reads, shows the hand-over for the debtor.
    records = disclosures_for_subject(demo_case.debtor)
    assert len(records) == 1
    disclosure = Disclosure.objects.get(pk=handover.disclosure_id)
    assert disclosure.recipient == partner.recipient and disclosure.case_id == demo_case.pk
    assert disclosure.transfer_basis == "adequacy"

    _status_file(partner_server, partner, handover)
    report = handover_poll(today=TODAY)
    assert (report.read, report.applied, report.errors) == (1, 1, [])
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.ACCEPTED and handover.partner_reference == "CH-991"
    case = Case.objects.get(pk=demo_case.pk)
    assert case.stage == Stage.CLOSED.value and case.closed_reason == ClosedReason.TRANSFERRED.value
    assert (partner_server.root / "outbox" / "processed" / "status-1.json").exists()
    assert handover_poll(today=TODAY).read == 0  # processed files are not read again


def test_a_transfer_to_a_country_without_safeguards_is_refused_and_logged(make_partner, demo_case, partner_server):
    partner = make_partner(code="us-partner", country="US")
    with pytest.raises(TransferRefused):
        handover_send(case=demo_case, recipient=partner, actor="tester", as_of=TODAY)
    assert not Handover.objects.exists()
    assert not Disclosure.objects.exists()
    assert not (partner_server.root / "inbox").exists()  # nothing sent
    refusal = RefusedDisclosure.objects.get()
    assert refusal.recipient == partner.recipient
    assert AuditEvent.objects.filter(action=AuditAction.DISCLOSE, details__outcome="refused").exists()


def test_standard_contractual_clauses_allow_the_transfer(make_partner, demo_case):
    partner = make_partner(code="us-scc", country="US", scc=True)
    handover = handover_send(case=demo_case, recipient=partner, actor="tester", as_of=TODAY)
    assert handover.status == HandoverStatus.SENT
    assert Disclosure.objects.get().transfer_basis == "safeguards"


def test_a_bailiff_hand_over_needs_no_transfer_and_does_not_close_the_case(make_partner, demo_case, partner_server):
    bailiff = make_partner(code="bailiff-ams", country="NL", role=HandoverRole.BAILIFF)
    handover = handover_send(case=demo_case, recipient=bailiff, actor="tester", as_of=TODAY)
    assert Disclosure.objects.get().transfer_basis == "eea"
    _status_file(partner_server, bailiff, handover)
    handover_poll(today=TODAY)
    assert Case.objects.get(pk=demo_case.pk).stage != Stage.CLOSED.value


def test_an_unreachable_partner_keeps_the_hand_over_queued_until_the_retry(make_partner, demo_case, partner_server):
    dead = make_partner(code="nl-down", country="NL", role=HandoverRole.LAWYER, port=1)  # nothing listens on port 1
    handover = handover_send(case=demo_case, recipient=dead, actor="tester", as_of=TODAY, retries=0)
    assert handover.status == HandoverStatus.QUEUED
    assert not Disclosure.objects.exists()  # nothing left the system
    call = PendingCall.objects.get(kind=HANDOVER_DELIVER_KIND)
    assert "nl-down" in call.last_error

    dead.port = partner_server.port
    dead.save(update_fields=["port"])
    report = integrations_retry(now=call.next_attempt_at)
    assert report.succeeded == 1
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.SENT and Disclosure.objects.count() == 1


def test_a_malformed_status_file_changes_nothing(make_partner, demo_case, partner_server):
    partner = make_partner(code="ch-2", country="CH")
    handover = handover_send(case=demo_case, recipient=partner, actor="tester", as_of=TODAY)
    (partner_server.root / "outbox").mkdir()
    (partner_server.root / "outbox" / "bad.json").write_text('{"package": 1}')
    report = handover_poll(today=TODAY)
    assert report.applied == 0 and "bad.json" in report.errors[0]
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.SENT
    assert (partner_server.root / "outbox" / "bad.json").exists()


def test_a_package_opens_only_with_the_recipients_key(make_partner, demo_case, partner_server):
    from cryptography.hazmat.primitives.asymmetric import rsa

    partner = make_partner(code="ch-3", country="CH")
    handover = handover_send(case=demo_case, recipient=partner, actor="tester", as_of=TODAY)
    uploaded = (partner_server.root / "inbox" / handover.package_name).read_bytes()
    other = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    with pytest.raises(PackageCryptoError):
        package_decrypt(uploaded, private_key=other)


def test_the_command_sends_and_polls(make_partner, demo_case, capsys):
    make_partner(code="ch-cmd", country="CH")
    call_command("handover", "send", "--case", demo_case.number, "--recipient", "ch-cmd")
    assert "sent" in capsys.readouterr().out
    call_command("handover", "poll")
    assert "status files read 0" in capsys.readouterr().out


def test_a_restricted_debtors_case_is_not_handed_over_even_when_it_was_queued_before(
    make_partner, demo_case, partner_server
):
    partner = make_partner(code="nl-lawyer", country="NL", role=HandoverRole.LAWYER)
    case_hold_place(case=demo_case, kind=HoldKind.RESTRICTION, reason="art. 18 request")
    with pytest.raises(SubjectRestricted, match=r"art\. 18"):
        handover_send(case=demo_case, recipient=partner, actor="tester", as_of=TODAY)
    assert not Handover.objects.exists() and not (partner_server.root / "inbox").exists()
    assert "restricted" in RefusedDisclosure.objects.get().reason

    CaseHold.objects.update(lifted_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC))
    dead = make_partner(code="nl-down", country="NL", role=HandoverRole.LAWYER, port=1)
    queued = handover_send(case=demo_case, recipient=dead, actor="tester", as_of=TODAY, retries=0)
    case_hold_place(case=demo_case, kind=HoldKind.RESTRICTION, reason="art. 18 request")  # while it waits
    dead.port = partner_server.port
    dead.save(update_fields=["port"])
    call = PendingCall.objects.get(kind=HANDOVER_DELIVER_KIND)
    assert integrations_retry(now=call.next_attempt_at).succeeded == 0
    queued.refresh_from_db()
    assert queued.status == HandoverStatus.QUEUED and not Disclosure.objects.exists()
    assert not (partner_server.root / "inbox").exists() or not any((partner_server.root / "inbox").iterdir())
