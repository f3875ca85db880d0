"""A request from intake to outcome: splitting per controller, identity, deadlines, the client's instruction."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from incasso.accounts.factories import UserFactory
from incasso.audit.models import AuditEvent
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.cases.models import CaseHold
from incasso.collection.daily_run import daily_run
from incasso.communications.models import Letter
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.parties.models import ClientContact, DebtorKind
from incasso.rights.execution import request_execute, restriction_lift
from incasso.rights.models import RequestChannel, RequestKind, RequestStatus, RightsRequest, VerificationCode
from incasso.rights.services import (
    Requester,
    request_close,
    request_extend,
    request_forward,
    request_instruction_record,
    request_verification_send,
    request_verify_staff,
    requests_receive,
    requests_verify_code,
)

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 11, 2)


def _code_from_mail() -> str:
    found = re.search(r"\b(\d{6})\b", mail.outbox[-1].body)
    assert found is not None
    return found.group(1)


def _receive(kind=RequestKind.ACCESS, email="jan@example.nl", **extra):
    return requests_receive(
        kind=kind, channel=RequestChannel.WEB_FORM, requester=Requester(name="Jan", email=email), actor="test", **extra
    )


def test_one_person_with_cases_for_two_clients_gets_one_request_per_controller():
    first, second = ClientFactory(), ClientFactory()
    DebtorFactory(client=first, email="jan@example.nl")
    DebtorFactory(client=second, email="JAN@example.nl")
    DebtorFactory(client=second, email="other@example.nl")
    created = _receive()
    assert sorted(r.controller_id for r in created) == sorted([first.pk, second.pk])
    assert len({r.intake_key for r in created}) == 1
    assert all(r.debtors.count() == 1 and r.processor_role for r in created)
    # One month from receipt (domain.deadlines), and every intake audited.
    assert all(r.due_on > r.received_at.date() for r in created)
    assert AuditEvent.objects.filter(subject_type="rights.RightsRequest").count() == 2


def test_a_code_sent_to_the_address_on_file_verifies_every_request_of_the_intake():
    DebtorFactory(client=ClientFactory(), email="jan@example.nl")
    DebtorFactory(client=ClientFactory(), email="jan@example.nl")
    created = _receive()
    assert request_verification_send(request=created[0])
    assert mail.outbox[-1].to == ["jan@example.nl"]
    code = _code_from_mail()
    stored = VerificationCode.objects.get()
    assert code not in stored.code_hash  # only the hash is kept
    assert requests_verify_code(intake_key=created[0].intake_key, code="000000" if code != "000000" else "111111") == []
    assert VerificationCode.objects.get().attempts == 1
    verified = requests_verify_code(intake_key=created[0].intake_key, code=code)
    assert {r.status for r in verified} == {RequestStatus.VERIFIED}
    assert {r.verification_method for r in verified} == {"email_code"}
    with pytest.raises(ValidationError):  # a code works once
        requests_verify_code(intake_key=created[0].intake_key, code=code)


def test_a_code_expires_and_wrong_guesses_run_out():
    DebtorFactory(email="jan@example.nl")
    (request,) = _receive()
    request_verification_send(request=request)
    code = _code_from_mail()
    for _ in range(5):
        requests_verify_code(intake_key=request.intake_key, code="12345" + ("0" if code[-1] != "0" else "1"))
    with pytest.raises(ValidationError):
        requests_verify_code(intake_key=request.intake_key, code=code)
    request_verification_send(request=request)
    code = _code_from_mail()
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(hours=1)
    with time_machine.travel(later), pytest.raises(ValidationError):
        requests_verify_code(intake_key=request.intake_key, code=code)


def test_an_unknown_requester_gets_no_code_and_an_unverified_request_discloses_nothing():
    DebtorFactory(email="jan@example.nl")
    (stranger,) = _receive(email="stranger@example.nl")
    assert not request_verification_send(request=stranger)
    assert mail.outbox == []
    (request,) = _receive(kind=RequestKind.ACCESS)
    officer = UserFactory()
    with pytest.raises(ValidationError, match="not verified"):
        request_execute(request=request, actor=officer)
    with pytest.raises(ValidationError, match="not verified"):
        request_forward(request=request, actor=officer)
    assert mail.outbox == []


def test_extension_only_within_the_first_month_once_and_with_a_notice():
    DebtorFactory(email="jan@example.nl", client=ClientFactory(is_agency=True))
    officer = UserFactory()
    with time_machine.travel(datetime.datetime(2026, 1, 31, 10, tzinfo=datetime.UTC)):
        (request,) = _receive()
    assert request.due_on == datetime.date(2026, 2, 28)
    with pytest.raises(ValidationError, match="reason"):
        request_extend(request=request, reason=" ", actor=officer, today=datetime.date(2026, 2, 10))
    with pytest.raises(ValidationError, match="first month"):
        request_extend(request=request, reason="many cases", actor=officer, today=datetime.date(2026, 3, 1))
    request_extend(request=request, reason="many cases", actor=officer, today=datetime.date(2026, 2, 28))
    request.refresh_from_db()
    assert request.extended_to == datetime.date(2026, 4, 30) and request.extension_notice_at is not None
    assert mail.outbox[-1].to == ["jan@example.nl"] and "2026-04-30" in mail.outbox[-1].body
    with pytest.raises(ValidationError, match="already"):
        request_extend(request=request, reason="again", actor=officer, today=datetime.date(2026, 2, 20))


def test_a_processor_role_request_reaches_the_right_client_and_completes_on_its_instruction():
    ours, other = ClientFactory(name="Energie BV"), ClientFactory(name="Webshop BV")
    ClientContact.objects.create(client=ours, name="Privacy desk", email="privacy@energie.example")
    ClientContact.objects.create(client=other, name="Other desk", email="desk@webshop.example")
    debtor = DebtorFactory(client=ours, email="jan@example.nl")
    CaseFactory(debtor=debtor)
    officer = UserFactory()
    (request,) = _receive(kind=RequestKind.RESTRICTION)
    request_verify_staff(request=request, actor=officer, note="called back on the number on file")
    with pytest.raises(ValidationError, match="instruction"):
        request_execute(request=request, actor=officer)
    mail.outbox.clear()
    assert request_forward(request=request, actor=officer) == ["privacy@energie.example"]
    to_client, to_requester = mail.outbox
    assert to_client.to == ["privacy@energie.example"] and request.reference in to_client.body
    assert request.deadline.isoformat() in to_client.body and "called back" not in to_requester.body
    assert to_requester.to == ["jan@example.nl"] and "Energie BV" in to_requester.body
    request_instruction_record(request=request, instruction="Restrict, per our e-mail of today", actor=officer)
    done = request_execute(request=request, actor=officer)
    assert done.status == RequestStatus.COMPLETED and "restricted" in done.outcome.lower()
    assert CaseHold.objects.filter(case__debtor=debtor, kind="restriction", lifted_at__isnull=True).count() == 1
    steps = list(done.events.values_list("action", flat=True))
    assert steps[:4] == ["received", "verified", "forwarded", "instruction_recorded"] and "completed" in steps


def test_a_restricted_person_gets_no_letter_from_the_daily_run_until_it_is_lifted():
    agency = ClientFactory(is_agency=True)
    debtor = DebtorFactory(client=agency, kind=DebtorKind.CONSUMER, email="jan@example.nl")
    case = CaseFactory(debtor=debtor, opened_on=datetime.date(2026, 10, 1))
    ClaimFactory(case=case, due_date=datetime.date(2026, 9, 1), invoice_date=datetime.date(2026, 8, 1))
    control = CaseFactory(debtor=DebtorFactory(client=agency, kind=DebtorKind.CONSUMER), opened_on=case.opened_on)
    ClaimFactory(case=control, due_date=datetime.date(2026, 9, 1), invoice_date=datetime.date(2026, 8, 1))
    officer = UserFactory()
    (request,) = _receive(kind=RequestKind.RESTRICTION)
    request_verify_staff(request=request, actor=officer, note="passport seen at the desk")
    request_execute(request=request, actor=officer)  # the agency's own claim: carried out directly
    summary = daily_run(on=ON)
    assert summary.restricted == 1
    assert not Letter.objects.filter(case=case).exists()
    assert Letter.objects.filter(case=control).exists()  # the run did send letters, just not to this person
    assert restriction_lift(request=request, actor=officer, reason="the dispute is settled") == 1
    hold = CaseHold.objects.get(case=case)
    assert hold.lifted_at is not None and hold.lift_reason == "the dispute is settled"
    assert RightsRequest.objects.get(pk=request.pk).events.filter(action="restriction_lifted").exists()


def test_a_closed_request_cannot_be_closed_again_and_refusal_needs_reasons():
    DebtorFactory(email="jan@example.nl")
    (request,) = _receive()
    with pytest.raises(ValidationError):
        request_close(request=request, outcome=" ", actor="test", refused=True)
    request_close(request=request, outcome="manifestly unfounded: a repeat of last week's", actor="test", refused=True)
    assert request.status == RequestStatus.REFUSED
    with pytest.raises(ValidationError, match="closed"):
        request_close(request=request, outcome="again", actor="test")


def test_the_restricted_selector_names_only_debtors_with_an_active_restriction():
    from incasso.cases.services import case_hold_place
    from incasso.domain.case_lifecycle import HoldKind
    from incasso.rights.selectors import debtors_restricted

    held, free = CaseFactory(), CaseFactory()
    case_hold_place(case=held, kind=HoldKind.RESTRICTION, reason="art. 18")
    case_hold_place(case=free, kind=HoldKind.DISPUTE, reason="disputed")
    assert debtors_restricted(debtor_ids=[held.debtor_id, free.debtor_id], on=ON) == {held.debtor_id}


def test_every_answer_to_the_requester_says_where_to_complain_and_the_client_is_not_told_so():
    client = ClientFactory(name="Energie BV")
    ClientContact.objects.create(client=client, name="Privacy desk", email="privacy@energie.example")
    CaseFactory(debtor=DebtorFactory(client=client, email="jan@example.nl"))
    officer = UserFactory()
    (request,) = _receive(kind=RequestKind.RESTRICTION)
    request_verification_send(request=request)
    requests_verify_code(intake_key=request.intake_key, code=_code_from_mail())
    request.refresh_from_db()
    mail.outbox.clear()
    request_extend(request=request, reason="many cases", actor=officer)
    request_forward(request=request, actor=officer)
    request_instruction_record(request=request, instruction="Restrict", actor=officer)
    request_execute(request=request, actor=officer)

    answers = [m for m in mail.outbox if m.to == ["jan@example.nl"]]
    assert len(answers) == 3  # the extension notice, the forwarding notice, the outcome
    for answer in answers:
        assert "Autoriteit Persoonsgegevens, Postbus 93374, 2509 AJ Den Haag" in answer.body
        assert "dien een klacht in bij de toezichthouder" in answer.body  # Dutch
        assert "complain to the supervisory authority" in answer.body  # and English
    (to_client,) = [m for m in mail.outbox if m.to == ["privacy@energie.example"]]
    assert "Autoriteit Persoonsgegevens" not in to_client.body
