"""Found by using the client portal in a browser as a client user (issue: judges' review)."""

from __future__ import annotations

import datetime

from django.urls import reverse

from incasso.cases.models import Measure, MeasureKind, MeasureStatus
from incasso.client_portal.models import LegalStepsDecision
from incasso.client_portal.tests.test_portal import world  # noqa: F401 (a fixture)


def _awaiting(case) -> None:
    Measure.objects.create(
        case=case,
        kind=MeasureKind.values[0],
        status=MeasureStatus.AWAITING_APPROVAL,
        planned_for=datetime.date(2026, 11, 1),
        idempotency_key="t1",
    )


def _messages(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


def test_the_answer_on_legal_steps_is_confirmed_and_a_refused_form_says_why(client, world) -> None:  # noqa: F811
    """It used to redirect in silence either way: the client could not tell whether the answer had been recorded."""
    case = world["case_a"]
    _awaiting(case)
    client.force_login(world["user_a"])
    url = reverse("client_portal:legal-steps", args=[case.number])
    refused = client.post(url, {"decision": "perhaps"}, follow=True)
    assert [level for level, _text in _messages(refused)] == ["error"]
    assert not LegalStepsDecision.objects.exists()
    done = client.post(url, {"decision": "approve", "reason": "Akkoord"}, follow=True)
    assert _messages(done) == [("success", "U hebt de gerechtelijke stappen goedgekeurd.")]
    assert LegalStepsDecision.objects.get().approved


def test_the_stage_chart_says_each_bars_number(client, world) -> None:  # noqa: F811
    client.force_login(world["user_a"])
    page = client.get(reverse("client_portal:dashboard")).content.decode()
    chart = page[page.index('<svg viewBox="0 0') : page.index("</svg>")]
    values = [text.split(">", 1)[1].split("<", 1)[0] for text in chart.split("<text ")[1:]]
    assert "1" in values  # the one open case of client A, written above its bar
