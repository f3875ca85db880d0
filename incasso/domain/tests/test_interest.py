from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.interest import (
    InterestAccount,
    InterestKind,
    RateRow,
    RateTable,
    RateTableError,
    _segment_interest_cents,
    anniversary,
    parse_rate_tables,
    segment_interest,
    segment_interest_exact,
    shipped_rate_tables,
)
from incasso.domain.money import Money


def test_shipped_table_has_the_legal_md_rows_with_sources():
    tables = shipped_rate_tables()
    statutory, commercial = tables[InterestKind.STATUTORY], tables[InterestKind.COMMERCIAL]
    assert statutory.first_date == date(2012, 7, 1)
    assert commercial.first_date == date(2014, 7, 1)
    assert statutory.row_on(date(2024, 3, 1)).rate == Decimal("7.00")
    assert commercial.row_on(date(2024, 12, 31)).rate == Decimal("12.25")
    assert commercial.row_on(date(2026, 6, 1)).confirmed is False
    assert all(row.source for table in tables.values() for row in table.rows)
    with pytest.raises(RateTableError):
        statutory.row_on(date(2012, 6, 30))


def test_malformed_tables_are_refused():
    with pytest.raises(RateTableError):
        parse_rate_tables({"statutory": [{"from": "2020-01-01"}], "commercial": []})
    row = RateRow(date(2020, 1, 1), Decimal(2), True, "x")
    with pytest.raises(RateTableError):
        RateTable(InterestKind.STATUTORY, (row, row))
    with pytest.raises(RateTableError):
        RateTable(InterestKind.STATUTORY, ())


def test_anniversary_of_29_february():
    assert anniversary(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert anniversary(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert anniversary(date(2023, 3, 1), 1) == date(2024, 3, 1)


def _account(principal="1000.00", anchor=date(2017, 1, 1), kind=InterestKind.STATUTORY):
    return InterestAccount(principal=Money.parse(principal), anchor=anchor, table=shipped_rate_tables()[kind])


def test_split_at_rate_change_rounds_each_segment():
    account = _account("1648.58", date(2014, 12, 12))
    account.accrue_to(date(2015, 5, 29))
    assert [(s.start, s.end, str(s.interest)) for s in account.segments] == [
        (date(2014, 12, 12), date(2015, 1, 1), "2.71"),
        (date(2015, 1, 1), date(2015, 5, 29), "13.37"),
    ]
    assert str(account.interest) == "16.08"


def test_capitalises_at_each_anniversary_including_the_end_date():
    account = _account()
    account.accrue_to(date(2019, 1, 1))
    assert str(account.capitalised) == "40.40"
    assert str(account.interest) == "0.00"
    account.accrue_to(date(2019, 1, 1))  # accruing to the same day again changes nothing
    assert str(account.principal) == "1040.40"


def test_leap_year_anchor_capitalises_on_28_february():
    account = _account("1000.00", date(2024, 2, 29))
    account.accrue_to(date(2025, 3, 1))
    ends = [s.end for s in account.segments if s.capitalised_at_end]
    assert ends == [date(2025, 2, 28)]


def test_payments_take_capitalised_interest_before_original_principal():
    account = _account()
    account.accrue_to(date(2018, 1, 1))
    paid = account.pay_principal(Money.parse("25.00"))
    assert str(paid) == "25.00"
    assert str(account.capitalised) == "0.00"
    assert str(account.original) == "995.00"


def test_no_table_means_no_interest():
    account = InterestAccount(principal=Money.parse("100"), anchor=date(2020, 1, 1), table=None)
    account.accrue_to(date(2030, 1, 1))
    assert not account.interest and not account.capitalised


days = st.integers(min_value=0, max_value=4000)


@given(principal=st.integers(min_value=0, max_value=10**12), first=days, second=days)
def test_simple_interest_is_additive_over_split_intervals(principal, first, second):
    base, rate = Money(principal), Decimal("8.15")
    whole = segment_interest_exact(base, rate, first + second)
    assert whole == segment_interest_exact(base, rate, first) + segment_interest_exact(base, rate, second)


@given(principal=st.integers(min_value=0, max_value=10**10), split=st.integers(min_value=1, max_value=364))
def test_rounded_segments_within_a_year_differ_from_one_segment_by_at_most_a_cent(principal, split):
    anchor = date(2016, 7, 1)
    whole = _account(str(Money(principal)), anchor, InterestKind.COMMERCIAL)
    whole.accrue_to(date(2017, 6, 30))
    parts = _account(str(Money(principal)), anchor, InterestKind.COMMERCIAL)
    parts.accrue_to(date.fromordinal(anchor.toordinal() + split))
    parts.accrue_to(date(2017, 6, 30))
    assert abs(whole.interest.cents - parts.interest.cents) <= 1


@given(
    principal=st.integers(min_value=0, max_value=10**13),
    days=st.integers(min_value=0, max_value=366),
    row=st.sampled_from([row for table in shipped_rate_tables().values() for row in table.rows]),
)
def test_the_integer_fast_path_equals_the_exact_rounding(principal, days, row):
    assert (
        _segment_interest_cents(principal, row.ratio, days) == segment_interest(Money(principal), row.rate, days).cents
    )


@given(
    principal=st.integers(min_value=0, max_value=10**10),
    anchor=st.dates(min_value=date(2014, 7, 1), max_value=date(2026, 6, 30)),
    steps=st.lists(st.integers(min_value=0, max_value=900), max_size=5),
    kind=st.sampled_from([InterestKind.STATUTORY, InterestKind.COMMERCIAL]),
)
def test_the_accrual_loop_agrees_with_its_segments(principal, anchor, steps, kind):
    """Each recorded segment is its own rounded interest at its row's rate, the segments tile [anchor, cursor), the
    rows used are the segments' rows, and an account that keeps no segments reaches the same amounts."""
    kept = _account(str(Money(principal)), anchor, kind)
    bare = InterestAccount(
        principal=Money(principal), anchor=anchor, table=shipped_rate_tables()[kind], keep_segments=False
    )
    day = anchor
    for step in steps:
        day = date.fromordinal(day.toordinal() + step)
        kept.accrue_to(day)
        bare.accrue_to(day)
        assert (kept.principal, kept.interest, kept.capitalised) == (bare.principal, bare.interest, bare.capitalised)
        assert kept.cursor == bare.cursor == max(day, anchor)
        segments = kept.segments
        assert [s.start for s in segments] == [anchor, *(s.end for s in segments)][: len(segments)]
        assert (segments[-1].end if segments else anchor) == kept.cursor
        assert all(s.interest == segment_interest(s.base, s.rate.rate, (s.end - s.start).days) for s in segments)
        assert all(kept.table.row_on(s.start) == s.rate for s in segments)
        assert kept.rows_used() == bare.rows_used() == {s.rate for s in segments}
    with pytest.raises(ValueError, match="keep_segments"):
        _ = bare.segments
