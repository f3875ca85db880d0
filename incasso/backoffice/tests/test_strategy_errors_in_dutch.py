"""The strategy editor names a rule's problem in the page language: the checker's message, translated."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from incasso.accounts.roles import Role
from incasso.backoffice.tests.conftest import ENGLISH, login_as
from incasso.decisions.factories import standard_document
from incasso.decisions.models import StrategyVersion

pytestmark = pytest.mark.django_db

URL = ("backoffice:strategy-version-new", ["standard", 1])


def _post(client, document: dict, **headers: str):
    return client.post(reverse(URL[0], args=URL[1]), {"document": json.dumps(document), "notes": "n"}, **headers)


@pytest.mark.parametrize(
    ("change", "dutch", "english"),
    [
        (
            lambda d: d["rules"][3]["then"].update(measure="fax"),
            "Regel 4 (“consumer-reminder”), veld then.measure: onbekende maatregel &#x27;fax&#x27;",
            "Rule 4 (“consumer-reminder”), field then.measure: unknown measure &#x27;fax&#x27;",
        ),
        (
            lambda d: d["rules"][3]["then"].update(review_in_days=4_000),
            "veld then.review_in_days: mag hoogstens 3660 zijn",
            "field then.review_in_days: must be at most 3660",
        ),
        (
            lambda d: d.update(rules=[]),
            "Veld rules: heeft minstens één regel nodig",
            "Field rules: needs at least one rule",
        ),
    ],
)
def test_a_rule_problem_reads_in_the_page_language(client, change, dutch, english):
    login_as(client, "admin@example.com", Role.ADMINISTRATOR)
    document = standard_document()
    change(document)
    assert dutch in _post(client, document).content.decode()
    assert english in _post(client, document, **ENGLISH).content.decode()
    assert StrategyVersion.objects.count() == 1
