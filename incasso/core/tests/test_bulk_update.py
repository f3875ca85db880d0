import datetime

import pytest

from incasso.cases.factories import ClaimFactory
from incasso.cases.models import Claim
from incasso.core.bulk_update import rows_update, values_update

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("distinct", [1, 5, 60])
def test_each_row_gets_its_own_value_and_no_other_row_changes(distinct, django_assert_max_num_queries):
    claims = ClaimFactory.create_batch(60)
    untouched = ClaimFactory()
    wanted = {
        claim.pk: datetime.date(2030, 1, 1) + datetime.timedelta(days=i % distinct) for i, claim in enumerate(claims)
    }
    with django_assert_max_num_queries(distinct if distinct <= 20 else 3):
        assert values_update(Claim, "limitation_date", wanted) == 60
    stored = dict(Claim.objects.filter(pk__in=wanted).values_list("pk", "limitation_date"))
    assert stored == wanted
    untouched.refresh_from_db()
    assert untouched.limitation_date is None


def test_nothing_to_update_is_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert values_update(Claim, "limitation_date", {}) == 0


def test_several_fields_of_each_row_are_written_in_one_statement(django_assert_max_num_queries):
    claims = ClaimFactory.create_batch(30)
    untouched = ClaimFactory()
    wanted = {
        claim.pk: (
            datetime.date(2030, 1, 1) + datetime.timedelta(days=i),
            None if i % 3 else datetime.date(2026, 1, i + 1),
        )
        for i, claim in enumerate(claims)
    }
    with django_assert_max_num_queries(1):
        assert rows_update(Claim, ("limitation_date", "limitation_interrupted_on"), wanted) == 30
    rows = Claim.objects.filter(pk__in=wanted).values_list("pk", "limitation_date", "limitation_interrupted_on")
    stored = {pk: (limitation, interrupted) for pk, limitation, interrupted in rows}
    assert stored == wanted
    untouched.refresh_from_db()
    assert (untouched.limitation_date, untouched.limitation_interrupted_on) == (None, None)
