"""The pain.008 schema is compiled once per process, not again for every direct-debit file."""

from __future__ import annotations

import datetime

import pytest
import xmlschema

from incasso.arrangements.sepa import direct_debit_file, mandate_create
from incasso.arrangements.tests.conftest import FIRST_DUE, TODAY, owing_case, propose
from incasso.ledger import sepa

pytestmark = pytest.mark.django_db


def test_the_direct_debit_schema_is_compiled_once(creditor, monkeypatch):
    built: list[str] = []
    real = xmlschema.XMLSchema

    def counting(source, *args, **kwargs):
        built.append(str(source).rsplit("/", 1)[-1])
        return real(source, *args, **kwargs)

    sepa._schema.cache_clear()
    monkeypatch.setattr(xmlschema, "XMLSchema", counting)
    case = owing_case(creditor)
    propose(case, months=3)
    mandate_create(case=case, reference="MND-1", signed_on=TODAY, iban="NL69INGB0123456789", name="J. Jansen")
    first = direct_debit_file(collection_date=FIRST_DUE, version="pain.008.001.02")
    second = direct_debit_file(collection_date=datetime.date(2026, 11, 15), version="pain.008.001.02")
    sepa._schema.cache_clear()
    assert b"<SeqTp>FRST</SeqTp>" in first and b"<SeqTp>RCUR</SeqTp>" in second
    assert built == ["pain.008.001.02.xsd"]
