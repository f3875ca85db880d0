"""The quote of LEGAL.md section 4: the worked examples, then each rule on its own."""

import copy

import pytest

from incasso.domain.interest import shipped_rate_tables
from incasso.domain.quote import QuoteError, quote_calculate
from incasso.domain.quote_io import parse_quote_request, render_quote
from incasso.domain.tests.vectors import legal_vectors


def run(document):
    return render_quote(quote_calculate(parse_quote_request(document), shipped_rate_tables()))


def _vector_cases():
    return [pytest.param(case, id=case["about"][:60]) for case in legal_vectors()["quote"]]


@pytest.mark.parametrize("case", _vector_cases())
def test_worked_examples(case):
    result = run(case["input"])
    for key, expected in case["expected"].items():
        assert result[key] == expected, key


def claim(id_="A", principal="1000.00", due="2017-01-01", **extra):
    return {"id": id_, "principal": principal, "due_date": due, **extra}


def test_anniversary_on_a_payment_date_is_capitalised_before_the_payment():
    result = run(
        {
            "interest": "statutory",
            "as_of": "2018-01-01",
            "claims": [claim()],
            "payments": [{"date": "2018-01-01", "amount": "20.00"}],
        }
    )
    # The year's 20.00 interest became principal on 2018-01-01, so the payment reaches principal, not interest.
    assert result["payments"][0]["to_interest"] == "0.00"
    assert result["payments"][0]["to_principal"] == "20.00"
    assert result["claims"][0] == {
        "id": "A",
        "principal_outstanding": "1000.00",
        "interest_outstanding": "0.00",
    }


def test_payment_dates_split_interest_of_every_claim():
    base = {
        "interest": "statutory",
        "as_of": "2015-12-31",
        "claims": [claim(principal="1234.56", due="2015-01-01")],
    }
    # One segment of 364 days: 1234.56 x 2% x 364/365 = 24.6236 -> 24.62.
    assert run(base)["claims"][0]["interest_outstanding"] == "24.62"
    # A payment on 2015-03-03, even one that reaches only claim B, splits A's interest into 61 days (4.1265 ->
    # 4.13) and 303 days (20.4971 -> 20.50), each rounded.
    split = run(
        {
            **base,
            "claims": [*base["claims"], claim("B", "100.00", "2014-12-01")],
            "payments": [{"date": "2015-03-03", "amount": "0.50"}],
        }
    )
    assert split["payments"][0]["to_interest"] == "0.50"
    assert split["claims"][0]["interest_outstanding"] == "24.63"


def test_costs_are_computed_at_the_start_of_their_due_day_before_that_days_payment():
    document = {
        "interest": "none",
        "as_of": "2024-07-19",
        "claims": [claim(principal="1000.00", due="2024-06-01")],
        "costs": {"due_from": "2024-07-19"},
        "payments": [{"date": "2024-07-19", "amount": "1000.00"}],
    }
    result = run(document)
    assert result["costs"] == {"amount": "150.00", "outstanding": "0.00"}
    assert result["payments"][0]["to_costs"] == "150.00"
    assert result["payments"][0]["to_principal"] == "850.00"
    assert result["total_outstanding"] == "150.00"


def test_a_part_payment_within_the_term_lowers_the_costs_base():
    # HR 25-11-2016: costs over the principal still unpaid when the 14-day term ends.
    result = run(
        {
            "interest": "none",
            "as_of": "2024-08-01",
            "claims": [claim(principal="3000.00", due="2024-06-01")],
            "costs": {"due_from": "2024-07-19", "vat_rate": "0.21"},
            "payments": [{"date": "2024-07-10", "amount": "500.00"}],
        }
    )
    assert result["payments"][0]["to_costs"] == "0.00"  # costs were not yet due
    assert result["costs"] == {"amount": "453.75", "outstanding": "453.75"}  # 375.00 over 2500.00, + 21% VAT
    assert result["total_outstanding"] == "2953.75"


def test_costs_not_yet_due_are_zero_with_a_warning():
    result = run(
        {
            "interest": "none",
            "as_of": "2024-07-01",
            "claims": [claim(principal="100.00", due="2024-06-01")],
            "costs": {"due_from": "2024-07-19"},
        }
    )
    assert result["costs"] == {"amount": "0.00", "outstanding": "0.00"}
    assert any("not due before 2024-07-19" in w for w in result["warnings"])


