from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incasso.accounts.factories import ClientMembershipFactory, UserFactory
from incasso.accounts.roles import Role
from incasso.audit.models import AuditAction, AuditEvent
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.cases.models import (
    Measure,
    MeasureKind,
    MeasureStatus,
    StaffTask,
    StageEvent,
    TaskKind,
    TaskStatus,
)
from incasso.client_portal.models import LegalStepsDecision
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.webhooks.models import WebhookDelivery
from incasso.webhooks.services import webhook_endpoint_create

CSV = (
    "invoice_number,invoice_date,due_date,amount,currency,debtor_reference,debtor_kind,given_names,surname,"
    "organisation_name,postcode,country,email,interest\n"
    "INV-1,2026-01-10,2026-02-09,99.95,EUR,C-10,consumer,Eva,Smit,,2511 CV,NL,eva@smit.example,\n"
    "INV-2,2026-01-11,2026-02-10,not-money,EUR,C-11,consumer,Ali,Yilmaz,,3011 AB,NL,,\n"
)


def client_user(client):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=Role.CLIENT_USER.value))
    ClientMembershipFactory(user=user, client=client)
    return user


@pytest.fixture
def world(db):
    a, b = ClientFactory(code="a", name="A B.V."), ClientFactory(code="b", name="B B.V.")
    case_a = CaseFactory(debtor=DebtorFactory(client=a), number="2026-000101")
    case_b = CaseFactory(debtor=DebtorFactory(client=b), number="2026-000201")
    ClaimFactory(case=case_a, invoice_number="A-1")
    ClaimFactory(case=case_b, invoice_number="B-1")
    return {"a": a, "b": b, "case_a": case_a, "case_b": case_b, "user_a": client_user(a)}


