import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from incasso.domain.money import Money


def render(source, **context):
    return Template("{% load money %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nl", "€\xa01.234,56"), ("en", "€1,234.56")],
)
def test_cents_render_in_the_users_language(language, expected):
    with translation.override(language):
        assert render("{{ cents|money }}", cents=123456) == expected


def test_money_values_and_negative_amounts():
    with translation.override("en"):
        assert render("{{ m|money }}", m=Money(5)) == "€0.05"
        assert render("{{ cents|money }}", cents=-1999) == "-€19.99"
    with translation.override("nl"):  # the sign first, as on the letters (not CLDR's "€ -19,99")
        assert render("{{ cents|money }}", cents=-1999) == "-€\xa019,99"
        assert render("{{ cents|money }}", cents="-123456") == "-€\xa01.234,56"


def test_missing_or_bad_values_render_empty():
    assert render("{{ cents|money }}", cents=None) == ""
    assert render("{{ cents|money }}", cents="abc") == ""
    assert render("{{ cents|money }}", cents=1.5) == ""  # never a float


def test_dates_in_the_users_language():
    day = datetime.date(2026, 11, 22)
    with translation.override("nl"):
        assert render("{{ d|localdate }}", d=day) == "22 nov 2026"
        assert render('{{ d|localdate:"long" }}', d=day) == "22 november 2026"
    with translation.override("en"):
        assert render("{{ d|localdate }}", d=day) == "22 Nov 2026"


def test_datetimes_are_shown_in_the_site_time_zone():
    moment = datetime.datetime(2026, 11, 22, 23, 30, tzinfo=datetime.UTC)
    with translation.override("nl"):
        assert render("{{ d|localdate }}", d=moment) == "23 nov 2026"
        assert "00:30" in render('{{ d|localdatetime:"short" }}', d=moment)
