"""The demo commands against the database."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F

from incasso.accounts.models import ClientMembership
from incasso.cases.models import Case, Claim
from incasso.circumstances.models import FinancialSituation, VulnerabilityFlag
from incasso.demo.logins import DEMO_PASSWORD
from incasso.domain.case_stages import ClosedReason, Stage
from incasso.parties.models import Client, CommissionTerms, Debtor, ProcessorAgreement

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_demo_loads_the_full_data_set():
    run("demo", "--seed", "7")
    assert sorted(Client.objects.values_list("code", flat=True)) == ["energy", "webshop", "wholesale"]
    assert Debtor.objects.count() == 1_200
    assert set(Case.objects.values_list("stage", flat=True)) == set(Stage)
    assert set(Case.objects.exclude(closed_reason=None).values_list("closed_reason", flat=True)) == set(ClosedReason)
    assert Claim.objects.filter(principal_cents__lte=0).count() == 0
    assert not Case.objects.exclude(debtor__client=F("client")).exists()
    assert not Claim.objects.exclude(case__client=F("client")).exists()
    # A few consumers with their circumstances, so the case page and the next run show them (C-6, C-7).
    situations = list(FinancialSituation.objects.all())
    assert len(situations) == 3 and {s.source for s in situations} == {
        "debtor_statement",
        "government",
        "credit_bureau",
    }
    [flag] = VulnerabilityFlag.objects.all()
    assert flag.lifted_at is None and flag.debtor_id in {s.debtor_id for s in situations}


DEBTOR_FIELDS = (
    "reference",
    "given_names",
    "surname",
    "organisation_name",
    "date_of_birth",
    "street",
    "house_number",
    "postcode",
    "city",
    "email",
    "phone",
    "iban",
    "kvk_number",
    "created_at",
)


def snapshot():
    """Every demo row without its primary keys, which a fresh load may number differently."""
    return (
        list(Client.objects.order_by("code").values_list("code", "name", "kvk_number", "iban", "created_at")),
        # The personal fields are encrypted with a random nonce (P-3): compared as read, not as stored.
        [
            (d.client.code, *(getattr(d, name) for name in DEBTOR_FIELDS))
            for d in Debtor.objects.order_by("client__code", "reference").select_related("client")
        ],
        list(
            Case.objects.order_by("number").values_list(
                "number", "client__code", "debtor__reference", "stage", "closed_reason", "opened_on", "closed_on"
            )
        ),
        list(
            Claim.objects.order_by("client__code", "invoice_number").values_list(
                "client__code", "invoice_number", "case__number", "invoice_date", "due_date", "principal_cents"
            )
        ),
    )


class _RolledBack(Exception):
    """Raised to undo one demo load: the demo's payments are in the ledger, which is never deleted from."""


def loaded_snapshot(*args):
    """The rows of one demo load, which is then rolled back (a savepoint inside the test's transaction)."""
    try:
        with transaction.atomic():
            run("demo", *args)
            rows = snapshot()
            raise _RolledBack
    except _RolledBack:
        pass
    assert not Client.objects.exists()
    return rows


def test_the_same_seed_gives_identical_rows_and_another_seed_other_rows():
    first = loaded_snapshot("--seed", "3", "--debtors", "150")
    assert loaded_snapshot("--seed", "3", "--debtors", "150") == first
    other = loaded_snapshot("--seed", "4", "--debtors", "150")
    assert other[1] != first[1]
    assert {row[12] for row in other[1]}.isdisjoint({row[12] for row in first[1]})  # no IBAN in common


def test_if_empty_does_nothing_the_second_time():
    run("demo", "--seed", "1", "--debtors", "150", "--if-empty")
    counts = (Client.objects.count(), Debtor.objects.count(), Case.objects.count(), User.objects.count())
    output = run("demo", "--seed", "2", "--debtors", "150", "--if-empty")
    assert "already holds data" in output
    assert (Client.objects.count(), Debtor.objects.count(), Case.objects.count(), User.objects.count()) == counts


def test_demo_refuses_a_database_with_data_without_if_empty(creditor):
    with pytest.raises(CommandError, match="already holds data"):
        run("demo", "--seed", "1", "--debtors", "150")
    assert Debtor.objects.count() == 0


def test_demo_logins_lists_every_log_in_and_they_work():
    assert "No demo log-ins" in run("demo-logins")
    run("demo", "--seed", "1", "--debtors", "150")
    output = run("demo-logins")
    for username in ("collector@demo.incasso.test", "auditor@demo.incasso.test", "client-wholesale@demo.incasso.test"):
        assert username in output
    assert DEMO_PASSWORD in output
    user = authenticate(username="client-energy@demo.incasso.test", password=DEMO_PASSWORD)
    assert user is not None and user.password.startswith("argon2$")
    assert ClientMembership.objects.get(user=user).client.code == "energy"
    assert User.objects.filter(username__endswith="@demo.incasso.test").count() == 9


def test_every_demo_client_has_a_processor_agreement_and_commission_terms():
    run("demo", "--seed", "1", "--debtors", "150")
    assert ProcessorAgreement.objects.count() == CommissionTerms.objects.count() == 3
    webshop = ProcessorAgreement.objects.get(client__code="webshop")
    assert "legal" not in webshop.allowed_measures
    assert ProcessorAgreement.objects.get(client__code="wholesale").legal_steps_need_approval is False


def test_the_demo_collector_sees_the_cases_of_the_consumer_clients_only():
    from incasso.accounts.access import access_cases

    run("demo", "--seed", "1", "--debtors", "150")
    collector = User.objects.get(username="collector@demo.incasso.test")
    visible = set(access_cases(user=collector).values_list("client__code", flat=True).distinct())
    assert visible == {"energy", "webshop"}


def test_every_demo_case_starts_with_its_opened_event(db):
    from incasso.cases.models import Case, StageEvent
    from incasso.demo.services import demo_create

    summary = demo_create(seed=7, debtors=100)
    opened = StageEvent.objects.filter(from_stage="", to_stage="reminder", actor_name="demo")
    assert opened.count() == summary.cases == Case.objects.count()
    first = Case.objects.order_by("pk").first()
    event = opened.get(case=first)
    assert (event.occurred_at, event.reason) == (first.created_at, "claim intake demo")
