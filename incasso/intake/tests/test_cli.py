"""``incasso import-claims`` and ``incasso api-key-create`` as an operator runs them: JSON out, exit codes."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from incasso.intake.models import ClientApiKey, ImportBatch
from incasso.intake.services import api_key_authenticate
from incasso.intake.tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db


def import_claims(*arguments):
    out = io.StringIO()
    try:
        call_command("import-claims", *arguments, stdout=out)
    except SystemExit as exit_:
        return exit_.code, json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def test_a_file_with_rejected_rows_was_read_so_exit_0(creditor):
    with translation.override("en"):
        status, summary = import_claims("--client", creditor.code, str(FIXTURES / "claims-nl.csv"))
    assert status == 0
    assert (summary["created"], summary["duplicates"], len(summary["rejected"])) == (3, 1, 9)
    assert summary["rejected"][0] == {
        "row": 5,
        "field": "due_date",
        "error": "2026-01-01 is before the invoice date 2026-02-01",
    }


def test_row_errors_are_printed_in_the_active_language_under_the_same_field_names(creditor):
    with translation.override("nl"):
        status, summary = import_claims("--client", creditor.code, str(FIXTURES / "claims-nl.csv"))
    assert status == 0
    errors = {(entry["row"], entry["field"]): entry["error"] for entry in summary["rejected"]}
    assert errors[5, "due_date"] == "2026-01-01 ligt vóór de factuurdatum 2026-02-01"
    assert errors[5, "amount"] == "'0' is niet meer dan nul"
    assert errors[5, "organisation_name"] == "is verplicht voor een bedrijf"
    assert errors[6, "surname"] == "is verplicht voor een eenmanszaak"


def test_the_format_is_told_from_the_content_not_the_name(creditor, tmp_path):
    disguised = tmp_path / "export.txt"
    disguised.write_bytes((FIXTURES / "nlcius-invoice.xml").read_bytes())
    status, summary = import_claims("--client", creditor.code, str(disguised))
    assert (status, summary["created"]) == (0, 1)


@pytest.mark.parametrize(
    ("content", "field", "code", "message"),
    [
        (b"factuurnummer;bedrag\nF1;10\n", "header", "missing_columns", "the header lacks the required column(s)"),
        ("factuurnummer;bedrag\nCafé;10\n".encode("cp1252"), "file", "not_utf8", "not UTF-8 encoded"),
        (b"", "file", "empty_file", "the file is empty"),
        (
            b"<Order xmlns='urn:oasis:names:specification:ubl:schema:xsd:Order-2'/>",
            "file",
            "not_ubl",
            "not a UBL 2.1 Invoice",
        ),
        (
            b'<!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]><Invoice>&x;</Invoice>',
            "file",
            "xml_doctype",
            "DOCTYPE",
        ),
    ],
)
def test_a_file_that_cannot_be_read_exits_2_with_a_code_and_the_reason(
    creditor, tmp_path, content, field, code, message
):
    path = tmp_path / "claims.csv"
    path.write_bytes(content)
    with translation.override("en"):
        status, body = import_claims("--client", creditor.code, str(path))
    assert status == 2
    assert body["error"] == code
    assert message in body["message"]
    assert (body["created"], body["duplicates"]) == (0, 0)
    assert body["rejected"] == [{"row": 0, "field": field, "error": body["message"]}]
    assert ImportBatch.objects.get().status == "refused"


def test_a_refusal_is_printed_in_the_active_language_with_the_same_code(creditor, tmp_path):
    path = tmp_path / "claims.csv"
    path.write_bytes(b"factuurnummer;bedrag\nF1;10\n")
    with translation.override("nl"):
        status, body = import_claims("--client", creditor.code, str(path))
    assert (status, body["error"]) == (2, "missing_columns")
    assert body["message"] == (
        "de kopregel mist de verplichte kolom(men): invoice_date (factuurdatum), due_date (vervaldatum), "
        "debtor_reference (debiteurnummer), debtor_kind (soort_debiteur)"
    )
    # The batch keeps the English text for the back office.
    assert ImportBatch.objects.get().error.startswith("the header lacks the required column(s): invoice_date")


def test_a_missing_file_or_unknown_client_exits_2(creditor, tmp_path):
    with translation.override("en"):
        status, body = import_claims("--client", creditor.code, str(tmp_path / "missing.csv"))
    assert (status, body["error"]) == (2, "unreadable_file")
    assert body["rejected"][0]["field"] == "file"
    assert "No such file" in body["message"]
    with translation.override("nl"):
        status, body = import_claims("--client", "nobody", str(FIXTURES / "claims-nl.csv"))
    assert (status, body["error"], body["rejected"][0]["field"]) == (2, "unknown_client", "client")
    assert body["message"] == "er is geen opdrachtgever met code 'nobody'"


def test_api_key_create_prints_the_key_once_and_stores_only_its_hash(creditor):
    out = io.StringIO()
    call_command("api-key-create", "--client", creditor.code, "--name", "ERP", stdout=out)
    key = out.getvalue().splitlines()[1]
    stored = ClientApiKey.objects.get()
    assert (stored.client, stored.name, stored.prefix) == (creditor, "ERP", key[:8])
    assert key not in stored.key_hash
    assert api_key_authenticate(key=key) == creditor
    with pytest.raises(CommandError, match="no client with code 'nobody'"):
        call_command("api-key-create", "--client", "nobody", "--name", "ERP", stdout=io.StringIO())
