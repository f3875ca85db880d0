"""What intake records for the case lifecycle: the "opened" stage event of every new case (who, through which
door), and the claim's limitation kind from its type and the debtor (LEGAL.md section 5)."""

import datetime
import json

import pytest

from incasso.accounts.factories import UserFactory
from incasso.cases.models import Case, Claim, InterestKind, LimitationPeriod, StageEvent
from incasso.cases.services import case_create
from incasso.intake.models import ImportSource
from incasso.intake.rows import SPREADSHEET, ClaimRow
from incasso.intake.services import api_key_create, claims_import
from incasso.intake.tests.test_import import csv_rows

pytestmark = pytest.mark.django_db

CSV = (
    "factuurnummer;factuurdatum;vervaldatum;bedrag;debiteurnummer;soort_debiteur;achternaam;bedrijfsnaam;"
    "soort_vordering\n"
    "F1;01-02-2026;15-02-2026;10,00;D1;particulier;Jansen;;koop\n"
    "F2;01-02-2026;15-02-2026;20,00;D1;particulier;Jansen;;\n"
    "F3;01-02-2026;15-02-2026;30,00;D2;bedrijf;;Acme B.V.;koop\n"
    "F4;01-02-2026;15-02-2026;40,00;D3;particulier;De Vries;;energie\n"
    "F5;01-02-2026;15-02-2026;50,00;D4;zzp;Bakker;;koop\n"
)


def _kinds():
    return dict(Claim.objects.values_list("invoice_number", "limitation_kind"))


def test_each_case_an_import_opens_gets_one_opened_event_naming_who_and_why(creditor):
    summary = claims_import(client=creditor, rows=csv_rows(CSV), source=ImportSource.CSV, dialect=SPREADSHEET)
    assert summary.created == 5
    events = list(StageEvent.objects.order_by("case__number"))
    assert [event.case.debtor.reference for event in events] == ["D1", "D2", "D3", "D4"]  # one per case
    for event in events:
        assert (event.from_stage, event.to_stage, event.closed_reason) == ("", "reminder", None)
        assert (event.actor, event.actor_name, event.reason) == (None, "system", "claim intake csv")


def test_a_claim_joining_an_open_case_and_a_re_import_open_nothing(creditor):
    claims_import(client=creditor, rows=csv_rows(CSV), source=ImportSource.CSV, dialect=SPREADSHEET)
    claims_import(client=creditor, rows=csv_rows(CSV), source=ImportSource.CSV, dialect=SPREADSHEET)
    more = CSV.splitlines()[0] + "\nF9;01-02-2026;15-02-2026;10,00;D1;particulier;Jansen;;\n"
    summary = claims_import(client=creditor, rows=csv_rows(more), source=ImportSource.CSV, dialect=SPREADSHEET)
    assert summary.created == 1
    assert StageEvent.objects.count() == Case.objects.count() == 4


def test_a_person_importing_is_the_events_actor(creditor):
    user = UserFactory(username="boekhouding@acme.example")
    row = ClaimRow(
        1,
        invoice_number="P1",
        invoice_date="2026-02-01",
        due_date="2026-02-15",
        amount="12.00",
        debtor_reference="D1",
        debtor_kind="consumer",
        surname="Jansen",
    )
    claims_import(client=creditor, rows=[row], source=ImportSource.REST, actor=user)
    event = StageEvent.objects.get()
    assert (event.actor, event.actor_name, event.reason) == (user, user.username, "claim intake rest")


def test_case_create_records_the_opening_too(debtor, staff_user):
    case = case_create(
        client=debtor.client,
        debtor=debtor,
        opened_on=datetime.date(2026, 3, 2),
        interest_kind=InterestKind.STATUTORY,
        source="ubl",
        actor=staff_user,
    )
    event = StageEvent.objects.get(case=case)
    assert (event.from_stage, event.to_stage) == ("", case.stage)
    assert (event.actor, event.actor_name, event.reason) == (staff_user, staff_user.username, "claim intake ubl")


