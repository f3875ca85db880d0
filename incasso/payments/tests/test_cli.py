"""``incasso import-statement FILE``: the JSON summary, and exit status 2 with a JSON error when unreadable."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from incasso.payments.tests.conftest import FIXTURES


def run(path) -> tuple[int, dict]:
    out = io.StringIO()
    try:
        call_command("import-statement", str(path), stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def test_prints_the_summary(cases, ledger):
    status, body = run(FIXTURES / "camt053_v08.xml")
    assert status == 0
    assert body == {
        "entries": 2,
        "matched": 1,
        "unmatched": 0,
        "returned": 0,
        "ignored": 1,
        "duplicates": 0,
        "skipped": [{"entry": 2, "reason": "status PDNG: not booked yet, it comes again once booked"}],
    }


def test_the_same_file_again_is_all_duplicates(cases, ledger):
    run(FIXTURES / "camt054_v02.xml")
    assert run(FIXTURES / "camt054_v02.xml")[1]["duplicates"] == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing.xml", "cannot read"), ("conftest.py", "neither camt.053/camt.054 XML nor an MT940 statement")],
)
def test_unreadable_files_exit_2_with_a_json_error(db, ledger, tmp_path, name, message):
    path = FIXTURES.parent / name if name != "missing.xml" else tmp_path / name
    status, body = run(path)
    assert status == 2
    assert message in body["error"]
