"""What the back office's strategy screen needs of the services: who started a challenger, and documents the
database could not store refused before the insert."""

from __future__ import annotations

import pytest

from incasso.decisions.factories import standard_document
from incasso.decisions.models import StrategyVersion, VersionStatus
from incasso.decisions.selectors import strategy_in_force
from incasso.decisions.services import strategy_challenger_set, strategy_version_create
from incasso.domain.strategy import StrategyError

pytestmark = pytest.mark.django_db


def test_starting_a_challenger_records_who_started_it(staff_user):
    champion = strategy_in_force(strategy_code="standard").champion
    draft = strategy_version_create(strategy_code="standard", document=standard_document())
    strategy_challenger_set(champion=champion, challenger=draft, share_percent=20, actor=staff_user)
    draft.refresh_from_db()
    assert (draft.status, draft.challenger_share_percent, draft.activated_by) == (
        VersionStatus.ACTIVE,
        20,
        staff_user,
    )


@pytest.mark.parametrize(
    ("text", "where"),
    [("Betaal\x00nu", "rules[0].explain.nl"), ("half \ud800 a pair", "rules[0].explain.nl")],
)
def test_text_the_database_cannot_hold_is_refused_with_its_path(text, where):
    document = standard_document()
    document["rules"][0]["explain"]["nl"] = text
    before = StrategyVersion.objects.count()
    with pytest.raises(StrategyError) as refused:
        strategy_version_create(strategy_code="standard", document=document)
    assert refused.value.path == where
    assert StrategyVersion.objects.count() == before


def test_a_description_with_a_nul_is_refused_too():
    document = {**standard_document(), "description": "a\x00b"}
    with pytest.raises(StrategyError) as refused:
        strategy_version_create(strategy_code="standard", document=document)
    assert refused.value.path == "description"


def test_a_review_beyond_ten_years_is_refused_before_it_could_stop_the_daily_run():
    document = standard_document()
    document["rules"][1]["then"]["review_in_days"] = 10**12  # the run's date arithmetic would overflow
    with pytest.raises(StrategyError) as refused:
        strategy_version_create(strategy_code="standard", document=document)
    assert refused.value.path == "rules[1].then.review_in_days"
    document["rules"][1]["then"]["review_in_days"] = 3_660
    assert strategy_version_create(strategy_code="standard", document=document).version == 2
