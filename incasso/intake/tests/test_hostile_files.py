"""Broken and hostile files through the CLI: each is answered with a clear, coded refusal and changes nothing.

(The same files through the API and the portal are tested with those doors.)
"""

import io
import json

import pytest
from django.core.management import call_command
from django.utils import translation

from incasso.cases.models import Case, Claim
from incasso.intake.models import ImportBatch
from incasso.intake.rows import message_render
from incasso.parties.models import Debtor

pytestmark = pytest.mark.django_db

HEADER = "invoice_number,invoice_date,due_date,amount,debtor_reference,debtor_kind,surname,description\n"
GOOD = "F-2,2026-01-10,2026-02-09,125.50,K-1,consumer,Jansen,ok\n"
UBL = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    f'<Invoice xmlns="{UBL}"><ID>&lol3;</ID></Invoice>'
).encode()
EXTERNAL_ENTITY = (
    f'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    f'<Invoice xmlns="{UBL}"><ID>&x;</ID></Invoice>'
).encode()
# Binary noise that is neither a known format's signature nor UTF-8.
GARBAGE = bytes((index * 7919 + 13) % 256 for index in range(64 * 1024))


def import_claims(creditor, path):
    out = io.StringIO()
    with translation.override("en"):
        try:
            call_command("import-claims", "--client", creditor.code, str(path), stdout=out)
        except SystemExit as exit_:
            return exit_.code, json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def stored():
    return (Claim.objects.count(), Case.objects.count(), Debtor.objects.count())


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (GARBAGE, "not_utf8", "not UTF-8 encoded"),
        ((HEADER + GOOD).encode("utf-16"), "not_utf8", "UTF-16 or UTF-32"),
        ((HEADER + GOOD).encode("utf-32"), "not_utf8", "UTF-16 or UTF-32"),
        # Without a byte order mark UTF-16 of plain ASCII is valid UTF-8 (with NULs): no column is recognised.
        ((HEADER + GOOD).encode("utf-16-le"), "missing_columns", "lacks the required column(s)"),
        (b"PK\x03\x04" + GARBAGE, "spreadsheet", "Excel workbook (.xlsx)"),
        (b"%PDF-1.7\n" + GARBAGE, "pdf", "PDF document"),
        (b"\n\n   \n", "empty_file", "the file is empty"),
        (BILLION_LAUGHS, "xml_doctype", "DOCTYPE"),
        (EXTERNAL_ENTITY, "xml_doctype", "DOCTYPE"),
        (f'<Invoice xmlns="{UBL}"><cbc:ID>1'.encode(), "broken_xml", "not well-formed XML"),
        (f'<Invoice xmlns="{UBL}">{"<a>" * 300}{"</a>" * 300}</Invoice>'.encode(), "broken_xml", "depth"),
        (b"<?xml version='1.0'?><Invoice/>", "not_ubl", "not a UBL 2.1 Invoice or CreditNote"),
        # libxml2's limit on one text node (10 MB) stays on: an oversized embedded attachment is refused.
        (
            f'<Invoice xmlns="{UBL}"><Note>{"A" * 11_000_000}</Note></Invoice>'.encode(),
            "broken_xml",
            "Text node too long",
        ),
    ],
)
def test_a_hostile_file_is_refused_with_a_code_and_nothing_is_stored(creditor, tmp_path, content, code, message):
    path = tmp_path / "claims.csv"
    path.write_bytes(content)
    before = stored()
    status, body = import_claims(creditor, path)
    assert (status, body["error"]) == (2, code)
    assert message in body["message"]
    assert (body["created"], body["duplicates"]) == (0, 0)
    assert stored() == before
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.created_count) == ("refused", 0)
    assert message in batch.error
    # Kept again with its message id, for the portal to show in the reader's language.
    refusal = batch.rejected[-1]
    assert (refusal["row"], refusal["error"]) == (0, batch.error)
    assert message_render(refusal["message"], refusal["params"]) == batch.error


def test_a_field_of_ten_megabytes_rejects_its_row_only(creditor, tmp_path):
    """A record past the CSV field limit is one unreadable row (large enough to be validated in a second process);
    the rows around it are read as usual."""
    path = tmp_path / "claims.csv"
    big = "F-1,2026-01-10,2026-02-09,125.50,K-1,consumer,Jansen," + "x" * 10_000_000 + "\n"
    path.write_text(HEADER + big + GOOD)
    status, body = import_claims(creditor, path)
    assert status == 0
    assert (body["created"], body["duplicates"]) == (1, 0)
    assert [(entry["row"], entry["field"]) for entry in body["rejected"]] == [(2, "row")]
    assert "field larger than field limit" in body["rejected"][0]["error"]
    assert list(Claim.objects.values_list("invoice_number", flat=True)) == ["F-2"]


def test_the_e_invoice_parser_uses_the_shared_safe_options():
    from incasso.core.xml import SAFE_PARSE_OPTIONS
    from incasso.intake import ubl

    assert ubl.SAFE_PARSE_OPTIONS is SAFE_PARSE_OPTIONS
    assert SAFE_PARSE_OPTIONS["resolve_entities"] is False
    assert SAFE_PARSE_OPTIONS["load_dtd"] is False
    assert SAFE_PARSE_OPTIONS["no_network"] is True
    assert SAFE_PARSE_OPTIONS["huge_tree"] is False


@pytest.mark.parametrize("content", [HEADER, HEADER + "\n,,,\n\n"])
def test_a_header_without_claims_is_read_and_creates_nothing(creditor, tmp_path, content):
    """An export of a day without unpaid invoices: the file was read, so exit 0 with nothing created."""
    path = tmp_path / "claims.csv"
    path.write_text(content)
    status, body = import_claims(creditor, path)
    assert status == 0 and body["created"] == 0 and body["duplicates"] == 0
    assert not Claim.objects.exists()


def test_a_refusal_in_the_validating_process_keeps_its_code(creditor, tmp_path):
    """A file large enough to be read by a second process: the refusal crosses the pipe with code and message."""
    path = tmp_path / "claims.csv"
    path.write_text("factuurnummer;bedrag\n" + "\n" * 6_000_000)
    status, body = import_claims(creditor, path)
    assert (status, body["error"]) == (2, "missing_columns")
    assert "lacks the required column(s)" in body["message"]
    assert ImportBatch.objects.get().status == "refused"