def test_the_claim_type_and_the_debtor_set_the_limitation_kind_from_a_csv_file(creditor):
    claims_import(client=creditor, rows=csv_rows(CSV), source=ImportSource.CSV, dialect=SPREADSHEET)
    assert _kinds() == {
        "F1": LimitationPeriod.CONSUMER_PURCHASE,  # a consumer's purchase price: 2 years (BW 7:28)
        "F2": LimitationPeriod.CONTRACT,  # no type given: payment under a contract, 5 years (3:307)
        "F3": LimitationPeriod.CONTRACT,  # a company buying: 3:307, not 7:28
        "F4": LimitationPeriod.CONSUMER_PURCHASE,  # energy supplied to a consumer (7:28)
        "F5": LimitationPeriod.CONTRACT,  # a sole trader buys in the course of business
    }


def test_an_imported_claim_carries_its_limitation_date_from_the_start(creditor):
    """Due 15 February 2026: the period runs from the 16th (BW 3:307), so a consumer's purchase price is time-barred
    from 16 February 2028 (7:28, 2 years) and a contract payment from 16 February 2031 (5 years)."""
    claims_import(client=creditor, rows=csv_rows(CSV), source=ImportSource.CSV, dialect=SPREADSHEET)
    dates = dict(Claim.objects.values_list("invoice_number", "limitation_date"))
    assert dates["F1"] == dates["F4"] == datetime.date(2028, 2, 16)
    assert dates["F2"] == dates["F3"] == dates["F5"] == datetime.date(2031, 2, 16)


def test_an_unknown_claim_type_rejects_the_row(creditor):
    bad = CSV.splitlines()[0] + "\nF1;01-02-2026;15-02-2026;10,00;D1;particulier;Jansen;;lening\n"
    summary = claims_import(client=creditor, rows=csv_rows(bad), source=ImportSource.CSV, dialect=SPREADSHEET)
    assert summary.created == 0
    [error] = summary.rejected
    assert (error.row, error.field) == (2, "claim_type")
    assert "'lening' is not one of: contract, purchase, energy" in error.error
    assert not StageEvent.objects.exists()


def test_the_claim_type_through_rest_and_the_api_key_as_actor(client, creditor):
    key = api_key_create(client=creditor, name="ERP")[1]
    base = {
        "invoice_date": "2026-02-01",
        "due_date": "2026-02-15",
        "amount": "10.00",
        "surname": "Jansen",
        "organisation_name": "Jansen B.V.",
    }
    body = [
        {**base, "invoice_number": "R1", "debtor_reference": "C1", "debtor_kind": "consumer", "claim_type": "purchase"},
        {**base, "invoice_number": "R2", "debtor_reference": "C2", "debtor_kind": "company", "claim_type": "purchase"},
        {**base, "invoice_number": "R3", "debtor_reference": "C3", "debtor_kind": "consumer", "claim_type": "contract"},
        {**base, "invoice_number": "R4", "debtor_reference": "C4", "debtor_kind": "consumer", "claim_type": "koop"},
    ]
    response = client.post(
        "/api/v1/claims", data=json.dumps(body), content_type="application/json", headers={"X-API-Key": key}
    )
    assert response.status_code == 200
    result = response.json()
    assert result["created"] == 3
    assert result["rejected"][0]["row"] == 4 and result["rejected"][0]["field"] == "claim_type"  # Dutch: CSV only
    assert _kinds() == {
        "R1": LimitationPeriod.CONSUMER_PURCHASE,
        "R2": LimitationPeriod.CONTRACT,
        "R3": LimitationPeriod.CONTRACT,
    }
    assert set(StageEvent.objects.values_list("actor_name", "reason")) == {(f"API key {key[:8]}", "claim intake rest")}


def test_the_limitation_kind_survives_validation_in_a_second_process(creditor):
    claims_import(client=creditor, rows=csv_rows(CSV), source=ImportSource.CSV, dialect=SPREADSHEET, parallel=True)
    assert _kinds()["F1"] == LimitationPeriod.CONSUMER_PURCHASE
    assert _kinds()["F3"] == LimitationPeriod.CONTRACT
    assert StageEvent.objects.count() == 4
