"""The administrator's strategy screen: versions, a new draft from an old version, the backtest, switching on."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse

from incasso.accounts.roles import Role
from incasso.backoffice.tests.conftest import ENGLISH, login_as
from incasso.cases.factories import CaseFactory
from incasso.decisions.factories import standard_document, strategy_inputs
from incasso.decisions.models import StrategyVersion, VersionStatus
from incasso.decisions.selectors import strategy_in_force
from incasso.decisions.services import decisions_decide_bulk, strategy_challenger_set, strategy_version_create
from incasso.domain.case_stages import Stage

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 2)
RULE = "amicable-legal-needs-approval"  # what an amicable case 50 days in its stage gets from the standard strategy


def _url(name: str, version: int = 1, code: str = "standard") -> str:
    return reverse(f"backoffice:{name}", args=[code, version])


def _document_with(rule_id: str, **then: object) -> dict:
    document = standard_document()
    rule = next(rule for rule in document["rules"] if rule["id"] == rule_id)
    rule["then"].update(then)
    return document


@pytest.fixture
def admin(client):
    return login_as(client, "admin@example.com", Role.ADMINISTRATOR)


def test_only_administrators_get_the_screen(client):
    login_as(client, "collector@example.com", Role.COLLECTOR)
    for url in (reverse("backoffice:strategies"), _url("strategy-version"), _url("strategy-version-new")):
        assert client.get(url).status_code == 403
    assert client.post(_url("strategy-version-activate"), {"confirm": "on"}).status_code == 403
    assert reverse("backoffice:strategies") not in client.get(reverse("backoffice:home")).content.decode()


def test_the_navigation_links_administrators_to_the_screen(admin):
    page = admin.get(reverse("backoffice:home"), headers={"accept-language": "en"}).content.decode()
    assert reverse("backoffice:strategies") in page


def test_the_list_shows_each_version_with_its_status_and_challenger_share(admin):
    champion = strategy_in_force(strategy_code="standard").champion
    challenger = strategy_version_create(strategy_code="standard", document=standard_document())
    strategy_version_create(strategy_code="standard", document=standard_document(), notes="try-out")
    strategy_challenger_set(champion=champion, challenger=challenger, share_percent=20)
    page = admin.get(reverse("backoffice:strategies"), **ENGLISH).content.decode()
    assert "champion" in page
    assert "challenger: 20 % of the cases, against version 1" in page
    assert "draft" in page and "try-out" in page
    dutch = admin.get(reverse("backoffice:strategies")).content.decode()
    assert "uitdager: 20 % van de dossiers, tegen versie 1" in dutch


def test_a_new_version_starts_from_the_old_rules_and_is_stored_as_a_draft(admin):
    page = admin.get(_url("strategy-version-new"), **ENGLISH).content.decode()
    assert "consumer-reminder" in page  # the old rules, ready to change
    document = _document_with(RULE, measure="call")
    response = admin.post(_url("strategy-version-new"), {"document": json.dumps(document), "notes": "call first"})
    draft = StrategyVersion.objects.get(strategy__code="standard", version=2)
    assert response.status_code == 302
    assert response["Location"] == _url("strategy-version", 2)
    assert (draft.status, draft.document, draft.notes, draft.created_by) == (
        VersionStatus.DRAFT,
        document,
        "call first",
        admin.user,
    )
    assert StrategyVersion.objects.get(version=1).document == standard_document()  # never edited in place


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["rules"][3]["then"].update(measure="fax"), "Rule 4 (“consumer-reminder”), field then.measure"),
        (lambda d: d["rules"][0]["when"][0].update(var="shoe_size"), "Rule 1 (“vulnerable”), field when[0].var"),
        (lambda d: d["rules"][-1]["explain"].pop("nl"), "field explain.nl: is required"),
        (lambda d: d["rules"][2]["explain"].update(nl="a\x00b"), "Rule 3 (“near-limitation”), field explain.nl"),
    ],
)
def test_a_rule_that_cannot_be_used_is_named_with_its_field_and_nothing_is_stored(admin, change, expected):
    document = standard_document()
    change(document)
    response = admin.post(_url("strategy-version-new"), {"document": json.dumps(document), "notes": "n"}, **ENGLISH)
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert StrategyVersion.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"rules": [}', "This is not valid JSON: line 1, column 12"),
        ("[" * 100_000, "This is not valid JSON"),
        ('["rules"]', "The rules must be one JSON object"),
    ],
)
def test_text_that_is_no_strategy_document_is_refused_plainly(admin, text, expected):
    response = admin.post(_url("strategy-version-new"), {"document": text, "notes": "n"}, **ENGLISH)
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert StrategyVersion.objects.count() == 1


def _decided_cases(count: int) -> list:
    cases = [CaseFactory(stage=Stage.AMICABLE.value) for _ in range(count)]
    inputs = [strategy_inputs(case, stage=Stage.AMICABLE, days_in_stage=50) for case in cases]
    decisions_decide_bulk(inputs=inputs, on=DAY)
    return cases


def test_the_backtest_shows_how_many_decisions_would_change_and_examples(admin):
    cases = _decided_cases(3)
    strategy_version_create(strategy_code="standard", document=_document_with(RULE, measure="call"))
    period = {"date_from": "2026-11-01", "date_to": "2026-11-03"}
    page = admin.post(_url("strategy-version-backtest", 2), period, **ENGLISH).content.decode()
    assert "3 decisions replayed" in page
    assert "3 would have been different" in page
    assert "<td>Review by a collector</td><td>Phone call</td><td>3</td>" in page
    assert all(f'data-example="{case.number}"' in page for case in cases)
    dutch = admin.post(_url("strategy-version-backtest", 2), period).content.decode()
    assert "<td>Beoordeling door een incassomedewerker</td><td>Telefoongesprek</td><td>3</td>" in dutch


def test_the_backtest_of_an_unchanged_version_changes_nothing_and_a_period_outside_has_no_decisions(admin):
    _decided_cases(2)
    page = admin.post(_url("strategy-version-backtest"), {"date_from": "2026-11-02"}, **ENGLISH).content.decode()
    assert "2 decisions replayed" in page and "0 would have been different" in page
    page = admin.post(_url("strategy-version-backtest"), {"date_to": "2026-10-01"}, **ENGLISH).content.decode()
    assert "0 decisions replayed" in page


@pytest.mark.parametrize(
    "period",
    [{"date_from": "2026-11-03", "date_to": "2026-11-01"}, {"date_from": "2026-01-01", "date_to": "2026-11-01"}],
)
def test_a_backtest_period_backwards_or_too_long_is_refused(admin, period):
    response = admin.post(_url("strategy-version-backtest"), period, **ENGLISH)
    assert response.status_code == 400
    assert "data-backtest" not in response.content.decode()


def test_switching_on_needs_a_confirmation_and_records_who(admin):
    strategy_version_create(strategy_code="standard", document=_document_with(RULE, measure="call"))
    refused = admin.post(_url("strategy-version-activate", 2), {})
    assert refused.status_code == 400
    assert strategy_in_force(strategy_code="standard").champion.version == 1
    response = admin.post(_url("strategy-version-activate", 2), {"confirm": "on"})
    assert response.status_code == 302
    champion = strategy_in_force(strategy_code="standard").champion
    assert (champion.version, champion.activated_by) == (2, admin.user)
    assert StrategyVersion.objects.get(version=1).status == VersionStatus.RETIRED


def test_a_version_starts_as_a_challenger_on_a_share_and_can_be_stopped(admin):
    strategy_version_create(strategy_code="standard", document=standard_document())
    too_big = admin.post(_url("strategy-version-challenger", 2), {"share_percent": "60", "confirm": "on"})
    assert too_big.status_code == 400
    unconfirmed = admin.post(_url("strategy-version-challenger", 2), {"share_percent": "25"})
    assert unconfirmed.status_code == 400
    assert strategy_in_force(strategy_code="standard").challenger is None
    admin.post(_url("strategy-version-challenger", 2), {"share_percent": "25", "confirm": "on"})
    challenger = strategy_in_force(strategy_code="standard").challenger
    assert challenger is not None
    assert (challenger.version, challenger.challenger_share_percent, challenger.activated_by) == (2, 25, admin.user)
    page = admin.get(_url("strategy-version"), **ENGLISH).content.decode()
    assert "Version 2 decides 25 % of the cases now." in page
    admin.post(_url("strategy-challenger-stop"), {"confirm": "on"})
    assert strategy_in_force(strategy_code="standard").challenger is None


def test_only_the_champion_has_a_challenger_to_stop(admin):
    strategy_version_create(strategy_code="standard", document=standard_document())
    admin.post(_url("strategy-challenger-stop", 2), {"confirm": "on"}, **ENGLISH)
    page = admin.get(_url("strategy-version", 2), **ENGLISH).content.decode()
    assert "Only the active champion can have a challenger." in page


@pytest.mark.parametrize(("code", "version"), [("standard", 9), ("nope", 1)])
def test_an_unknown_strategy_or_version_is_not_found(admin, code, version):
    assert admin.get(_url("strategy-version", version, code)).status_code == 404
    assert admin.post(_url("strategy-version-activate", version, code), {"confirm": "on"}).status_code == 404


NESTED = "[" * 50_000 + "]" * 50_000
_RULE_TAIL = ',"explain":{"nl":"a","en":"b"}}]}'
HOSTILE_DOCUMENTS = [
    "a\x00b",
    "x" * 100_000,
    "y" * 300_000,  # past the field's limit
    "1e9999",
    "NaN",
    NESTED,
    '{"rules": [1e9999]}',
    '{"rules":[{"id":"x","when":[],"then":{"measure":"review","review_in_days":1e400}' + _RULE_TAIL,
    '{"rules":[{"id":"x","when":[],"then":{"measure":"review","review_in_days":99999999999}' + _RULE_TAIL,
    '{"rules":[{"id":"\\u0000","when":[],"then":{"measure":"review","review_in_days":1}' + _RULE_TAIL,
    '{"rules":[{"id":"\\ud800","when":[],"then":{"measure":"review","review_in_days":1}' + _RULE_TAIL,
    '{"rules":[{"id":"x","when":[{"var":"amount_outstanding","op":">","value":1.5}],"then":{}}]}',
]
HOSTILE_VALUES = ["a\x00b", "1e9999", "NaN", "-0", "2147483648", "\u00b2\u0661", "0001-01-01", "9999-12-31", ""]
DOORS = [
    "strategy-version",
    "strategy-version-new",
    "strategy-version-backtest",
    "strategy-version-activate",
    "strategy-version-challenger",
    "strategy-challenger-stop",
]


def _hostile_bodies():
    for document in HOSTILE_DOCUMENTS:
        yield {"document": document, "notes": "n"}
    for value in HOSTILE_VALUES:
        yield dict.fromkeys(("notes", "date_from", "date_to", "share_percent", "confirm"), value)
        yield {"date_to": value}
        yield {"document": json.dumps(standard_document()), "notes": value, "share_percent": value}
    yield {"document": ["{}", json.dumps(standard_document())], "notes": ["a", "b"], "share_percent": ["1", "x"]}


@pytest.mark.parametrize("door", DOORS)
def test_hostile_input_to_a_real_version_never_breaks_a_door_nor_stores_a_bad_version(admin, door):
    strategy_version_create(strategy_code="standard", document=standard_document())
    before = StrategyVersion.objects.count()
    for version in (1, 2):
        url = _url(door, version)
        assert admin.get(url).status_code < 500
        for body in _hostile_bodies():
            response = admin.post(url, body)
            assert response.status_code < 500, (url, body)
            assert b"Traceback" not in response.content
    stored = StrategyVersion.objects.order_by("version")[before:]
    # Only the editor stores, and only the plain standard document, with notes that are odd but plain text ("-0",
    # "1e9999", ...): 7 such notes, and the duplicated fields' last values, from each of the 2 versions.
    assert len(stored) == (2 * 8 if door == "strategy-version-new" else 0)
    assert all(version.document == standard_document() and "\x00" not in version.notes for version in stored)
