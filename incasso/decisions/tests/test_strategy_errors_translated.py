"""Every problem the strategy checker can report has a Dutch wording (the back office shows it in Dutch)."""

from __future__ import annotations

import ast
import inspect

import pytest
from django.utils import translation

from incasso.decisions import services
from incasso.domain import strategy


def _message_ids(module: object) -> list[str]:
    tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "gettext_noop"
        and isinstance(node.args[0], ast.Constant)
    ]


MESSAGE_IDS = sorted(set(_message_ids(strategy) + _message_ids(services)))


def test_the_checker_marks_its_messages():
    assert len(MESSAGE_IDS) > 30
    assert "unknown measure %(value)s" in MESSAGE_IDS


@pytest.mark.parametrize("message_id", MESSAGE_IDS)
def test_each_checker_message_has_a_dutch_wording(message_id):
    with translation.override("nl"):
        assert translation.gettext(message_id) != message_id