def test_upload_with_a_bad_row_shows_the_row_error(client, world) -> None:
    client.force_login(world["user_a"])
    upload = SimpleUploadedFile("claims.csv", CSV.encode(), content_type="text/csv")
    response = client.post(reverse("client_portal:upload"), {"file": upload}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "row-errors" in page
    batch = response.context["batch"]
    assert (batch.created_count, batch.rejected_count) == (1, 1)
    [error] = batch.rejected
    assert (error["row"], error["field"]) == (3, "amount")
    # Shown in the user's language (Dutch by default), whatever language the upload was made in.
    assert "<td>3</td><td>amount</td><td>'not-money' is geen bedrag (schrijf bijv. 1250,00)</td>" in page.replace(
        "&#x27;", "'"
    )
    english = client.get(response.request["PATH_INFO"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"<td>3</td><td>amount</td><td>{error['error']}</td>" in english.replace("&#x27;", "'")
    # The new case's timeline starts with who uploaded it and through which door.
    opened = StageEvent.objects.get(case__debtor__reference="C-10")
    assert (opened.actor, opened.from_stage, opened.reason) == (world["user_a"], "", "claim intake csv")


def test_client_user_sees_only_their_clients_pages(client, world) -> None:
    client.force_login(world["user_a"])
    assert client.get(reverse("client_portal:case", args=["2026-000101"])).status_code == 200
    assert client.get(reverse("client_portal:case", args=["2026-000201"])).status_code == 404
    listing = client.get(reverse("client_portal:cases")).content.decode()
    assert "2026-000101" in listing and "2026-000201" not in listing
    report = client.get(reverse("client_portal:reports"))
    assert report.status_code == 200
    assert report.context["report"].cases_per_stage == [("reminder", 1)]


def test_staff_and_strangers_get_no_portal(client, world, admin_client) -> None:
    assert admin_client.get(reverse("client_portal:dashboard")).status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse("client_portal:dashboard")).status_code == 404


def test_other_clients_payout_is_404(client, world) -> None:
    from incasso.ledger.models import Payout

    client.force_login(world["user_a"])
    assert not Payout.objects.exists()
    assert client.get(reverse("client_portal:payout-statement", args=[1, "csv"])).status_code == 404
    assert client.get(reverse("client_portal:payouts")).status_code == 200


def test_legal_step_approval_is_recorded_audited_and_sent(client, world) -> None:
    case = world["case_a"]
    Measure.objects.create(
        case=case,
        kind=MeasureKind.SUMMONS if hasattr(MeasureKind, "SUMMONS") else MeasureKind.values[0],
        status=MeasureStatus.AWAITING_APPROVAL,
        planned_for=datetime.date(2026, 11, 1),
        idempotency_key="t1",
    )
    StaffTask.objects.create(case=case, kind=TaskKind.APPROVAL, title="approve", due_on=datetime.date(2026, 11, 1))
    webhook_endpoint_create(client=world["a"], url="https://hooks.example.test/x")
    client.force_login(world["user_a"])
    page = client.get(reverse("client_portal:case", args=[case.number])).content.decode()
    assert "legal-steps" in page
    response = client.post(reverse("client_portal:legal-steps", args=[case.number]), {"decision": "approve"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.legal_steps_approved_at is not None
    decision = LegalStepsDecision.objects.get()
    assert decision.approved and decision.decided_by == world["user_a"]
    assert Measure.objects.get().status == MeasureStatus.PLANNED
    assert StaffTask.objects.get().status == TaskStatus.DONE
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, details__approved=True).exists()
    assert WebhookDelivery.objects.get().event == "case.legal_steps_decided"


def test_legal_steps_on_another_clients_case_are_404(client, world) -> None:
    client.force_login(world["user_a"])
    response = client.post(reverse("client_portal:legal-steps", args=["2026-000201"]), {"decision": "approve"})
    assert response.status_code == 404
    assert not LegalStepsDecision.objects.exists()


def test_api_key_is_shown_once_and_revocable(client, world) -> None:
    client.force_login(world["user_a"])
    response = client.post(reverse("client_portal:api-keys"), {"name": "ERP"})
    key = response.context["new_key"]
    assert key and key in response.content.decode()
    assert key not in client.get(reverse("client_portal:api-keys")).content.decode()
    api_key = world["a"].api_keys.get()
    client.post(reverse("client_portal:api-key-revoke", args=[api_key.pk]))
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None


def test_portal_pages_render(client, world) -> None:
    client.force_login(world["user_a"])
    for name in ("dashboard", "cases", "claim-new", "upload", "payouts", "reports", "webhooks", "agreement"):
        assert client.get(reverse(f"client_portal:{name}")).status_code == 200, name


def _forwarded(controller, reference):
    from incasso.rights.models import RequestChannel, RequestKind, RequestStatus, RightsRequest

    return RightsRequest.objects.create(
        reference=reference,
        intake_key=reference,
        kind=RequestKind.ERASURE,
        channel=RequestChannel.EMAIL,
        status=RequestStatus.FORWARDED,
        controller=controller,
        due_on=datetime.date(2026, 12, 20),
    )


def test_client_records_its_instruction_on_a_forwarded_request(client, world) -> None:
    from incasso.rights.models import RequestStatus

    ours, theirs = _forwarded(world["a"], "DSR-A"), _forwarded(world["b"], "DSR-B")
    client.force_login(world["user_a"])
    page = client.get(reverse("client_portal:rights")).content.decode()
    assert "DSR-A" in page and "DSR-B" not in page
    response = client.post(reverse("client_portal:rights"), {"request": ours.pk, "instruction": "Erase it."})
    assert response.status_code == 302
    ours.refresh_from_db()
    assert (ours.status, ours.instruction) == (RequestStatus.INSTRUCTED, "Erase it.")
    refused = client.post(reverse("client_portal:rights"), {"request": theirs.pk, "instruction": "Erase it."})
    assert refused.status_code == 404
    theirs.refresh_from_db()
    assert theirs.instruction == ""


def test_reports_are_set_based_and_count_the_clients_figures(client, world, django_assert_max_num_queries) -> None:
    from incasso.client_portal.selectors import client_report

    case = world["case_a"]
    ClaimFactory(
        case=case,
        invoice_number="A-2",
        invoice_date=datetime.date(2025, 12, 1),
        due_date=datetime.date(2026, 1, 1),
        principal_cents=5_000,
    )
    CaseFactory(debtor=DebtorFactory(client=world["a"]), number="2026-000102", stage="legal")
    with django_assert_max_num_queries(8):
        report = client_report(user=world["user_a"], client=world["a"], today=datetime.date(2026, 11, 22))
    assert dict(report.cases_per_stage) == {"reminder": 1, "legal": 1}
    assert sum(n for _label, n in report.ageing) == 2  # the two open claims of client A, none of client B
    assert dict(report.ageing)["181-365"] >= 1  # due 2026-01-01: 325 days before the report date


def test_case_list_searches_by_invoice_and_shows_the_whole_principal(client, world) -> None:
    ClaimFactory(case=world["case_a"], invoice_number="A-2", principal_cents=10_000)
    client.force_login(world["user_a"])
    page = client.get(reverse("client_portal:cases"), {"q": "A-2"})
    [case] = list(page.context["page"])
    assert case.number == "2026-000101"
    assert case.principal_cents == sum(world["case_a"].claims.values_list("principal_cents", flat=True))
    assert list(client.get(reverse("client_portal:cases"), {"q": "B-1"}).context["page"]) == []


def test_a_webhook_to_a_private_address_is_refused_in_the_form(client, world) -> None:
    client.force_login(world["user_a"])
    response = client.post(reverse("client_portal:webhooks"), {"url": "https://127.0.0.1/hook"})
    assert response.status_code == 200
    assert response.context["form"].errors["url"]
    assert not response.context["new_secret"]


def test_demo_logins_print_a_client_portal_log_in_that_works(client, world) -> None:
    import io

    from django.core.management import call_command

    from incasso.accounts.services import client_membership_create, user_create
    from incasso.demo.logins import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD

    username = f"client-a@{DEMO_EMAIL_DOMAIN}"
    user = user_create(email=username, password=DEMO_PASSWORD, roles=[Role.CLIENT_USER])
    client_membership_create(user=user, client=world["a"])
    out = io.StringIO()
    call_command("demo-logins", stdout=out)
    assert f"Client portal at /client/: log in at /login/?next=/client/ as {username}" in out.getvalue()
    response = client.post("/login/?next=/client/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/client/"
    assert client.get("/client/").context["portal_client"] == world["a"]


def test_an_unreadable_file_is_refused_with_the_reason_and_nothing_taken_in(client, world) -> None:
    client.force_login(world["user_a"])
    upload = SimpleUploadedFile("claims.csv", b"factuurnummer;bedrag\nF1;10\n", content_type="text/csv")
    response = client.post(reverse("client_portal:upload"), {"file": upload})
    assert response.status_code == 200
    assert "de kopregel mist de verplichte kolom(men)" in response.context["refusal"]
    assert response.context["refusal"] in response.content.decode().replace("&#x27;", "'")
    assert world["a"].claims.count() == 1


@pytest.mark.parametrize(
    ("content", "dutch", "english"),
    [
        (bytes((index * 7919 + 13) % 256 for index in range(4096)), "niet in UTF-8 gecodeerd", "not UTF-8 encoded"),
        ("factuurnummer;bedrag\n".encode("utf-16"), "UTF-16- of UTF-32-tekst", "UTF-16 or UTF-32 text"),
        (
            b'<!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]><Invoice>&x;</Invoice>',
            "de XML heeft een DOCTYPE",
            "the XML has a DOCTYPE",
        ),
    ],
    ids=["garbage", "utf16", "xml-entity"],
)
def test_a_refusal_is_shown_in_the_users_language(client, world, content, dutch, english) -> None:
    client.force_login(world["user_a"])
    for language, expected in (("nl", dutch), ("en", english)):
        upload = SimpleUploadedFile("claims.csv", content, content_type="text/csv")
        response = client.post(reverse("client_portal:upload"), {"file": upload}, headers={"Accept-Language": language})
        assert response.status_code == 200
        assert expected in response.context["refusal"]
    assert world["a"].claims.count() == 1


def test_a_refused_submission_shows_its_reason_in_the_readers_language(client, world) -> None:
    from incasso.intake.models import ImportBatch

    client.force_login(world["user_a"])
    upload = SimpleUploadedFile("claims.csv", b"factuurnummer;bedrag\nF1;10\n", content_type="text/csv")
    client.post(reverse("client_portal:upload"), {"file": upload})
    batch = ImportBatch.objects.get(client=world["a"], status="refused")
    assert batch.error.startswith("the header lacks the required column(s)")
    url = reverse("client_portal:import", args=[batch.pk])
    dutch = client.get(url, headers={"Accept-Language": "nl"})
    assert dutch.context["error"].startswith("de kopregel mist de verplichte kolom(men): invoice_date")
    assert dutch.context["row_errors"] == []
    assert "de kopregel mist" in dutch.content.decode()
    english = client.get(url, headers={"Accept-Language": "en"})
    assert english.context["error"] == batch.error
    # A refusal stored before refusals kept their message id is shown as recorded.
    ImportBatch.objects.filter(pk=batch.pk).update(rejected=[])
    assert client.get(url, headers={"Accept-Language": "nl"}).context["error"] == batch.error


def test_the_upload_page_explains_the_csv_format_with_an_example_the_importer_takes(client, world) -> None:
    """The page used to say "see the intake format" with nothing to see: a client could not learn the columns."""
    client.force_login(world["user_a"])
    page = client.get(reverse("client_portal:upload"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    for column in ("invoice_number", "factuurnummer", "debtor_kind", "soort_debiteur"):
        assert f"<code>{column}</code>" in page
    assert "client_portal/claims-example.csv" in page
    example = finders.find("client_portal/claims-example.csv")
    assert example is not None
    with open(example, "rb") as file:
        upload = SimpleUploadedFile("claims-example.csv", file.read(), content_type="text/csv")
    response = client.post(reverse("client_portal:upload"), {"file": upload}, follow=True)
    batch = response.context["batch"]
    assert (batch.created_count, batch.rejected_count) == (2, 0)


def test_reports_list_the_stages_in_pipeline_order_and_months_in_words(client, world, monkeypatch) -> None:
    """The stages came in the database's order (legal before reminder) and months as "2026-12"."""
    from incasso.client_portal import views

    CaseFactory(debtor=DebtorFactory(client=world["a"]), number="2026-000102", stage="legal")
    real = views.selectors.client_report

    def with_a_month(**kwargs):
        report = real(**kwargs)
        return dataclasses.replace(report, recovered_per_month=[(datetime.date(2026, 12, 1), 25_000)])

    monkeypatch.setattr(views.selectors, "client_report", with_a_month)
    client.force_login(world["user_a"])
    response = client.get(reverse("client_portal:reports"), HTTP_ACCEPT_LANGUAGE="nl")
    labels = [bar.label for bar in response.context["stage_chart"].bars]
    assert labels == ["Aanmaning", "Gerechtelijke procedure"]
    assert response.context["monthly"] == [("dec 2026", 25_000)]
