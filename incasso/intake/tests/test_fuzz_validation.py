"""Any text in any field of a row, through the one validator every door uses: a record or row errors, never an
exception (a REST client, a CSV cell and an e-invoice element can each hold anything)."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from incasso.intake.rows import (
    ROW_FIELDS,
    SPREADSHEET,
    STRICT,
    ClaimRecord,
    ClaimRow,
    CreditRecord,
    DocumentKind,
    RowError,
)
from incasso.intake.tests.test_fuzz_mutations import DERANDOMIZE, SCALE
from incasso.intake.validation import row_validate

# Plausible values for each field, so rows get past the first error and deeper checks run too.
PLAUSIBLE = {
    "invoice_number": "F-1",
    "invoice_date": "2026-01-10",
    "due_date": "2026-02-09",
    "amount": "125.50",
    "currency": "EUR",
    "debtor_reference": "K-1",
    "debtor_kind": "consumer",
    "surname": "Jansen",
    "postcode": "1012 AB",
    "country": "NL",
    "iban": "NL91ABNA0417164300",
    "payment_terms_days": "",
}
ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["²", "١٢", "0" * 400, "-0", "1e400", "NaN", "9999-99-99", "31-02-2026", "\x00", " ", "\u200b"]),
)


@st.composite
def rows(draw: st.DrawFn) -> ClaimRow:
    values = {name: PLAUSIBLE.get(name, "") for name in ROW_FIELDS}
    for name in draw(st.lists(st.sampled_from(ROW_FIELDS), min_size=1, max_size=4, unique=True)):
        values[name] = draw(ODD_TEXT)
    document = draw(st.sampled_from(list(DocumentKind)))
    return ClaimRow(row=2, document=document, **values)


@settings(
    max_examples=300 * SCALE, deadline=None, derandomize=DERANDOMIZE, suppress_health_check=[HealthCheck.too_slow]
)
@given(rows(), st.sampled_from([STRICT, SPREADSHEET]))
@example(ClaimRow(row=2, **{**PLAUSIBLE, "due_date": "", "payment_terms_days": "²"}), STRICT)
def test_any_row_is_validated_into_a_record_or_errors(row, dialect):
    result = row_validate(row, dialect)
    if isinstance(result, list):
        assert result
        assert all(isinstance(error, RowError) and error.error for error in result)
    else:
        assert isinstance(result, ClaimRecord | CreditRecord)


def test_a_nul_in_a_foreign_postcode_is_refused():
    row = ClaimRow(row=2, **{**PLAUSIBLE, "postcode": "B-1000\x00", "country": "BE"})
    errors = row_validate(row, STRICT)
    assert isinstance(errors, list)
    assert [(error.field, error.error) for error in errors] == [("postcode", "contains a NUL character")]
