"""``incasso strategy``: list, load a draft, and backtest a version on the stored decisions."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command

from incasso.cases.factories import CaseFactory
from incasso.decisions.factories import standard_document, strategy_inputs
from incasso.decisions.models import StrategyVersion, VersionStatus
from incasso.decisions.services import decisions_decide_bulk, strategy_version_create
from incasso.domain.case_stages import Stage

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 2)


def run(*args: str) -> tuple[int, dict]:
    out = StringIO()
    try:
        call_command("strategy", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def test_list_shows_the_default_strategy():
    status, listing = run("list")
    assert status == 0
    standard = next(s for s in listing if s["code"] == "standard")
    assert standard["versions"][0]["version"] == 1
    assert standard["versions"][0]["status"] == "active"


def test_load_creates_a_draft(tmp_path):
    path = tmp_path / "faster.json"
    path.write_text(json.dumps(standard_document()), encoding="utf-8")
    status, answer = run("load", str(path), "--strategy", "standard", "--notes", "same rules")
    assert status == 0
    assert answer == {"strategy": "standard", "version": 2, "status": "draft"}
    assert StrategyVersion.objects.get(strategy__code="standard", version=2).notes == "same rules"


def test_load_refuses_an_invalid_document_with_the_path_of_the_error(tmp_path):
    document = standard_document()
    document["rules"][3]["then"]["measure"] = "pigeon"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    status, answer = run("load", str(path), "--strategy", "standard")
    assert status == 2
    assert answer["error"] == "invalid_strategy"
    assert answer["path"] == "rules[3].then.measure"
    assert "pigeon" in answer["message"]
    assert not StrategyVersion.objects.filter(version=2).exists()


def test_load_refuses_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{rules", encoding="utf-8")
    assert run("load", str(path), "--strategy", "standard")[1]["error"] == "invalid_json"
    assert run("load", str(tmp_path / "missing.json"), "--strategy", "standard")[1]["error"] == "unreadable_file"


def _decide_history():
    legal = [strategy_inputs(case, days_in_stage=3) for case in CaseFactory.create_batch(3, stage=Stage.LEGAL)]
    amicable = [strategy_inputs(case, stage=Stage.AMICABLE, days_in_stage=5) for case in CaseFactory.create_batch(2)]
    decisions_decide_bulk(inputs=legal + amicable, on=DAY)
    decisions_decide_bulk(inputs=legal, on=DAY + datetime.timedelta(days=40))
    return legal


def test_backtest_reports_what_a_draft_would_have_changed():
    legal = _decide_history()
    document = standard_document()
    catch_all = document["rules"][-1]
    catch_all["id"] = "default-call"
    catch_all["then"] = {"measure": "call", "review_in_days": 7, "task": "call"}
    strategy_version_create(strategy_code="standard", document=document)

    status, report = run("backtest", "--strategy", "standard")
    assert status == 0
    assert report["version"] == 2
    assert report["decisions"] == 8
    assert report["changed"] == 6
    assert report["by_change"] == {"review -> call": 6}
    example = report["examples"][0]
    assert example["case_number"] in {i.case_number for i in legal}
    assert (example["old_rule"], example["new_rule"]) == ("default-review", "default-call")

    _status, first_day = run("backtest", "--strategy", "standard", "--from", DAY.isoformat(), "--to", DAY.isoformat())
    assert (first_day["decisions"], first_day["changed"]) == (5, 3)


def test_backtest_of_the_active_version_changes_nothing():
    _decide_history()
    status, report = run("backtest", "--strategy", "standard", "--version", "1")
    assert status == 0
    assert (report["decisions"], report["changed"], report["by_change"], report["examples"]) == (8, 0, {}, [])


def test_backtest_defaults_to_the_active_version_without_a_draft():
    assert run("backtest", "--strategy", "standard")[1]["version"] == 1
    retired = strategy_version_create(strategy_code="standard", document=standard_document())
    StrategyVersion.objects.filter(pk=retired.pk).update(status=VersionStatus.RETIRED)
    assert run("backtest", "--strategy", "standard")[1]["version"] == 1


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--strategy", "nope"], "unknown_strategy"),
        (["--strategy", "standard", "--version", "99"], "unknown_strategy"),
        (["--strategy", "standard", "--from", "2026-13-01"], "invalid_date"),
    ],
)
def test_backtest_refuses_unknown_strategies_versions_and_dates(args, error):
    status, answer = run("backtest", *args)
    assert status == 2
    assert answer["error"] == error
