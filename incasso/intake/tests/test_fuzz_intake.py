"""Claim files damaged at random (``test_fuzz_mutations``) and hostile XML, through the readers and the import.

The CSV and UBL readers raise nothing but ``ImportFileError``; the import service, on the test database, either
imports (good rows in, bad rows reported) or refuses the file with that error, and then nothing was written: no
debtor, case or claim, only the refused ``ImportBatch`` that records why.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings

from incasso.cases.models import Case, Claim
from incasso.intake.csv_format import csv_open
from incasso.intake.models import ImportBatch, ImportSource, ImportStatus
from incasso.intake.rows import ClaimRow, ImportFileError, RowError
from incasso.intake.services import claims_import_file
from incasso.intake.tests.conftest import FIXTURES
from incasso.intake.tests.test_fuzz_mutations import DERANDOMIZE, HUGE, SCALE, mutated
from incasso.intake.ubl import MAX_DEPTH, ubl_read
from incasso.parties.models import Debtor

CSV_BASES = [(FIXTURES / name).read_bytes() for name in ("claims-en.csv", "claims-nl.csv")]
UBL_BASES = [
    path.read_bytes()
    for path in sorted([*FIXTURES.glob("*.xml"), *(FIXTURES / "ubl").glob("*.xml")], key=Path.as_posix)
]
INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE Invoice [\n<!ENTITY l0 "lol">\n'
    + "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">\n' for n in range(1, 10))
    + f']>\n<Invoice xmlns="{INVOICE}"><ID>&l9;</ID></Invoice>'
).encode()
XXE = (
    f'<?xml version="1.0"?>\n<!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/hostname">]>\n'
    f'<Invoice xmlns="{INVOICE}"><ID>&x;</ID></Invoice>'
).encode()
PARAMETER_XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE Invoice [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>\n'
    + f'<Invoice xmlns="{INVOICE}"><ID>1</ID></Invoice>'.encode()
)
DEEP = f'<Invoice xmlns="{INVOICE}">'.encode() + b"<a>" * (MAX_DEPTH * 4) + b"</a>" * (MAX_DEPTH * 4) + b"</Invoice>"
# A NUL (which PostgreSQL cannot store) in each field of a row in turn, every other field valid.
_HEADER = b"invoice_number,invoice_date,due_date,amount,debtor_reference,debtor_kind,surname,given_names,street,"
_HEADER += b"house_number,postcode,city,country,email,phone,iban,kvk_number,description,claim_type,interest\n"
_ROW = [b"N-1", b"2026-01-10", b"2026-02-09", b"10.00", b"NUL-1", b"consumer", b"Jansen", b"Jan", b"Laan", b"1"]
_ROW += [b"B-1000", b"Brussel", b"BE", b"jan@example.com", b"0612345678", b"", b"", b"x", b"contract", b"statutory"]
NUL_IN_EVERY_FIELD = _HEADER + b"".join(
    b",".join(value + b"\x00" if index == column else value for index, value in enumerate(_ROW)).replace(
        b"N-1", b"N-%d" % column
    )
    + b"\n"
    for column in range(len(_ROW))
)
HOSTILE_XML = [LAUGHS, XXE, PARAMETER_XXE, DEEP, LAUGHS.decode().encode("utf-16"), XXE.decode().encode("utf-16")]
FUZZ = settings(
    max_examples=100 * SCALE,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ_ON_DB = settings(
    max_examples=40 * SCALE,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def csv_rows(content: bytes) -> list[ClaimRow | RowError] | ImportFileError:
    try:
        return list(csv_open(io.BytesIO(content)))
    except ImportFileError as error:
        return error


@FUZZ
@given(mutated(CSV_BASES))
@example(b'invoice_number,invoice_date\n"' + b"x" * HUGE)
@example(b'"' + b"x" * HUGE + b'"\n')  # a header field beyond the csv module's limit
@example(b"invoice_number;" * HUGE)  # a "header" with no line end
@example(b"invoice_number,invoice_date,due_date,amount,debtor_reference,debtor_kind\n" + b"\x00,\x00,\x00\n" * 10)
@example(b"\xef\xbb\xbf\xef\xbb\xbf" + CSV_BASES[0])
def test_the_csv_reader_reads_or_refuses(content):
    rows = csv_rows(content)
    if isinstance(rows, ImportFileError):
        assert rows.code and rows.text
        return
    for row in rows:
        assert isinstance(row, ClaimRow | RowError)


def ubl_row(content: bytes) -> ClaimRow | RowError | ImportFileError:
    try:
        return ubl_read(io.BytesIO(content))
    except ImportFileError as error:
        return error


@FUZZ
@given(mutated(UBL_BASES))
@example(LAUGHS)
@example(XXE)
@example(PARAMETER_XXE)
@example(DEEP)
@example(UBL_BASES[0].replace(b"<Invoice ", b"<:nvoice ", 1))  # a name libxml2 passes on and lxml's QName refuses
def test_the_ubl_reader_reads_or_refuses(content):
    result = ubl_row(content)
    if isinstance(result, ImportFileError):
        assert result.code and result.text
        return
    assert isinstance(result, ClaimRow | RowError)


@pytest.mark.parametrize("content", HOSTILE_XML, ids=["laughs", "xxe", "parameter-xxe", "deep", "laughs16", "xxe16"])
def test_hostile_xml_is_refused_and_no_entity_is_resolved(content):
    result = ubl_row(content)
    assert isinstance(result, ImportFileError)
    assert result.code in {"xml_doctype", "broken_xml"}
    assert "lollollol" not in result.text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_an_external_entity_is_never_read(tmp_path, encoding):
    secret = tmp_path / "secret.txt"
    secret.write_text("XXE-MARKER-5f1c")
    content = (
        f'<?xml version="1.0" encoding="{encoding.upper()}"?>\n'
        f'<!DOCTYPE Invoice [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n'
        f'<Invoice xmlns="{INVOICE}"><ID>&x;</ID></Invoice>'
    ).encode(encoding)
    result = ubl_row(content)
    assert isinstance(result, ImportFileError)
    assert result.code == "xml_doctype"
    assert "XXE-MARKER" not in result.text


def stored() -> tuple[int, int, int]:
    return Claim.objects.count(), Case.objects.count(), Debtor.objects.count()


def import_or_refuse(creditor, content: bytes) -> None:
    before = stored()
    try:
        summary = claims_import_file(
            client=creditor, stream=io.BytesIO(content), filename="fuzz", source=ImportSource.CLI
        )
    except ImportFileError as error:
        refusal = error.text
    else:
        refusal = ""
    if refusal:
        assert stored() == before, "a refused file wrote nothing"
        batch = ImportBatch.objects.latest("pk")
        assert (batch.status, batch.error) == (ImportStatus.REFUSED, refusal)
        return
    assert stored()[0] - before[0] <= summary.created
    assert ImportBatch.objects.get(pk=summary.batch_id).status == ImportStatus.DONE


@pytest.mark.django_db
@FUZZ_ON_DB
@given(mutated(CSV_BASES + UBL_BASES))
@example(LAUGHS)
@example(XXE)
@example(CSV_BASES[1].decode("utf-8-sig").encode("latin-1"))
@example(CSV_BASES[1].decode("utf-8-sig").encode("utf-16"))
@example(UBL_BASES[0].decode().encode("utf-16"))
@example(NUL_IN_EVERY_FIELD)
def test_a_damaged_file_is_imported_or_refused_whole(creditor, content):
    import_or_refuse(creditor, content)
