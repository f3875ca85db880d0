"""The one validator every door shares: each rule, each error message, each notation a door may use."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from incasso.domain.money import Money, MoneyError
from incasso.intake.fields import RowCheck, email_valid
from incasso.intake.rows import SPREADSHEET, STRICT, ClaimRecord, ClaimRow, CreditRecord, DocumentKind, RowError
from incasso.intake.validation import row_validate

GOOD = {
    "invoice_number": "F-1",
    "invoice_date": "2026-01-10",
    "due_date": "2026-02-09",
    "amount": "125.50",
    "debtor_reference": "K-1",
    "debtor_kind": "consumer",
    "given_names": "Jan",
    "surname": "Jansen",
    "postcode": "1012ab",
    "email": "jan@example.com",
    "iban": "nl91 abna 0417 1643 00",
}


def row(dialect=STRICT, **changes):
    return row_validate(ClaimRow(7, DocumentKind.INVOICE, **{**GOOD, **changes}), dialect)


def errors(dialect=STRICT, **changes):
    result = row(dialect, **changes)
    assert isinstance(result, list), result
    return {(error.field, error.error) for error in result}


def test_a_good_row_becomes_a_record_in_stored_form():
    record = row()
    assert isinstance(record, ClaimRecord)
    assert record.principal_cents == 12_550
    assert record.invoice_date == datetime.date(2026, 1, 10)
    assert record.currency == "EUR"
    assert record.interest is None
    assert record.debtor.postcode == "1012 AB"
    assert record.debtor.iban == "NL91ABNA0417164300"
    assert record.debtor.country == "NL"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"invoice_number": "  "}, {("invoice_number", "is required")}),
        ({"invoice_number": "X" * 65}, {("invoice_number", "is longer than 64 characters")}),
        ({"amount": "0"}, {("amount", "'0' is not more than zero")}),
        ({"amount": "-5.00"}, {("amount", "'-5.00' is not more than zero")}),
        ({"amount": "1.005"}, {("amount", "'1.005' has more than two decimals")}),
        ({"amount": "1e3"}, {("amount", "'1e3' is not an amount (write e.g. 1250.00)")}),
        ({"amount": "12,50"}, {("amount", "'12,50' is not an amount (write e.g. 1250.00)")}),
        ({"amount": ""}, {("amount", "is required")}),
        ({"currency": "usd"}, {("currency", "USD is not accepted: Incasso collects claims in euros (EUR) only")}),
        ({"invoice_date": "10-01-2026"}, {("invoice_date", "'10-01-2026' is not a date (YYYY-MM-DD)")}),
        ({"invoice_date": "2026-02-30"}, {("invoice_date", "'2026-02-30' is not a date (YYYY-MM-DD)")}),
        ({"due_date": ""}, {("due_date", "is required")}),
        # Beyond any day this business means: the limitation and interest arithmetic would run off the calendar.
        ({"due_date": "9999-12-31"}, {("due_date", "'9999-12-31' is not between 1900-01-01 and 2099-12-31")}),
        (
            {"invoice_date": "1899-12-31", "due_date": "1899-12-31"},
            {
                ("invoice_date", "'1899-12-31' is not between 1900-01-01 and 2099-12-31"),
                ("due_date", "'1899-12-31' is not between 1900-01-01 and 2099-12-31"),
            },
        ),
        ({"due_date": "2026-01-09"}, {("due_date", "2026-01-09 is before the invoice date 2026-01-10")}),
        ({"iban": "NL91ABNA0417164301"}, {("iban", "'NL91ABNA0417164301' is not a valid IBAN")}),
        ({"postcode": "0123 AB"}, {("postcode", "'0123 AB' is not a valid Dutch postcode (e.g. 1234 AB)")}),
        ({"email": "jan@"}, {("email", "'jan@' is not a valid e-mail address")}),
        (
            {"debtor_kind": "particulier"},
            {("debtor_kind", "'particulier' is not one of: consumer, sole_trader, company")},
        ),
        ({"debtor_kind": ""}, {("debtor_kind", "is required (one of: consumer, sole_trader, company)")}),
        ({"debtor_reference": ""}, {("debtor_reference", "is required")}),
        ({"surname": ""}, {("surname", "is required for a consumer")}),
        ({"country": "Nederland"}, {("country", "'Nederland' is not a two-letter country code (ISO 3166), e.g. NL")}),
        ({"kvk_number": "1234"}, {("kvk_number", "'1234' is not a KvK number (8 digits)")}),
        ({"interest": "high"}, {("interest", "'high' is not one of: statutory, commercial, none")}),
        ({"surname": "Jan\x00sen"}, {("surname", "contains a NUL character")}),
    ],
)
def test_each_rule_gives_a_clear_error_on_its_field(changes, expected):
    assert errors(**changes) == expected


def test_every_error_of_a_row_is_reported_at_once():
    found = errors(amount="0", email="x", postcode="9999")
    assert {field for field, _ in found} == {"amount", "email", "postcode"}
    assert all(error.row == 7 for error in row(amount="0", email="x"))


def test_a_company_needs_its_registered_name_and_has_no_date_of_birth():
    assert errors(debtor_kind="company", surname="", date_of_birth="1980-01-01") == {
        ("organisation_name", "is required for a company"),
        ("date_of_birth", "a company has no date of birth"),
    }
    record = row(debtor_kind="company", surname="", given_names="", organisation_name="Hoog B.V.")
    assert isinstance(record, ClaimRecord)
    assert record.debtor.kind == "company"


def test_a_sole_trader_needs_a_surname():
    assert errors(debtor_kind="sole_trader", surname="", organisation_name="Klus") == {
        ("surname", "is required for a sole trader")
    }


def test_postcodes_outside_the_netherlands_are_not_checked_as_dutch():
    record = row(country="be", postcode="1000")
    assert isinstance(record, ClaimRecord)
    assert (record.debtor.country, record.debtor.postcode) == ("BE", "1000")


def test_spreadsheet_notations_are_accepted_only_from_spreadsheets():
    changes = {"invoice_date": "10-01-2026", "due_date": "9-2-2026", "amount": "1250,5", "debtor_kind": "Particulier"}
    record = row(SPREADSHEET, **changes)
    assert isinstance(record, ClaimRecord)
    assert (record.invoice_date, record.due_date) == (datetime.date(2026, 1, 10), datetime.date(2026, 2, 9))
    assert record.principal_cents == 125_050
    assert record.debtor.kind == "consumer"
    assert {field for field, _ in errors(**changes)} == {"invoice_date", "due_date", "amount", "debtor_kind"}


@pytest.mark.parametrize(
    ("dutch", "kind"), [("particulier", "consumer"), ("ZZP", "sole_trader"), ("bedrijf", "company")]
)
def test_dutch_debtor_kinds(dutch, kind):
    record = row(SPREADSHEET, debtor_kind=dutch, organisation_name="Naam")
    assert isinstance(record, ClaimRecord)
    assert record.debtor.kind == kind


def test_payment_terms_give_the_due_date_when_there_is_none():
    record = row(due_date="", payment_terms_days="14")
    assert isinstance(record, ClaimRecord)
    assert record.due_date == datetime.date(2026, 1, 24)
    assert errors(due_date="", payment_terms_days="soon") == {("payment_terms_days", "'soon' is not a number of days")}


def test_a_credit_note_needs_the_invoice_it_corrects():
    credit = row_validate(
        ClaimRow(1, DocumentKind.CREDIT_NOTE, invoice_number="CN-1", invoice_date="2026-02-01", amount="10.00"),
        STRICT,
    )
    assert credit == [
        RowError(1, "credited_invoice_number", "a credit note must name the invoice it corrects (BillingReference)")
    ]
    credit = row_validate(
        ClaimRow(
            1,
            DocumentKind.CREDIT_NOTE,
            invoice_number="CN-1",
            invoice_date="2026-02-01",
            amount="10.00",
            credited_invoice_number="F-1",
        ),
        STRICT,
    )
    assert credit == CreditRecord(1, "CN-1", datetime.date(2026, 2, 1), 1_000, "F-1")


@pytest.mark.parametrize(
    "address",
    [
        "jan@example.com",
        "a.b+c@sub.example.co.uk",
        "jan@localhost",
        "jan@[127.0.0.1]",
        "jan@[::1]",
        "jan@[1.2.3.999]",
        "jan@xn--bcher-kva.ch",
        "jan@bücher.ch",
        "jän@example.com",
        '"jan de vries"@example.com',
        "jan de vries@example.com",
        "@example.com",
        "jan@",
        "jan@@example.com",
        "jan@example..com",
        "jan@-example.com",
        "jan@example",
        "jan@example.com\n",
        "a" * 310 + "@example.com",
        "",
    ],
)
def test_email_check_agrees_with_djangos_validator(address):
    try:
        validate_email(address)
        expected = True
    except ValidationError:
        expected = False
    assert email_valid(address) is expected


@pytest.mark.parametrize(
    "amount", ["1250.00", "0.01", "0012.34", "999999999999.99", "1.5", "7", "١٢.٣٤", "12.345", "-1.00", "1e3"]
)
def test_amounts_read_as_money_reads_them(amount):
    check = RowCheck(1)
    cents = check.cents("amount", amount, SPREADSHEET)
    try:
        expected = Money.parse(amount).cents
    except MoneyError:
        expected = None
    if expected is not None and expected <= 0:
        expected = None
    assert cents == expected
