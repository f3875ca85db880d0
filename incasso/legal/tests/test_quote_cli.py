"""``incasso quote`` as a user runs it: the installed console script, JSON in, JSON out, exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from incasso.domain.tests.vectors import legal_vectors

INCASSO = str(Path(sys.executable).with_name("incasso"))


def quote(*args, stdin=""):
    return subprocess.run(
        [INCASSO, "quote", *args], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )


def test_every_worked_example_through_the_console_script(tmp_path):
    cases = legal_vectors()["quote"]
    for index, case in enumerate(cases):
        request = tmp_path / f"case{index}.json"
        request.write_text(json.dumps(case["input"]), encoding="utf-8")
        result = quote(str(request)) if index % 2 else quote("-", stdin=json.dumps(case["input"]))
        assert result.returncode == 0, result.stdout + result.stderr
        output = json.loads(result.stdout)
        for key, expected in case["expected"].items():
            assert output[key] == expected, (case["about"], key)
        assert isinstance(output["warnings"], list)


@pytest.mark.parametrize(
    ("stdin", "field"),
    [
        ('{"interest": "statutory", "as_of": "2024-01-01", "claims": []}', "claims"),
        (
            '{"interest": "statutory", "as_of": "2024-01-01", "claims": [{"id": "A", "principal": "-5", "due_date": "2023-01-01"}]}',
            "claims[0].principal",
        ),
        ("not json at all", "$"),
    ],
)
def test_bad_input_exits_2_with_a_json_error_and_no_traceback(stdin, field):
    result = quote(stdin=stdin)
    assert result.returncode == 2
    assert json.loads(result.stdout) == {
        "error": "invalid_input",
        "field": field,
        "message": json.loads(result.stdout)["message"],
    }
    assert "Traceback" not in result.stderr


def test_an_unreadable_file_is_an_input_error(tmp_path):
    result = quote(str(tmp_path / "missing.json"))
    assert result.returncode == 2
    assert json.loads(result.stdout)["field"] == "file"
