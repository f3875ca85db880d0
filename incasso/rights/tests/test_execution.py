"""What each right does: rectification through intake's validation, erasure with what is kept, objection, review."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from incasso.accounts.factories import UserFactory
from incasso.cases.factories import CaseFactory
from incasso.cases.models import StaffTask, TaskKind
from incasso.consent.models import Suppression
from incasso.decisions.factories import strategy_inputs
from incasso.decisions.models import Decision, ProfilingObjection
from incasso.decisions.services import decisions_decide_bulk
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.parties.models import Debtor
from incasso.privacy.models import AnonymisedSubject, LegalHold
from incasso.rights.execution import request_execute
from incasso.rights.models import RectificationChange, RequestChannel, RequestKind, RequestStatus, SubjectKind
from incasso.rights.services import Requester, request_verify_staff, requests_receive

pytestmark = pytest.mark.django_db


def _verified(kind, debtor, **extra):
    officer = UserFactory()
    (request,) = requests_receive(
        kind=kind,
        channel=RequestChannel.PHONE,
        requester=Requester(name="Jan", email="jan@example.nl"),
        actor=officer,
        debtors=[debtor],
        **extra,
    )
    request_verify_staff(request=request, actor=officer, note="called back on the number on file")
    return request, officer


def _own_debtor(**extra):
    return DebtorFactory(client=ClientFactory(is_agency=True), email="jan@example.nl", **extra)


def test_rectification_goes_through_intakes_validation_and_keeps_the_history():
    debtor = _own_debtor(postcode="1012 AB", city="Amsterdam")
    request, officer = _verified(
        RequestKind.RECTIFICATION, debtor, corrections={"postcode": "1234 ab", "city": "Utrecht"}
    )
    done = request_execute(request=request, actor=officer)
    debtor = Debtor.objects.get(pk=debtor.pk)
    assert (debtor.postcode, debtor.city) == ("1234 AB", "Utrecht")  # normalised like intake does
    changes = {(c.field, c.old_value, c.new_value) for c in RectificationChange.objects.all()}
    assert changes == {("postcode", "1012 AB", "1234 AB"), ("city", "Amsterdam", "Utrecht")}
    assert done.status == RequestStatus.COMPLETED

    bad, officer = _verified(RequestKind.RECTIFICATION, debtor, corrections={"postcode": "ABCD 12"})
    with pytest.raises(ValidationError, match="postcode"):
        request_execute(request=bad, actor=officer)
    assert Debtor.objects.get(pk=debtor.pk).postcode == "1234 AB"  # nothing changed


def test_erasure_anonymises_and_says_what_is_kept_and_why():
    debtor = _own_debtor(surname="Jansen", iban="NL91ABNA0417164300")
    CaseFactory(debtor=debtor)
    request, officer = _verified(RequestKind.ERASURE, debtor)
    done = request_execute(request=request, actor=officer)
    debtor = Debtor.objects.get(pk=debtor.pk)
    assert "Jansen" not in (debtor.surname, debtor.given_names) and not debtor.iban
    assert AnonymisedSubject.objects.filter(debtor=debtor).exists()
    assert "AWR art. 52" in done.outcome  # bookkeeping is kept under a legal duty
    erased = done.events.get(action="erased")
    assert any("ledger" in k["what"] for k in erased.details["kept"])


def test_erasure_also_blanks_the_rectification_history():
    debtor = _own_debtor(city="Amsterdam")
    rectify, officer = _verified(RequestKind.RECTIFICATION, debtor, corrections={"city": "Utrecht"})
    request_execute(request=rectify, actor=officer)
    erase, officer = _verified(RequestKind.ERASURE, Debtor.objects.get(pk=debtor.pk))
    request_execute(request=erase, actor=officer)
    (change,) = RectificationChange.objects.all()
    assert (change.field, change.old_value, change.new_value) == ("city", "[anonymised]", "[anonymised]")


def test_erasure_under_a_legal_hold_erases_nothing():
    debtor = _own_debtor(surname="Jansen")
    officer = UserFactory()
    LegalHold.objects.create(debtor=debtor, reason="court case pending", placed_by=officer)
    request, officer = _verified(RequestKind.ERASURE, debtor)
    done = request_execute(request=request, actor=officer)
    assert Debtor.objects.get(pk=debtor.pk).surname == "Jansen"
    assert "legal hold" in done.outcome


def test_objection_stops_profiling_and_marketing():
    debtor = _own_debtor()
    request, officer = _verified(RequestKind.OBJECTION_MARKETING, debtor)
    request_execute(request=request, actor=officer)
    assert ProfilingObjection.objects.filter(debtor=debtor, withdrawn_at__isnull=True).exists()
    assert Suppression.objects.count() == 1


def test_human_review_creates_a_staff_task_due_by_the_deadline():
    debtor = _own_debtor()
    case = CaseFactory(debtor=debtor)
    request, officer = _verified(RequestKind.HUMAN_REVIEW, debtor)
    request_execute(request=request, actor=officer)
    task = StaffTask.objects.get(kind=TaskKind.HUMAN_REVIEW)
    assert task.case == case and task.due_on == request.deadline


def test_human_review_contests_the_latest_decision_of_every_case_and_stops_new_ones():
    debtor = _own_debtor()
    first, second = CaseFactory(debtor=debtor), CaseFactory(debtor=debtor)
    day = datetime.date(2026, 11, 2)
    earlier = decisions_decide_bulk(inputs=[strategy_inputs(first)], on=day - datetime.timedelta(days=7))
    decided = decisions_decide_bulk(inputs=[strategy_inputs(first), strategy_inputs(second)], on=day)
    request, officer = _verified(RequestKind.HUMAN_REVIEW, debtor, message="Ik ben het niet eens met de brief.")
    request_execute(request=request, actor=officer)

    for case in (first, second):
        decision = Decision.objects.get(pk=decided[case.pk].pk)
        assert decision.contested_at is not None
        assert decision.contest_reason == "Ik ben het niet eens met de brief."
        assert decision.review_task.case == case
        assert decision.review_task.due_on <= request.deadline
    assert Decision.objects.get(pk=earlier[first.pk].pk).contested_at is None
    # Until a person has reviewed it, the system decides nothing new about these cases.
    later = day + datetime.timedelta(days=1)
    assert decisions_decide_bulk(inputs=[strategy_inputs(first), strategy_inputs(second)], on=later) == {}
    assert StaffTask.objects.filter(kind=TaskKind.HUMAN_REVIEW).count() == 2


def test_the_report_lists_overdue_and_near_due_requests(capsys):
    debtor = _own_debtor()
    old = datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC)
    (overdue,) = requests_receive(
        kind=RequestKind.ACCESS,
        channel=RequestChannel.PHONE,
        requester=Requester(name="A"),
        actor="t",
        debtors=[debtor],
        received_at=old,
    )
    (near,) = requests_receive(
        kind=RequestKind.ACCESS,
        channel=RequestChannel.PHONE,
        requester=Requester(name="B"),
        actor="t",
        debtors=[debtor],
        received_at=datetime.datetime(2026, 2, 1, 9, tzinfo=datetime.UTC),
    )
    requests_receive(
        kind=RequestKind.ACCESS,
        channel=RequestChannel.PHONE,
        requester=Requester(name="C"),
        actor="t",
        debtors=[debtor],
        received_at=datetime.datetime(2026, 2, 20, 9, tzinfo=datetime.UTC),
    )
    call_command("rights", "report", "--date", "2026-02-26")
    report = json.loads(capsys.readouterr().out)
    assert [r["reference"] for r in report["overdue"]] == [overdue.reference]
    assert [r["reference"] for r in report["near_due"]] == [near.reference]


def test_after_erasure_the_persons_export_holds_nothing_readable_of_them():
    from incasso.rights.export import export_document

    debtor = _own_debtor(surname="Zwartkruis", given_names="Aleida", iban="NL91ABNA0417164300", city="Zeist")
    CaseFactory(debtor=debtor)
    request, officer = _verified(RequestKind.ERASURE, debtor)
    request_execute(request=request, actor=officer)
    access, officer = _verified(RequestKind.ACCESS, Debtor.objects.get(pk=debtor.pk))
    text = json.dumps(export_document(request=access))
    for value in ("Zwartkruis", "Aleida", "NL91ABNA0417164300", "Zeist", "jan@example.nl"):
        assert value not in text.replace(access.requester_email, "")


def _consent_text():
    from incasso.consent.services import document_version_create, document_version_publish

    version = document_version_create(
        kind="consent_text",
        purpose="newsletter",
        title_nl="Nieuwsbrief",
        title_en="Newsletter",
        body_nl="Ja, stuur mij de nieuwsbrief.",
        body_en="Yes, send me the newsletter.",
    )
    return document_version_publish(version=version)


def test_a_subscribers_erasure_deletes_them_at_once_and_keeps_them_out_of_marketing():
    from incasso.consent.models import Subscriber

    Subscriber.objects.create(email="anna@example.nl", consent_version=_consent_text())
    officer = UserFactory()
    (request,) = requests_receive(
        kind=RequestKind.ERASURE,
        channel=RequestChannel.EMAIL,
        requester=Requester(email="anna@example.nl"),
        actor="mailbox",
        subscriber_email="anna@example.nl",
    )
    request_verify_staff(request=request, actor=officer, note="replied from the subscribed address")
    done = request_execute(request=request, actor=officer)
    assert not Subscriber.objects.exists() and Suppression.objects.count() == 1
    assert done.status == RequestStatus.COMPLETED and "suppression" in done.outcome


def test_withdrawing_consent_withdraws_every_consent_the_person_gave():
    from incasso.consent.identity import ConsentSubject
    from incasso.consent.selectors import consent_given
    from incasso.consent.services import consent_give

    _consent_text()
    debtor = _own_debtor()
    subject = ConsentSubject("debtor", str(debtor.pk))
    consent_give(subject=subject, purpose="newsletter", where="debtor portal", method="checkbox", language="nl")
    assert consent_given(subject, "newsletter")
    request, officer = _verified(RequestKind.CONSENT_WITHDRAWAL, debtor)
    done = request_execute(request=request, actor=officer)
    assert not consent_given(subject, "newsletter") and done.outcome.startswith("1 ")


def test_withdrawing_consent_deletes_the_special_category_data_held_on_it():
    from django.contrib.auth.models import Group

    from incasso.accounts.roles import Role
    from incasso.sensitive.models import SpecialCategoryRecord
    from incasso.sensitive.services import special_category_record

    debtor = _own_debtor()
    case = CaseFactory(debtor=debtor)
    legal = UserFactory()
    legal.groups.add(Group.objects.get(name=Role.LEGAL_OFFICER))
    given = {"actor": legal, "debtor": debtor, "category": "health", "content": "Ziek sinds maart"}
    special_category_record(**given, basis="explicit_consent", consent_reference="signed form 7")
    kept = special_category_record(**given, basis="legal_claim", case=case)
    request, officer = _verified(RequestKind.CONSENT_WITHDRAWAL, debtor)
    done = request_execute(request=request, actor=officer)
    assert list(SpecialCategoryRecord.objects.values_list("pk", flat=True)) == [kept.pk]
    assert "1 special-category records held on that consent deleted" in done.outcome


def test_a_subscribers_access_export_holds_their_subscription_and_consents():
    from incasso.consent.models import Subscriber
    from incasso.rights.export import export_document

    Subscriber.objects.create(email="anna@example.nl", language="en", consent_version=_consent_text())
    officer = UserFactory()
    (request,) = requests_receive(
        kind=RequestKind.ACCESS,
        channel=RequestChannel.WEB_FORM,
        requester=Requester(email="anna@example.nl"),
        actor="web form",
        subscriber_email="anna@example.nl",
    )
    request_verify_staff(request=request, actor=officer, note="code")
    records = export_document(request=request)["records"]
    subscriber = next(r for r in records if r["model"] == "consent.Subscriber")
    assert subscriber["fields"]["email"] == "anna@example.nl" and subscriber["fields"]["language"] == "en"


def test_a_client_contacts_erasure_empties_the_contact_and_keeps_the_client():
    from incasso.parties.models import ClientContact

    client = ClientFactory()
    contact = ClientContact.objects.create(client=client, name="Piet Jansen", email="piet@klant.nl", phone="0612345678")
    officer = UserFactory()
    (request,) = requests_receive(
        kind=RequestKind.ERASURE,
        channel=RequestChannel.EMAIL,
        requester=Requester(email="piet@klant.nl"),
        actor="mailbox",
        client_contact=contact,
    )
    request_verify_staff(request=request, actor=officer, note="replied from the address on file")
    done = request_execute(request=request, actor=officer)

    contact.refresh_from_db()
    assert (contact.name, contact.email, contact.phone) == ("[erased]", "", "")
    assert contact.client_id == client.pk and done.status == RequestStatus.COMPLETED
    assert Suppression.objects.count() == 1
    assert "Piet" not in json.dumps(list(ClientContact.objects.values()), default=str)
    # Crypto-shredded: the contact's key is destroyed, so a backup's sealed copy is unreadable too; the request's
    # own record (under its own key) still says who asked.
    from incasso.crypto.models import DataKey

    assert contact.personal_data_erased and DataKey.objects.get(pk=contact.data_key_id).is_destroyed
    done.refresh_from_db()
    assert done.requester_email == "piet@klant.nl"


def test_a_request_is_found_by_the_contacts_address_and_keeps_who_asked_sealed():
    from django.db import connection

    from incasso.crypto import primitives
    from incasso.parties.models import ClientContact

    contact = ClientContact.objects.create(client=ClientFactory(), name="Piet Jansen", email="piet@klant.nl")
    (request,) = requests_receive(
        kind=RequestKind.ACCESS,
        channel=RequestChannel.PHONE,
        requester=Requester(name="Piet Jansen", email="Piet@Klant.nl", phone="0612345678"),
        actor="staff",
    )
    assert (request.subject_kind, request.client_contact) == (SubjectKind.CLIENT_CONTACT, contact)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT requester_name, requester_email, requester_phone FROM rights_rightsrequest WHERE id = %s",
            [request.pk],
        )
        raw = cursor.fetchone()
    assert all(value.startswith(primitives.PREFIX) for value in raw) and "Piet" not in "".join(raw)
    assert request.data_key_id not in {None, contact.data_key_id}
