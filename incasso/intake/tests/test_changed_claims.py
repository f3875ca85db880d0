"""An invoice number sent again: the same claim re-sent is a duplicate; with another amount or debtor it is
a changed claim, refused with the reason, through every door (CSV and UBL files by the CLI, the REST API)."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from incasso.cases.models import Claim
from incasso.cases.services import CaseOpener
from incasso.intake.models import ClaimCredit, ImportBatch, ImportSource
from incasso.intake.pipeline import chunk_validate
from incasso.intake.rows import SPREADSHEET, ClaimRow
from incasso.intake.selectors import claim_outstanding_principal
from incasso.intake.services import api_key_create, claims_import
from incasso.intake.tests.conftest import FIXTURES
from incasso.intake.tests.test_import import HEADER, csv_rows
from incasso.intake.writer import chunk_write
from incasso.parties.factories import ClientFactory
from incasso.parties.models import Debtor
from incasso.privacy.retention.anonymise import anonymise_debtors

pytestmark = pytest.mark.django_db

CHANGED_AMOUNT = (
    "invoice F-1 was already imported with amount 125.50; a changed claim is not replaced by a new import: "
    "send a credit note or contact the agency"
)


def cli(client, path, language="en"):
    out = io.StringIO()
    with translation.override(language):
        call_command("import-claims", "--client", client.code, str(path), stdout=out)
    return json.loads(out.getvalue())


def csv_file(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


FIRST = [
    'F-1,2026-01-01,2026-02-01,"125,50",K-1,consumer,Smit,,\n',
    "F-2,2026-01-01,2026-02-01,80,K-2,company,,Hoog B.V.,\n",
]


def test_a_csv_file_re_sent_is_all_duplicates_and_a_changed_claim_is_refused(creditor, tmp_path):
    first = csv_file(tmp_path, "first.csv", FIRST)
    assert cli(creditor, first) == {"created": 2, "duplicates": 0, "rejected": []}
    # The same file again: nothing created, nothing refused.
    assert cli(creditor, first) == {"created": 0, "duplicates": 2, "rejected": []}
    # Another description and due date change nothing: still the same claim.
    resent = csv_file(tmp_path, "resent.csv", ['F-1,2026-01-01,2026-03-01,"125,50",K-1,consumer,Smit,,\n'])
    assert cli(creditor, resent) == {"created": 0, "duplicates": 1, "rejected": []}
    changed = csv_file(
        tmp_path,
        "changed.csv",
        [
            "F-1,2026-01-01,2026-02-01,150,K-1,consumer,Smit,,\n",  # another amount
            "F-2,2026-01-01,2026-02-01,80,K-9,company,,Anders B.V.,\n",  # another debtor
            "F-3,2026-01-01,2026-02-01,10,K-1,consumer,Smit,,\n",  # new
        ],
    )
    assert cli(creditor, changed) == {
        "created": 1,
        "duplicates": 0,
        "rejected": [
            {"row": 2, "field": "amount", "error": CHANGED_AMOUNT},
            {
                "row": 3,
                "field": "debtor_reference",
                "error": "invoice F-2 was already imported for another debtor; a changed claim is not replaced by a "
                "new import: contact the agency",
            },
        ],
    }
    assert dict(Claim.objects.filter(client=creditor).values_list("invoice_number", "principal_cents")) == {
        "F-1": 12_550,
        "F-2": 8_000,
        "F-3": 1_000,
    }
    batch = ImportBatch.objects.filter(client=creditor).latest("pk")
    assert (batch.created_count, batch.duplicate_count, batch.rejected_count) == (1, 0, 2)
    # Shown again later (e.g. in the portal) in the reader's language.
    assert batch.rejected[0]["params"] == {"invoice": "F-1", "amount": "125.50"}


def test_a_changed_amount_and_debtor_in_one_row_are_one_rejected_row_with_both_reasons(creditor):
    claims_import(client=creditor, rows=csv_rows(HEADER + FIRST[0]), source=ImportSource.CSV, dialect=SPREADSHEET)
    rows = csv_rows(HEADER + "F-1,2026-01-01,2026-02-01,99,K-7,consumer,Smit,,\n")
    summary = claims_import(client=creditor, rows=rows, source=ImportSource.CSV, dialect=SPREADSHEET)
    assert (summary.created, summary.duplicates, summary.rejected_count) == (0, 0, 1)
    assert [(error.row, error.field) for error in summary.rejected] == [(2, "debtor_reference"), (2, "amount")]


def test_a_changed_claim_later_in_the_same_file_is_refused_too(creditor):
    rows = csv_rows(
        HEADER
        + "F1,2026-01-01,2026-02-01,10,K1,consumer,Smit,,\n"
        + "F1,2026-01-01,2026-02-01,10,K1,consumer,Smit,,\n"
        + "F1,2026-01-01,2026-02-01,99,K1,consumer,Smit,,\n"
    )
    summary = claims_import(client=creditor, rows=rows, source=ImportSource.CSV, dialect=SPREADSHEET, chunk_size=2)
    assert (summary.created, summary.duplicates) == (1, 1)
    assert [(error.row, error.field, error.params) for error in summary.rejected] == [
        (4, "amount", (("invoice", "F1"), ("amount", "10.00")))
    ]
    assert Claim.objects.get(client=creditor).principal_cents == 1_000


def test_the_invoice_number_of_another_client_is_never_compared(creditor):
    other = ClientFactory(code="other")
    claims_import(client=other, rows=csv_rows(HEADER + FIRST[0]), source=ImportSource.CSV, dialect=SPREADSHEET)
    rows = csv_rows(HEADER + "F-1,2026-01-01,2026-02-01,99,K-7,consumer,Smit,,\n")
    summary = claims_import(client=creditor, rows=rows, source=ImportSource.CSV, dialect=SPREADSHEET)
    assert (summary.created, summary.duplicates, summary.rejected) == (1, 0, [])


def test_the_comparison_costs_no_query_of_its_own(creditor):
    """One chunk of re-sent and changed claims: the same number of queries as a chunk of plain duplicates."""
    claims_import(client=creditor, rows=csv_rows(HEADER + "".join(FIRST)), source=ImportSource.CSV, dialect=SPREADSHEET)

    def write(lines):
        validated = chunk_validate(list(csv_rows(HEADER + "".join(lines))), SPREADSHEET)
        opener = CaseOpener(actor_id=None, actor_name="test", source="csv")
        with CaptureQueriesContext(connection) as queries:
            outcome = chunk_write(client=creditor, claims=validated.claims, credits=[], batch_id=None, opener=opener)
        return outcome, len(queries)

    resent, resent_queries = write(FIRST * 50)
    changed, changed_queries = write([line.replace("80", "81") for line in FIRST] * 50)
    assert (resent.duplicates, len(resent.rejected)) == (100, 0)
    assert (changed.duplicates, len(changed.rejected)) == (50, 50)
    assert changed_queries == resent_queries


def test_an_e_invoice_sent_again_changed_is_refused_and_a_credit_note_is_no_conflict(creditor, tmp_path):
    invoice = FIXTURES / "nlcius-invoice.xml"
    assert cli(creditor, invoice)["created"] == 1
    assert cli(creditor, FIXTURES / "peppol-creditnote.xml") == {"created": 1, "duplicates": 0, "rejected": []}
    # The original invoice re-sent after its credit note: the same claim, a duplicate.
    assert cli(creditor, invoice) == {"created": 0, "duplicates": 1, "rejected": []}
    changed = tmp_path / "changed.xml"
    text = invoice.read_text(encoding="utf-8")
    assert '<cbc:PayableAmount currencyID="EUR">1210.00</cbc:PayableAmount>' in text
    # Neither the invoice's amount nor what the credit note left of it (968.00): a changed claim.
    changed.write_text(
        text.replace('<cbc:PayableAmount currencyID="EUR">1210.00', '<cbc:PayableAmount currencyID="EUR">1000.00'),
        encoding="utf-8",
    )
    summary = cli(creditor, changed, language="nl")
    assert summary == {
        "created": 0,
        "duplicates": 0,
        "rejected": [
            {
                "row": 1,
                "field": "amount",
                "error": "factuur NL-2026-0042 is al ingelezen met bedrag 1210.00; een gewijzigde vordering wordt "
                "niet vervangen door een nieuwe aanlevering: stuur een creditnota of neem contact op met het "
                "incassobureau",
            }
        ],
    }
    assert Claim.objects.get(client=creditor).principal_cents == 121_000


def test_the_rest_api_refuses_a_changed_claim_in_the_callers_language(client, creditor):
    key = api_key_create(client=creditor, name="ERP")[1]

    def post(body, language="en"):
        headers = {"Authorization": f"Bearer {key}", "Accept-Language": language}
        response = client.post(
            "/api/v1/claims", data=json.dumps(body), content_type="application/json", headers=headers
        )
        assert response.status_code == 200, response.content
        return response.json()

    first = {
        "invoice_number": "F-1",
        "invoice_date": "2026-01-10",
        "due_date": "2026-02-09",
        "amount": "125.50",
        "debtor_reference": "K-1",
        "debtor_kind": "consumer",
        "surname": "Jansen",
    }
    assert post([first]) == {"created": 1, "duplicates": 0, "rejected": []}
    assert post([first]) == {"created": 0, "duplicates": 1, "rejected": []}
    assert post([first, {**first, "amount": "126.00"}]) == {
        "created": 0,
        "duplicates": 1,
        "rejected": [{"row": 2, "field": "amount", "error": CHANGED_AMOUNT}],
    }
    dutch = post([{**first, "debtor_reference": "K-2"}], language="nl")
    assert dutch["rejected"] == [
        {
            "row": 1,
            "field": "debtor_reference",
            "error": "factuur F-1 is al ingelezen voor een andere debiteur; een gewijzigde vordering wordt niet "
            "vervangen door een nieuwe aanlevering: neem contact op met het incassobureau",
        }
    ]
    assert Claim.objects.get(client=creditor).principal_cents == 12_550


def test_a_claim_re_sent_after_its_debtor_was_anonymised_is_a_duplicate_not_another_debtor(creditor, tmp_path):
    first = csv_file(tmp_path, "first.csv", FIRST)
    assert cli(creditor, first)["created"] == 2
    debtor = Debtor.objects.get(client=creditor, reference="K-1")
    with transaction.atomic():
        anonymise_debtors([debtor.pk])
    assert Debtor.objects.get(pk=debtor.pk).reference.startswith("anon-")
    # The client's file still names its own reference; the stored one is gone with the person: nothing to compare,
    # so the same amount is a re-send (and nothing about the erased debtor is created again).
    resent = csv_file(tmp_path, "resent.csv", [FIRST[0]])
    assert cli(creditor, resent) == {"created": 0, "duplicates": 1, "rejected": []}
    # Another amount is still a changed claim.
    changed = csv_file(tmp_path, "changed.csv", ["F-1,2026-01-01,2026-02-01,150,K-1,consumer,Smit,,\n"])
    assert cli(creditor, changed)["rejected"] == [{"row": 2, "field": "amount", "error": CHANGED_AMOUNT}]
    assert not Debtor.objects.filter(client=creditor, reference="K-1").exists()


def test_a_claim_re_sent_at_what_its_credit_notes_left_is_a_duplicate(creditor, tmp_path):
    """An ERP sends a claim again as the invoice it was or as an open item of its ledger, which after a credit note
    is what is left: both are the same claim. Any other amount is still a changed claim, and nothing is changed."""
    invoice = FIXTURES / "nlcius-invoice.xml"
    assert cli(creditor, invoice)["created"] == 1
    assert cli(creditor, FIXTURES / "peppol-creditnote.xml")["created"] == 1  # 242.00 of 1210.00
    claim = Claim.objects.get(client=creditor)
    reference = claim.case.debtor.reference

    def open_item(amount, number="NL-2026-0042"):
        row = ClaimRow(
            row=1,
            invoice_number=number,
            invoice_date="2026-01-15",
            due_date="2026-02-14",
            amount=amount,
            debtor_reference=reference,
            debtor_kind="company",
            organisation_name="Klant B.V.",
        )
        summary = claims_import(client=creditor, rows=[row], source=ImportSource.REST)
        return summary.created, summary.duplicates, [(error.field, error.params) for error in summary.rejected]

    assert open_item("968.00") == (0, 1, [])
    assert open_item("1210.00") == (0, 1, [])
    assert open_item("968.01") == (0, 0, [("amount", (("invoice", "NL-2026-0042"), ("amount", "1210.00")))])
    resent = tmp_path / "resent.xml"
    resent.write_text(
        invoice.read_text(encoding="utf-8").replace(
            '<cbc:PayableAmount currencyID="EUR">1210.00', '<cbc:PayableAmount currencyID="EUR">968.00'
        ),
        encoding="utf-8",
    )
    assert cli(creditor, resent) == {"created": 0, "duplicates": 1, "rejected": []}
    claim.refresh_from_db()
    assert claim.principal_cents == 121_000
    assert claim_outstanding_principal(claim=claim).cents == 96_800
    # A second credit note leaves less: the open item is then that, and the earlier open amount is a change.
    ClaimCredit.objects.create(
        claim=claim, client=creditor, credit_note_number="CN-2", amount_cents=6_800, credited_on=claim.invoice_date
    )
    assert open_item("900.00") == (0, 1, [])
    assert open_item("968.00")[2] == [("amount", (("invoice", "NL-2026-0042"), ("amount", "1210.00")))]
