"""The one import service behind every door: what goes in, what is refused, and what is never done twice."""

import datetime
import io

import pytest
from django.db import IntegrityError

from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.cases.models import Case, Claim
from incasso.intake import writer
from incasso.intake.csv_format import csv_open
from incasso.intake.models import ImportBatch, ImportSource, ImportStatus
from incasso.intake.rows import SPREADSHEET, ClaimRow
from incasso.intake.services import claims_import
from incasso.intake.tests.conftest import FIXTURES
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.parties.models import Debtor

pytestmark = pytest.mark.django_db

NL_FILE = FIXTURES / "claims-nl.csv"
NL_SUMMARY = {
    "created": 3,
    "duplicates": 1,
    "rejected": [
        {"row": 5, "field": "due_date", "error": "2026-01-01 is before the invoice date 2026-02-01"},
        {"row": 5, "field": "amount", "error": "'0' is not more than zero"},
        {"row": 5, "field": "organisation_name", "error": "is required for a company"},
        {"row": 5, "field": "postcode", "error": "'9999' is not a valid Dutch postcode (e.g. 1234 AB)"},
        {"row": 5, "field": "email", "error": "'geen-email' is not a valid e-mail address"},
        {"row": 5, "field": "iban", "error": "'NL00ABNA' is not a valid IBAN"},
        {"row": 5, "field": "kvk_number", "error": "'123' is not a KvK number (8 digits)"},
        {"row": 6, "field": "amount", "error": "'12,345' has more than two decimals"},
        {"row": 6, "field": "surname", "error": "is required for a sole trader"},
    ],
}


def csv_rows(text):
    return csv_open(io.BytesIO(text.encode()))


HEADER = "invoice_number,invoice_date,due_date,amount,debtor_reference,debtor_kind,surname,organisation_name,interest\n"


def test_a_dutch_csv_file_good_rows_in_bad_rows_reported(creditor, import_file):
    assert import_file(creditor, NL_FILE) == NL_SUMMARY
    claims = {claim.invoice_number: claim for claim in Claim.objects.filter(client=creditor)}
    assert set(claims) == {"F-1001", "F-1002", "F-1003"}
    assert claims["F-1001"].principal_cents == 12_550
    assert claims["F-1001"].invoice_date == datetime.date(2026, 2, 1)
    assert claims["F-1001"].description == "Abonnement februari"
    jan = Debtor.objects.get(client=creditor, reference="K-1")
    assert (jan.kind, jan.given_names, jan.surname, jan.postcode) == ("consumer", "Jan", "Jansen", "1012 AB")
    assert jan.iban == "NL91ABNA0417164300"
    # Two invoices of one debtor in one file: one case.
    assert claims["F-1001"].case_id == claims["F-1002"].case_id
    assert claims["F-1001"].case.interest_kind == "statutory"
    assert claims["F-1003"].case.interest_kind == "commercial"
    assert Debtor.objects.get(reference="K-2").kvk_number == "12345678"


def test_importing_the_same_file_twice_creates_nothing_the_second_time(creditor, import_file):
    import_file(creditor, NL_FILE)
    counts = (Debtor.objects.count(), Case.objects.count(), Claim.objects.count())
    second = import_file(creditor, NL_FILE)
    assert (second["created"], second["duplicates"]) == (0, 4)
    assert second["rejected"] == NL_SUMMARY["rejected"]
    assert (Debtor.objects.count(), Case.objects.count(), Claim.objects.count()) == counts


def test_an_english_csv_file(creditor, import_file):
    summary = import_file(creditor, FIXTURES / "claims-en.csv")
    assert summary == {
        "created": 2,
        "duplicates": 0,
        "rejected": [
            {"row": 3, "field": "currency", "error": "USD is not accepted: Incasso collects claims in euros (EUR) only"}
        ],
    }
    assert Claim.objects.get(invoice_number="INV-1").case.interest_kind == "commercial"  # a sole trader
    assert Claim.objects.get(invoice_number="INV-3").case.interest_kind == "none"  # the row says so


def test_the_same_invoice_twice_in_one_file_is_one_claim(creditor):
    rows = csv_rows(
        HEADER + "F1,2026-01-01,2026-02-01,10,K1,consumer,Smit,,\nF1,2026-01-05,2026-02-05,10,K1,consumer,Smit,,\n"
    )
    summary = claims_import(client=creditor, rows=rows, source=ImportSource.CSV, dialect=SPREADSHEET)
    assert (summary.created, summary.duplicates, summary.rejected) == (1, 1, [])
    assert Claim.objects.get(invoice_number="F1").invoice_date == datetime.date(2026, 1, 1)


def test_duplicates_across_chunks_are_found_too(creditor):
    lines = "".join(f"F{n % 3},2026-01-01,2026-02-01,10,K{n % 3 % 2},consumer,Smit,,\n" for n in range(7))
    summary = claims_import(client=creditor, rows=csv_rows(HEADER + lines), source=ImportSource.CSV, chunk_size=2)
    assert (summary.created, summary.duplicates) == (3, 4)
    assert Debtor.objects.filter(client=creditor).count() == 2
    assert Case.objects.filter(client=creditor).count() == 2


