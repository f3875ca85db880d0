from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from lxml import etree

from incasso.arrangements.models import InstalmentStatus, Mandate, SequenceType
from incasso.arrangements.sepa import DirectDebitError, direct_debit_file, end_to_end_id, mandate_create, mandate_revoke
from incasso.arrangements.services import instalments_settle
from incasso.arrangements.tests.conftest import FIRST_DUE, TODAY, owing_case, propose
from incasso.payments.models import EntryStatus, StatementEntry
from incasso.payments.tests.conftest import camt, camt_entry, run_import

pytestmark = pytest.mark.django_db

DEBTOR_IBAN = "NL69INGB0123456789"


def _mandated_plan(creditor, reference: str = "MND-1", months: int = 3):
    case = owing_case(creditor)
    plan = propose(case, months=months)
    mandate_create(case=case, reference=reference, signed_on=TODAY, iban="nl69 ingb 0123 4567 89", name="J. Jansen")
    return case, plan


def _parse(xml: bytes) -> tuple[str, etree._Element]:
    root = etree.fromstring(xml)
    return etree.QName(root).namespace, root


@pytest.mark.parametrize("version", ["pain.008.001.02", "pain.008.001.08"])
def test_the_collection_file_validates_and_collects_what_is_due(creditor, version):
    case, plan = _mandated_plan(creditor)
    other_case, _other = _mandated_plan(creditor, reference="MND-2", months=6)
    first = plan.instalments.get(number=1)

    xml = direct_debit_file(collection_date=FIRST_DUE, version=version)

    namespace, root = _parse(xml)
    assert namespace == f"urn:iso:std:iso:20022:tech:xsd:{version}"
    ns = {"p": namespace}
    transactions = root.findall(".//p:DrctDbtTxInf", ns)
    assert len(transactions) == 2
    by_e2e = {tx.findtext("p:PmtId/p:EndToEndId", namespaces=ns): tx for tx in transactions}
    mine = by_e2e[end_to_end_id(first.pk)]
    assert mine.findtext("p:InstdAmt", namespaces=ns) == "200.00"
    assert mine.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=ns) == DEBTOR_IBAN
    assert mine.findtext(".//p:MndtId", namespaces=ns) == "MND-1"
    assert mine.findtext("p:RmtInf/p:Ustrd", namespaces=ns).startswith(case.number)
    assert root.findtext(".//p:PmtTpInf/p:SeqTp", namespaces=ns) == "FRST"
    assert root.findtext(".//p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id", namespaces=ns) == "NL00ZZZ000000000000"
    amounts = sorted(tx.findtext("p:InstdAmt", namespaces=ns) for tx in transactions)
    assert amounts == ["100.00", "200.00"]
    assert other_case.number in xml.decode()
    assert set(Mandate.objects.values_list("sequence", flat=True)) == {SequenceType.RECURRING}


def test_the_second_collection_is_recurring(creditor):
    _mandated_plan(creditor)
    direct_debit_file(collection_date=FIRST_DUE, version="pain.008.001.02")
    xml = direct_debit_file(collection_date=datetime.date(2026, 11, 15), version="pain.008.001.02")
    assert b"<SeqTp>RCUR</SeqTp>" in xml


def test_no_valid_mandate_nothing_to_collect(creditor):
    _case, _plan = _mandated_plan(creditor)
    mandate_revoke(mandate=Mandate.objects.get())
    with pytest.raises(DirectDebitError, match="nothing to collect"):
        direct_debit_file(collection_date=FIRST_DUE, version="pain.008.001.08")


def test_a_mandate_needs_a_valid_iban(creditor):
    case = owing_case(creditor)
    with pytest.raises(ValidationError):
        mandate_create(case=case, reference="M-X", signed_on=TODAY, iban="NL00ABNA0000000000", name="X")


def test_a_returned_direct_debit_makes_the_instalment_open_again(creditor):
    case, plan = _mandated_plan(creditor)
    first = plan.instalments.get(number=1)
    direct_debit_file(collection_date=FIRST_DUE, version="pain.008.001.08")
    e2e = end_to_end_id(first.pk)

    run_import(camt(camt_entry("200.00", ref="DD1", ustrd=f"{case.number} termijn 1", e2e=e2e, mandate="MND-1")))
    assert StatementEntry.objects.get(bank_reference="DD1").status == EntryStatus.MATCHED
    instalments_settle(on=FIRST_DUE)
    first.refresh_from_db()
    assert first.status == InstalmentStatus.PAID

    returned = camt_entry(
        "200.00", credit=False, ref="RT1", e2e=e2e, mandate="MND-1", reason="MD06", booked="2026-10-20"
    )
    run_import(camt(returned))
    assert StatementEntry.objects.get(bank_reference="RT1").status == EntryStatus.RETURNED
    instalments_settle(on=datetime.date(2026, 10, 20))
    first.refresh_from_db()
    assert (first.status, first.paid_cents) == (InstalmentStatus.OPEN, 0)
