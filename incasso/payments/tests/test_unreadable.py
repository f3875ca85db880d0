"""Files that cannot be read at all: refused with a clear message, nothing booked, never a crash.

XML is parsed with no DTD at all: external entities (XXE) and entity expansion (billion laughs) never happen.
"""

from __future__ import annotations

import time

import pytest

from incasso.payments.models import ImportStatus, StatementEntry, StatementImport
from incasso.payments.parsers import StatementFileError
from incasso.payments.tests.conftest import NS, run_import

XXE = f"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Document xmlns="{NS}"><BkToCstmrStmt><Stmt><Id>&secret;</Id></Stmt></BkToCstmrStmt></Document>""".encode()

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE Document [\n<!ENTITY lol "lol">\n'
    + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">\n' for n in range(1, 10))
    + f']>\n<Document xmlns="{NS}"><BkToCstmrStmt><Stmt><Id>&lol9;</Id></Stmt></BkToCstmrStmt></Document>'
).encode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (XXE, "DOCTYPE"),
        (LAUGHS, "DOCTYPE"),
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"%PDF-1.7\n...", "a PDF document"),
        (b"PK\x03\x04rest", "a ZIP archive"),
        (f'<Document xmlns="{NS}"><BkToCstmrStmt><Stmt>'.encode(), "not well-formed XML"),
        (b"<Document><Stmt/></Document>", "namespace None; supported are"),
        (b"<html><body>Log in to your bank</body></html>", "not 'html'|supported are"),
        (b"\x00\x01\x02binary", "neither camt"),
    ],
)
def test_unreadable_files_are_refused_and_recorded(db, ledger, content, message):
    started = time.perf_counter()
    with pytest.raises(StatementFileError, match=message):
        run_import(content)
    assert time.perf_counter() - started < 2
    record = StatementImport.objects.get()
    assert record.status == ImportStatus.REFUSED
    assert record.error
    assert StatementEntry.objects.count() == 0
    assert ledger.calls == []


def test_an_entity_is_never_expanded_even_without_a_doctype_check(db, ledger):
    # An undeclared entity reference is simply malformed XML: no lookup of anything.
    content = f'<Document xmlns="{NS}"><BkToCstmrStmt><Stmt><Id>&secret;</Id></Stmt></BkToCstmrStmt></Document>'
    with pytest.raises(StatementFileError):
        run_import(content.encode())