def test_a_debtor_reference_of_one_client_is_never_matched_for_another(creditor):
    other = ClientFactory(code="other")
    theirs = DebtorFactory(client=other, reference="K1", surname="Anders")
    rows = csv_rows(HEADER + "F1,2026-01-01,2026-02-01,10,K1,consumer,Smit,,\n")
    claims_import(client=creditor, rows=rows, source=ImportSource.CSV)
    ours = Debtor.objects.get(client=creditor, reference="K1")
    assert ours.pk != theirs.pk
    assert ours.surname == "Smit"
    theirs.refresh_from_db()
    assert theirs.surname == "Anders"
    assert not theirs.cases.exists()
    claim = Claim.objects.get(invoice_number="F1")
    assert claim.client_id == claim.case.client_id == claim.case.debtor.client_id == creditor.pk


def test_an_invoice_number_of_another_client_is_not_a_duplicate(creditor):
    ClaimFactory(case=CaseFactory(debtor=DebtorFactory(client=ClientFactory(code="other"))), invoice_number="F1")
    summary = claims_import(
        client=creditor, rows=csv_rows(HEADER + "F1,2026-01-01,2026-02-01,10,K1,consumer,Smit,,\n"), source="csv"
    )
    assert (summary.created, summary.duplicates) == (1, 0)


def test_claims_of_a_known_debtor_join_its_open_case_and_keep_its_data(creditor):
    debtor = DebtorFactory(client=creditor, reference="K1", surname="Origineel")
    CaseFactory(debtor=debtor, closed=True)
    open_case = CaseFactory(debtor=debtor)
    rows = csv_rows(HEADER + "F1,2026-01-01,2026-02-01,10,K1,consumer,Anders,,\n")
    claims_import(client=creditor, rows=rows, source=ImportSource.CSV)
    assert Claim.objects.get(invoice_number="F1").case_id == open_case.pk
    debtor.refresh_from_db()
    assert debtor.surname == "Origineel"  # intake matches debtors; it never overwrites them


def test_a_debtor_whose_cases_are_all_closed_gets_a_new_case(creditor):
    debtor = DebtorFactory(client=creditor, reference="K1")
    closed = CaseFactory(debtor=debtor, closed=True, number="2026-000041")
    rows = csv_rows(
        HEADER + "F1,2026-01-01,2026-02-01,10,K1,consumer,Smit,,\nF2,2026-01-01,2026-02-01,10,K2,company,,Hoog BV,\n"
    )
    claims_import(client=creditor, rows=rows, source=ImportSource.CSV)
    case = Claim.objects.get(invoice_number="F1").case
    assert case.pk != closed.pk
    assert case.stage == "reminder"
    year = case.opened_on.year
    numbers = sorted(Case.objects.exclude(pk=closed.pk).values_list("number", flat=True))
    if year == 2026:
        assert numbers == ["2026-000042", "2026-000043"]
    else:
        assert numbers == [f"{year}-000001", f"{year}-000002"]


def test_nothing_of_a_chunk_is_written_when_its_write_fails(creditor, monkeypatch):
    real_insert = writer.rows_insert
    calls = {"claims": 0}

    def failing_insert(model, attnames, rows, **options):
        if model is Claim:
            calls["claims"] += 1
            if calls["claims"] == 2:
                raise RuntimeError("disk full")
        return real_insert(model, attnames, rows, **options)

    monkeypatch.setattr(writer, "rows_insert", failing_insert)
    lines = "".join(f"F{n},2026-01-01,2026-02-01,10,K{n},consumer,Smit,,\n" for n in range(4))
    with pytest.raises(RuntimeError, match="disk full"):
        claims_import(client=creditor, rows=csv_rows(HEADER + lines), source=ImportSource.CSV, chunk_size=2)
    # The first chunk is in, whole; of the second chunk there is no debtor, no case and no claim.
    assert sorted(Claim.objects.values_list("invoice_number", flat=True)) == ["F0", "F1"]
    assert sorted(Debtor.objects.values_list("reference", flat=True)) == ["K0", "K1"]
    assert Case.objects.count() == 2
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.created_count) == (ImportStatus.FAILED, 2)
    assert "disk full" in batch.error


def test_a_chunk_that_meets_a_concurrent_writer_is_tried_again(creditor, monkeypatch):
    real_write = writer._chunk_write
    attempts = []

    def racing_write(**arguments):
        attempts.append(1)
        if len(attempts) == 1:
            raise IntegrityError("duplicate key value violates unique constraint")
        return real_write(**arguments)

    monkeypatch.setattr(writer, "_chunk_write", racing_write)
    rows = csv_rows(HEADER + "F1,2026-01-01,2026-02-01,10,K1,consumer,Smit,,\n")
    summary = claims_import(client=creditor, rows=rows, source=ImportSource.CSV)
    assert (summary.created, len(attempts)) == (1, 2)


