"""Bad input to the quote: every case names the offending field and never raises anything but QuoteError."""

import copy
import json

import pytest

from incasso.domain.interest import shipped_rate_tables
from incasso.domain.quote import QuoteError, quote_calculate
from incasso.domain.quote_io import loads, parse_quote_request

VALID = {
    "interest": "statutory",
    "as_of": "2024-06-01",
    "claims": [{"id": "A", "principal": "1500.00", "due_date": "2023-03-01"}],
    "payments": [{"date": "2023-08-15", "amount": "600.00"}],
    "costs": {"due_from": "2023-05-01", "vat_rate": "0.21"},
}


def mutate(path, value):
    document = copy.deepcopy(VALID)
    node = document
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return document


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("surprise",), 1, "surprise"),
        (("claims", 0, "colour"), "red", "claims[0].colour"),
        (("payments", 0, "memo"), "x", "payments[0].memo"),
        (("costs", "extra"), "x", "costs.extra"),
        (("interest",), "compound", "interest"),
        (("interest",), KeyError, "interest"),
        (("as_of",), KeyError, "as_of"),
        (("as_of",), "2024-02-30", "as_of"),
        (("as_of",), "01-06-2024", "as_of"),
        (("as_of",), "20240601", "as_of"),
        (("as_of",), 20240601, "as_of"),
        (("claims",), [], "claims"),
        (("claims",), {"id": "A"}, "claims"),
        (("claims", 0), "A", "claims[0]"),
        (("claims", 0, "principal"), "-1.00", "claims[0].principal"),
        (("claims", 0, "principal"), "12.345", "claims[0].principal"),
        (("claims", 0, "principal"), "twelve", "claims[0].principal"),
        (("claims", 0, "principal"), "1e5", "claims[0].principal"),
        (("claims", 0, "principal"), "\u0661\u0662", "claims[0].principal"),  # Arabic-Indic digits
        (("claims", 0, "principal"), " 12.00", "claims[0].principal"),
        (("claims", 0, "principal"), True, "claims[0].principal"),
        (("claims", 0, "principal"), None, "claims[0].principal"),
        (("claims", 0, "principal"), "99999999999999999999", "claims[0].principal"),
        (("claims", 0, "due_date"), "yesterday", "claims[0].due_date"),
        (("claims", 0, "interest_from"), "2023-13-01", "claims[0].interest_from"),
        (("claims", 0, "id"), "", "claims[0].id"),
        (("claims", 0, "id"), ["A"], "claims[0].id"),
        (("payments",), "600", "payments"),
        (("payments", 0, "amount"), "-600.00", "payments[0].amount"),
        (("payments", 0, "amount"), KeyError, "payments[0].amount"),
        (("payments", 0, "date"), "2023-8-15", "payments[0].date"),
        (("costs",), "2023-05-01", "costs"),
        (("costs", "due_from"), KeyError, "costs.due_from"),
        (("costs", "vat_rate"), "21%", "costs.vat_rate"),
        (("costs", "vat_rate"), "1.21", "costs.vat_rate"),
        (("costs", "vat_rate"), "-0.21", "costs.vat_rate"),
    ],
)
def test_bad_input_names_the_field(path, value, field):
    with pytest.raises(QuoteError) as error:
        quote_calculate(parse_quote_request(mutate(path, value)), shipped_rate_tables())
    assert error.value.field == field


@pytest.mark.parametrize("document", [[], "quote", 3, None])
def test_the_document_must_be_an_object(document):
    with pytest.raises(QuoteError) as error:
        parse_quote_request(document)
    assert error.value.field == "$"


@pytest.mark.parametrize("text", ["", "{", "NaN", '{"a": Infinity}', b"\xff\xfe", "[" * 100_000])
def test_malformed_json_is_an_error_on_the_document(text):
    with pytest.raises(QuoteError) as error:
        parse_quote_request(loads(text))
    assert error.value.field == "$"


def test_numbers_are_parsed_exactly_and_optional_keys_may_be_absent_or_null():
    request = parse_quote_request(
        loads(
            json.dumps(
                {
                    "interest": "none",
                    "as_of": "2024-01-01",
                    "claims": [{"id": 7, "principal": 1, "due_date": "2023-01-01"}],
                }
            ).replace('"principal": 1', '"principal": 0.10')
        )
    )
    assert request.claims[0].principal.cents == 10
    assert request.claims[0].id == "7"
    assert request.payments == ()
    assert request.costs is None
    nulls = parse_quote_request({**VALID, "payments": None, "costs": None})
    assert nulls.payments == () and nulls.costs is None