def test_overpayment_and_order_oldest_due_date_then_id():
    result = run(
        {
            "interest": "none",
            "as_of": "2024-07-01",
            "claims": [
                claim("B", "100.00", "2024-01-01"),
                claim("A", "50.00", "2024-01-01"),
                claim("C", "10.00", "2023-01-01"),
            ],
            "payments": [
                {"date": "2024-06-01", "amount": "70.00"},
                {"date": "2024-06-01", "amount": "100.00"},
            ],
        }
    )
    claims = {c["id"]: c["principal_outstanding"] for c in result["claims"]}
    assert [c["id"] for c in result["claims"]] == ["B", "A", "C"]  # reported in input order
    assert claims == {"C": "0.00", "A": "0.00", "B": "0.00"}
    assert result["payments"][0]["overpayment"] == "0.00"
    assert result["payments"][1]["to_principal"] == "90.00"
    assert result["payments"][1]["overpayment"] == "10.00"
    detail = quote_calculate(
        parse_quote_request(
            {
                **{
                    "interest": "none",
                    "as_of": "2024-07-01",
                    "claims": [
                        claim("B", "100.00", "2024-01-01"),
                        claim("A", "50.00", "2024-01-01"),
                        claim("C", "10.00", "2023-01-01"),
                    ],
                    "payments": [{"date": "2024-06-01", "amount": "70.00"}],
                }
            }
        ),
        shipped_rate_tables(),
    )
    assert [(line.claim_id, str(line.amount)) for line in detail.payments[0].lines] == [
        ("C", "10.00"),
        ("A", "50.00"),
        ("B", "10.00"),
    ]


def test_payments_are_taken_in_date_order():
    result = run(
        {
            "interest": "statutory",
            "as_of": "2024-07-01",
            "claims": [claim(principal="1000.00", due="2024-01-01")],
            "payments": [
                {"date": "2024-06-01", "amount": "10.00"},
                {"date": "2024-02-01", "amount": "10.00"},
            ],
        }
    )
    assert [p["date"] for p in result["payments"]] == ["2024-02-01", "2024-06-01"]
    assert result["payments"][0]["to_interest"] == "5.95"  # 31 days at 7% on 1000.00


def test_a_claim_whose_anchor_is_not_reached_earns_nothing_and_interest_from_moves_the_anchor():
    result = run(
        {
            "interest": "commercial",
            "as_of": "2024-03-01",
            "claims": [
                claim("A", "1000.00", "2024-06-01"),
                claim("B", "1000.00", "2024-01-01", interest_from="2024-02-01"),
            ],
        }
    )
    assert result["claims"][0]["interest_outstanding"] == "0.00"
    assert result["claims"][1]["interest_outstanding"] == "9.93"  # 29 days at 12.5%


def test_an_unconfirmed_rate_in_use_produces_a_warning():
    result = run({"interest": "commercial", "as_of": "2026-02-01", "claims": [claim(due="2025-12-01")]})
    assert any("unconfirmed" in w and "2026-01-01" in w for w in result["warnings"])
    confirmed = run({"interest": "commercial", "as_of": "2025-12-01", "claims": [claim(due="2025-08-01")]})
    assert confirmed["warnings"] == []


def test_domain_errors_name_the_field():
    document = {"interest": "statutory", "as_of": "2020-01-01", "claims": [claim(), claim()]}
    with pytest.raises(QuoteError) as error:
        run(document)
    assert error.value.field == "claims[1].id"
    late = copy.deepcopy(document)
    late["claims"] = [claim()]
    late["payments"] = [{"date": "2020-01-02", "amount": "1.00"}]
    with pytest.raises(QuoteError) as error:
        run(late)
    assert error.value.field == "payments[0].date"
    with pytest.raises(QuoteError) as error:
        run({"interest": "statutory", "as_of": "2020-01-01", "claims": [claim(due="2012-06-30")]})
    assert error.value.field == "claims[0].due_date"
    with pytest.raises(QuoteError) as error:
        run(
            {
                "interest": "commercial",
                "as_of": "2020-01-01",
                "claims": [claim(due="2015-01-01", interest_from="2014-01-01")],
            }
        )
    assert error.value.field == "claims[0].interest_from"
    assert (
        run({"interest": "none", "as_of": "2020-01-01", "claims": [claim(due="2001-01-01")]})["total_outstanding"]
        == "1000.00"
    )
    # A claim whose anchor lies before the table is refused only once interest would run on it without a rate.
    early = {"interest": "commercial", "as_of": "2014-06-01", "claims": [claim(due="2014-06-01")]}
    assert run(early)["total_outstanding"] == "1000.00"
    with pytest.raises(QuoteError) as error:
        run({**early, "as_of": "2014-06-02"})
    assert error.value.field == "claims[0].due_date"


def test_each_warning_comes_with_a_code_for_the_interface_to_translate():
    import datetime

    from incasso.domain.quote import NOTICE_COSTS_NOT_DUE, notice_english

    request = parse_quote_request(
        {
            "interest": "none",
            "as_of": "2024-07-01",
            "claims": [claim(principal="100.00", due="2024-06-01")],
            "costs": {"due_from": "2024-07-19"},
        }
    )
    quote = quote_calculate(request, shipped_rate_tables())
    assert [notice.code for notice in quote.notices] == [NOTICE_COSTS_NOT_DUE]
    assert quote.notices[0].values == {"due_from": datetime.date(2024, 7, 19)}
    assert quote.warnings == tuple(notice_english(notice) for notice in quote.notices)
    assert quote.warnings == ("collection costs are not due before 2024-07-19",)