def test_the_number_of_queries_does_not_grow_with_the_rows(creditor, django_assert_max_num_queries):
    lines = "".join(f"F{n},2026-01-01,2026-02-01,10.{n % 100:02d},K{n // 2},consumer,Smit,,\n" for n in range(500))
    # SQLite caps the parameters of one statement, so bulk inserts go in batches of a few hundred values;
    # on PostgreSQL each table is one COPY. Either way: a fixed handful per chunk, never one per row.
    with django_assert_max_num_queries(40):
        summary = claims_import(client=creditor, rows=csv_rows(HEADER + lines), source=ImportSource.CSV)
    assert summary.created == 500
    with django_assert_max_num_queries(12):
        again = claims_import(client=creditor, rows=csv_rows(HEADER + lines), source=ImportSource.CSV)
    assert again.duplicates == 500


def test_each_import_is_recorded_with_its_counts_and_rejected_rows(creditor, import_file):
    import_file(creditor, NL_FILE)
    batch = ImportBatch.objects.get()
    assert (batch.source, batch.file_format, batch.filename, batch.status) == ("cli", "csv", "claims-nl.csv", "done")
    assert (batch.created_count, batch.duplicate_count, batch.rejected_count) == (3, 1, 2)
    assert len(batch.sha256) == 64
    # Kept with message and params, so the client portal can show each error in the reader's language.
    assert [{key: entry[key] for key in ("row", "field", "error")} for entry in batch.rejected] == NL_SUMMARY[
        "rejected"
    ]
    assert batch.rejected[0]["message"] == "%(due)s is before the invoice date %(invoice)s"
    assert batch.rejected[0]["params"] == {"due": "2026-01-01", "invoice": "2026-02-01"}


def test_the_rejected_list_is_capped_but_counted(creditor):
    lines = "".join(f"F{n},2026-01-01,2026-02-01,0,K1,consumer,Smit,,\n" for n in range(1_005))
    summary = claims_import(client=creditor, rows=csv_rows(HEADER + lines), source=ImportSource.CSV)
    listed = summary.as_dict()["rejected"]
    assert len(listed) == 1_001
    assert listed[-1] == {
        "row": 0,
        "field": "file",
        "error": "5 more rejected rows are not listed (the first 1000 errors are)",
    }
    batch = ImportBatch.objects.get()
    assert (batch.rejected_count, len(batch.rejected)) == (1_005, 1_000)


def test_validating_in_a_second_process_gives_the_same_result(creditor):
    other = ClientFactory(code="other")
    text = NL_FILE.read_bytes()
    inline = claims_import(
        client=creditor, rows=csv_open(io.BytesIO(text)), source="csv", dialect=SPREADSHEET, chunk_size=2
    )
    forked = claims_import(
        client=other, rows=csv_open(io.BytesIO(text)), source="csv", dialect=SPREADSHEET, chunk_size=2, parallel=True
    )
    assert forked.as_dict() == inline.as_dict() == NL_SUMMARY
    assert Claim.objects.filter(client=other).count() == 3


def test_rows_from_any_door_are_plain_claim_rows(creditor):
    rows = [
        ClaimRow(
            1,
            invoice_number="A1",
            invoice_date="2026-01-01",
            due_date="2026-01-31",
            amount="5",
            debtor_reference="X",
            debtor_kind="company",
            organisation_name="X B.V.",
        ),
    ]
    summary = claims_import(client=creditor, rows=rows, source=ImportSource.REST)
    assert summary.as_dict() == {"created": 1, "duplicates": 0, "rejected": []}


def _rows_then(failure):
    yield ClaimRow(
        2,
        invoice_number="A1",
        invoice_date="2026-01-01",
        due_date="2026-01-31",
        amount="5",
        debtor_reference="X",
        debtor_kind="company",
        organisation_name="X B.V.",
    )
    raise failure


@pytest.mark.parametrize("parallel", [False, True])
def test_a_file_that_turns_unreadable_midway_is_refused_and_recorded(creditor, parallel):
    from incasso.intake.rows import ImportFileError

    with pytest.raises(ImportFileError, match="not UTF-8"):
        claims_import(
            client=creditor,
            rows=_rows_then(ImportFileError("file", "the file is not UTF-8 encoded near row 3")),
            source=ImportSource.CSV,
            chunk_size=1,
            parallel=parallel,
        )
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.created_count) == (ImportStatus.REFUSED, 1)


def test_an_unexpected_error_while_validating_in_the_child_is_raised_here(creditor):
    with pytest.raises(RuntimeError, match="validating the rows failed: ValueError: boom"):
        claims_import(
            client=creditor, rows=_rows_then(ValueError("boom")), source=ImportSource.CSV, chunk_size=1, parallel=True
        )
    assert ImportBatch.objects.get().status == ImportStatus.FAILED
