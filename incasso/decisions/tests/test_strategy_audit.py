"""Who changed the rules of automated decisions is in the audit chain (GDPR art. 22, C-6): each new version, each
switch to a champion, each start and end of a challenger is an event, by a user or by the command that did it."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from incasso.audit.models import AuditEvent
from incasso.decisions.factories import standard_document
from incasso.decisions.management.commands.strategy import ACTOR
from incasso.decisions.selectors import strategy_in_force
from incasso.decisions.services import (
    STRATEGY_AUDIT_SOURCE,
    strategy_challenger_set,
    strategy_version_activate,
    strategy_version_create,
)

pytestmark = pytest.mark.django_db


def _events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(source=STRATEGY_AUDIT_SOURCE).order_by("sequence"))


def test_a_new_version_is_recorded_with_the_user_who_made_it(staff_user):
    strategy_version_create(strategy_code="standard", document=standard_document(), created_by=staff_user)
    [event] = _events()
    assert (event.action, event.actor_id, event.subject_type, event.purpose) == (
        "create",
        staff_user.pk,
        "",
        "debt_collection",
    )
    assert event.details == {"strategy": "standard", "version": 2, "status": "draft"}


def test_a_version_loaded_from_the_command_line_is_recorded_by_the_command(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(standard_document()), encoding="utf-8")
    call_command("strategy", "load", str(path), "--strategy", "standard", stdout=StringIO())
    [event] = _events()
    assert (event.actor_id, event.actor_label, event.details["version"]) == (None, ACTOR, 2)


def test_a_refused_document_records_nothing():
    document = standard_document()
    document["rules"][0]["then"]["review_in_days"] = 3_661
    with pytest.raises(ValueError, match="at most 3660"):
        strategy_version_create(strategy_code="standard", document=document)
    assert _events() == []


def test_switching_a_champion_on_is_recorded_with_the_versions_it_retires(staff_user):
    draft = strategy_version_create(strategy_code="standard", document=standard_document())
    strategy_version_activate(version=draft, actor=staff_user)
    strategy_version_activate(version=draft, actor=staff_user)  # already the champion: nothing changes
    _create, activate = _events()
    assert (activate.action, activate.actor_id) == ("update", staff_user.pk)
    assert activate.details == {"strategy": "standard", "version": 2, "role": "champion", "retired": [1]}


def test_starting_and_stopping_a_challenger_are_recorded_with_its_share(staff_user):
    champion = strategy_in_force(strategy_code="standard").champion
    challenger = strategy_version_create(strategy_code="standard", document=standard_document())
    strategy_challenger_set(champion=champion, challenger=challenger, share_percent=25, actor=staff_user)
    strategy_challenger_set(champion=champion, challenger=None, actor=staff_user)
    strategy_challenger_set(champion=champion, challenger=None, actor=staff_user)  # none running: nothing to record
    _create, start, stop = _events()
    assert (start.actor_id, start.details) == (
        staff_user.pk,
        {
            "strategy": "standard",
            "version": 2,
            "role": "challenger",
            "champion": 1,
            "share_percent": 25,
            "challengers_stopped": [],
        },
    )
    assert (stop.actor_id, stop.details) == (
        staff_user.pk,
        {"strategy": "standard", "version": 1, "role": "champion", "challengers_stopped": [2]},
    )
