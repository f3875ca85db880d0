import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation

from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.cases.models import Case, InterestKind
from incasso.cases.selectors import case_counts_by_client_and_stage
from incasso.cases.services import case_create, case_number_next, claim_create
from incasso.domain.case_stages import ClosedReason, Stage
from incasso.parties.factories import ClientFactory, DebtorFactory

pytestmark = pytest.mark.django_db


def test_case_create_opens_a_case_in_the_first_stage(debtor):
    case = case_create(
        client=debtor.client, debtor=debtor, opened_on=datetime.date(2026, 3, 2), interest_kind=InterestKind.STATUTORY
    )
    assert case.stage == Stage.REMINDER
    assert case.number == "2026-000001"
    assert case.closed_reason is None


def test_a_debtor_of_one_client_cannot_be_attached_to_a_case_of_another(debtor):
    other_client = ClientFactory(code="other")
    with pytest.raises(ValidationError) as error:
        case_create(
            client=other_client,
            debtor=debtor,
            opened_on=datetime.date(2026, 3, 2),
            interest_kind=InterestKind.STATUTORY,
        )
    assert error.value.code == "debtor_of_other_client"
    assert not Case.objects.exists()


def test_model_validation_also_refuses_a_debtor_of_another_client(debtor):
    case = CaseFactory.build(debtor=debtor, client=ClientFactory(code="other"))
    with pytest.raises(ValidationError) as error:
        case.full_clean()
    assert "debtor" in error.value.message_dict


def test_case_numbers_count_up_per_year(debtor):
    CaseFactory(debtor=debtor, number="2025-000007")
    CaseFactory(debtor=debtor, number="2026-000041")
    assert case_number_next(year=2026) == "2026-000042"
    assert case_number_next(year=2027) == "2027-000001"


@pytest.mark.parametrize("principal_cents", [0, -1])
def test_the_database_refuses_a_claim_without_a_positive_principal(case, principal_cents):
    with pytest.raises(IntegrityError):
        ClaimFactory(case=case, principal_cents=principal_cents)


def test_claim_create_refuses_a_zero_principal(case):
    with pytest.raises(ValidationError):
        claim_create(
            case=case,
            invoice_number="F1",
            invoice_date=datetime.date(2026, 1, 1),
            due_date=datetime.date(2026, 1, 31),
            principal_cents=0,
        )


def test_claim_create_takes_the_client_from_its_case(case):
    claim = claim_create(
        case=case,
        invoice_number="F1",
        invoice_date=datetime.date(2026, 1, 1),
        due_date=datetime.date(2026, 1, 31),
        principal_cents=4_250,
    )
    assert claim.client_id == case.client_id
    assert claim.currency == "EUR"


def test_an_invoice_number_is_unique_per_client(case):
    ClaimFactory(case=case, invoice_number="F1")
    ClaimFactory(case=CaseFactory(), invoice_number="F1")  # another client
    with pytest.raises(IntegrityError):
        ClaimFactory(case=CaseFactory(debtor=DebtorFactory(client=case.client)), invoice_number="F1")


def test_a_closed_case_needs_a_reason_and_date(debtor):
    with pytest.raises(IntegrityError):
        CaseFactory(debtor=debtor, stage=Stage.CLOSED.value)


def test_an_open_case_has_no_closed_reason(debtor):
    with pytest.raises(IntegrityError):
        CaseFactory(debtor=debtor, closed_reason=ClosedReason.PAID.value)


def test_case_counts_by_client_and_stage_is_one_query(debtor, django_assert_num_queries):
    CaseFactory.create_batch(2, debtor=debtor)
    CaseFactory(debtor=debtor, closed=True)
    other = CaseFactory()
    with django_assert_num_queries(1):
        counts = case_counts_by_client_and_stage()
    assert counts == {
        (debtor.client_id, Stage.REMINDER): 2,
        (debtor.client_id, Stage.CLOSED): 1,
        (other.client_id, Stage.REMINDER): 1,
    }


def test_stage_choices_come_from_the_domain_with_dutch_labels():
    field = Case._meta.get_field("stage")
    assert [value for value, _label in field.choices] == [stage.value for stage in Stage]
    with translation.override("nl"):
        assert Case(stage=Stage.FORMAL_DEMAND.value).get_stage_display() == "Sommatie"
    with translation.override("en"):
        assert Case(stage=Stage.FORMAL_DEMAND.value).get_stage_display() == "Formal demand"


def test_every_domain_label_has_a_dutch_translation():
    # The domain labels are added to the cases catalog by hand: `makemessages` in this app cannot see them.
    with translation.override("nl"):
        untranslated = [
            member.label for member in [*Stage, *ClosedReason] if translation.gettext(member.label) == member.label
        ]
    assert untranslated == []
