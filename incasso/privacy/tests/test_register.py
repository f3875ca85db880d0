"""The register of processing activities (GDPR art. 30): generated from the map, as JSON, CSV and a page."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from incasso.accounts.factories import UserFactory
from incasso.accounts.roles import Role
from incasso.accounts.testing import staff_login
from incasso.crypto.fields import EncryptedTextField
from incasso.domain.data_map import DataCategory, ProcessingPurpose
from incasso.domain.retention import DEFAULT_PERIODS
from incasso.parties.factories import ClientFactory
from incasso.parties.models import Debtor
from incasso.privacy.labels import DATA_CATEGORIES
from incasso.privacy.models import RetentionPolicy, TriggerEvent
from incasso.privacy.recipients import RECIPIENT_CATEGORIES, SECURITY_MEASURES, SWEPT_PURPOSES
from incasso.privacy.retention.sweep import SWEEPERS

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("register", *args, stdout=out)
    return out.getvalue()


def test_the_json_register_holds_every_purpose_recipient_and_retention_period(creditor):
    register = json.loads(run("--format", "json"))
    activities = {a["purpose"]: a for a in register["activities"]}
    assert set(activities) == {p.value for p in ProcessingPurpose}
    assert {a["retention"]["purpose"] for a in activities.values()} >= {p.value for p in DEFAULT_PERIODS}
    assert {r["code"] for r in register["recipients"]} == {r.code for r in RECIPIENT_CATEGORIES}
    collection = activities["debt_collection"]
    assert collection["roles"] == ["controller", "processor"]
    assert "parties.Debtor.iban" in collection["fields"]
    assert "user.financial.bank_account" in collection["data_categories"]
    assert "debtor" in collection["subjects"]
    assert collection["retention"]["text"] == "36 months after the case is closed"
    assert collection["transfers"] == [
        "partner_agencies_abroad: only to a country with an adequacy decision, or with standard contractual "
        "clauses on file"
    ]
    assert activities["bookkeeping"]["retention"]["text"] == (
        "7 years after the end of the calendar year in which the financial year ended"
    )
    assert (
        activities["aml"]["retention"]["text"]
        == "5 years after the transaction, or the end of the business relationship"
    )
    assert activities["newsletter"]["retention"]["text"] == "deleted at once when the person unsubscribed"
    assert [c["code"] for c in register["processor"]["controllers"]] == ["acme"]


def test_the_register_states_the_retention_the_sweep_enforces_not_the_default(creditor):
    RetentionPolicy.objects.filter(purpose="debt_collection").update(months=48)
    RetentionPolicy.objects.filter(purpose="marketing").update(months=24, trigger=TriggerEvent.UNSUBSCRIBE)
    activities = {a["purpose"]: a for a in json.loads(run("--format", "json"))["activities"]}
    assert activities["debt_collection"]["retention"]["text"] == "48 months after the case is closed"
    assert activities["marketing"]["retention"]["text"] == "24 months after the person unsubscribed"
    assert activities["aml"]["retention"]["months"] == 60  # unchanged rows still read as seeded


def test_the_register_claims_a_security_measure_only_where_the_code_has_it():
    measures = {m.code: m for m in SECURITY_MEASURES}
    personal = ("given_names", "surname", "date_of_birth", "street", "postcode", "email", "phone", "iban")
    sealed = all(isinstance(Debtor._meta.get_field(name), EncryptedTextField) for name in personal)
    assert measures["field_encryption"].in_place == sealed
    assert set(SWEPT_PURPOSES) == set(SWEEPERS)
    for purpose in SWEPT_PURPOSES:
        assert purpose in measures["retention"].description
    unswept = {p.value for p in DEFAULT_PERIODS} - set(SWEEPERS) - {"collection_case", "newsletter"}
    assert measures["retention_other_purposes"].in_place == (not unswept)


def test_the_csv_register_has_a_row_per_activity_and_per_client_as_processor(creditor):
    ClientFactory(code="energy", name="Energie B.V.")
    rows = list(csv.DictReader(io.StringIO(run("--format", "csv"))))
    controller_rows = [r for r in rows if r["record"] == "30(1)"]
    assert {r["purpose"] for r in controller_rows} == {p.value for p in ProcessingPurpose}
    processor_rows = [r for r in rows if r["record"] == "30(2)"]
    assert {r["controller"] for r in processor_rows} == {"Acme B.V.", "Energie B.V."}
    assert {r["purpose"] for r in processor_rows} == {"debt_collection", "bookkeeping", "security"}
    assert all(r["retention"] and r["legal_bases"] and r["security_measures"] for r in rows)


def test_an_unknown_format_exits_2():
    with pytest.raises(CommandError, match="unknown format") as raised:
        run("--format", "xml")
    assert raised.value.returncode == 2


@pytest.fixture
def privacy_officer_client(client):
    user = UserFactory(username="privacy@example.com")
    user.groups.add(Group.objects.get(name=Role.PRIVACY_OFFICER))
    staff_login(client, user)
    return client


def test_the_page_shows_the_register_in_dutch_and_english(privacy_officer_client, creditor):
    collector_client = privacy_officer_client
    url = reverse("privacy-register")
    dutch = collector_client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Register van verwerkingsactiviteiten" in dutch
    assert "36 maanden na het dossier is gesloten" in dutch
    assert "Deurwaarders" in dutch
    english = collector_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Register of processing activities" in english
    assert "7 years after the end of the calendar year in which the financial year ended." in english
    assert "Acme B.V." in english


def test_the_page_needs_a_staff_log_in(client):
    url = reverse("privacy-register")
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(username="outsider@example.com"))
    assert client.get(url).status_code == 403
    collector = UserFactory(username="collector@example.com")
    collector.groups.add(Group.objects.get(name=Role.COLLECTOR))
    staff_login(client, collector)
    assert client.get(url).status_code == 403


def test_the_page_names_every_data_category_in_words_not_codes(privacy_officer_client, creditor):
    assert set(DATA_CATEGORIES) == {category.value for category in DataCategory}
    dutch = privacy_officer_client.get(reverse("privacy-register"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Bankrekeningnummers" in dutch and "Gezondheidsgegevens" in dutch
    assert "user.financial.bank_account" not in dutch and "bank_account" not in dutch
    assert not any(category.value in dutch for category in DataCategory)
