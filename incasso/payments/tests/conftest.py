"""Fixtures of the payments tests: the project's own statement files, a ledger stand-in, cases to match.

Most tests book through ``RecordingLedger``, which keeps what the import asked of the ledger (and is as strict as
the ledger where the import relies on it: one booking per key, EUR only, a payment reversed once), so matching
and idempotency are tested on their own; ``test_ledger_integration`` runs the same paths on the real ledger.
"""

from __future__ import annotations

import datetime
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.domain.money import Money
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.payments import booking
from incasso.payments.services import statement_import

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _english():
    """These tests read the services' messages in English; the site's default language is Dutch."""
    with translation.override("en"):
        yield


# Case number -> the debtor's IBAN; each case has one claim of 125.00.
CASES = {
    "2026-000101": "NL91ABNA0417164300",
    "2026-000102": "NL44RABO0123456789",
    "2026-000103": "NL39RABO0300065264",
    "2026-000104": "NL69INGB0123456789",
    "2026-000105": "NL02ABNA0123456789",
}


def shared_samples() -> Path:
    return Path(os.environ.get("INCASSO_SHARED_DIR") or REPO.parent / "shared") / "samples"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass
class RecordingLedger:
    bookings: dict[str, tuple] = field(default_factory=dict)
    calls: list[tuple[str, dict]] = field(default_factory=list)
    refuse_case_ids: set[int] = field(default_factory=set)

    @staticmethod
    def _eur(amount: Money) -> None:
        if amount.currency != "EUR" or amount.cents <= 0:
            raise ValueError(f"the ledger keeps positive EUR, not {amount} {amount.currency}")

    def payment_receive(self, *, case_id, amount, received_on, key, source, reference=""):
        self.calls.append(("payment_receive", {"case_id": case_id, "amount": amount, "key": key, "source": source}))
        self._eur(amount)
        if case_id in self.refuse_case_ids:
            raise ValueError(f"case {case_id} has no claims to allocate a payment to")
        return self.bookings.setdefault(key, ("payment", case_id, amount, received_on, reference))

    def payment_reverse(self, *, payment_key, key, booked_on, reason):
        self.calls.append(("payment_reverse", {"payment_key": payment_key, "key": key, "reason": reason}))
        if key in self.bookings:
            return self.bookings[key]
        if self.bookings.get(payment_key, ("",))[0] != "payment":
            raise ValueError(f"there is no payment with key {payment_key!r}")
        if any(b[0] == "reversal" and b[1] == payment_key for b in self.bookings.values()):
            raise ValueError(f"{payment_key} was reversed before")
        return self.bookings.setdefault(key, ("reversal", payment_key, booked_on, reason))

    def unmatched_receive(self, *, amount, received_on, key, reference):
        self.calls.append(("unmatched_receive", {"amount": amount, "key": key, "reference": reference}))
        self._eur(amount)
        return self.bookings.setdefault(key, ("unmatched", amount, received_on, reference))

    def unmatched_assign(self, *, unmatched_key, case_id, key, booked_on):
        self.calls.append(("unmatched_assign", {"unmatched_key": unmatched_key, "case_id": case_id, "key": key}))
        if self.bookings.get(unmatched_key, ("",))[0] != "unmatched":
            raise ValueError(f"there is no receipt with key {unmatched_key!r}")
        amount = self.bookings[unmatched_key][1]
        return self.bookings.setdefault(key, ("payment", case_id, amount, booked_on, "assigned"))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


@pytest.fixture
def ledger(monkeypatch):
    recording = RecordingLedger()
    monkeypatch.setattr(booking, "ledger", lambda: recording)
    return recording


@pytest.fixture
def cases(db):
    """The open cases the fixtures pay, by number; each debtor has its own IBAN."""
    client = ClientFactory(code="payments", name="Betaal B.V.")
    made = {}
    for number, iban in CASES.items():
        case = CaseFactory(debtor=DebtorFactory(client=client, iban=iban), number=number)
        ClaimFactory(case=case, invoice_date=datetime.date(2026, 7, 1), due_date=datetime.date(2026, 7, 31))
        made[number] = case
    return made


def run_import(content: bytes, filename: str = "statement.xml", **options):
    return statement_import(stream=io.BytesIO(content), filename=filename, **options)


NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def camt_entry(
    amount: str,
    *,
    credit: bool = True,
    ref: str = "",
    iban: str = "",
    ustrd: str = "",
    strd: str = "",
    e2e: str = "",
    mandate: str = "",
    reason: str = "",
    booked: str = "2026-10-05",
) -> str:
    """One camt.053.001.02 Ntry with one TxDtls, for tests that need a statement of their own."""
    side = "Dbtr" if credit else "Cdtr"
    refs = f"<EndToEndId>{e2e}</EndToEndId>" if e2e else ""
    refs += f"<MndtId>{mandate}</MndtId>" if mandate else ""
    party = f"<RltdPties><{side}><Nm>Betaler</Nm></{side}>"
    party += f"<{side}Acct><Id><IBAN>{iban}</IBAN></Id></{side}Acct>" if iban else ""
    party += "</RltdPties>"
    remittance = f"<Ustrd>{ustrd}</Ustrd>" if ustrd else ""
    remittance += f"<Strd><CdtrRefInf><Ref>{strd}</Ref></CdtrRefInf></Strd>" if strd else ""
    return (
        f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{"CRDT" if credit else "DBIT"}</CdtDbtInd><Sts>BOOK</Sts>'
        f"<BookgDt><Dt>{booked}</Dt></BookgDt>{f'<AcctSvcrRef>{ref}</AcctSvcrRef>' if ref else ''}"
        f"<NtryDtls><TxDtls><Refs>{refs}</Refs>{party}<RmtInf>{remittance}</RmtInf>"
        f"{f'<RtrInf><Rsn><Cd>{reason}</Cd></Rsn></RtrInf>' if reason else ''}</TxDtls></NtryDtls></Ntry>"
    )


def camt(*entries: str, namespace: str = NS) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="{namespace}"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>T</MsgId><CreDtTm>2026-10-05T18:00:00</CreDtTm></GrpHdr><Stmt><Id>TEST-1</Id>"
        "<Acct><Id><IBAN>NL20INGB0001234567</IBAN></Id></Acct>"
        + "".join(entries)
        + "</Stmt></BkToCstmrStmt></Document>"
    ).encode()
