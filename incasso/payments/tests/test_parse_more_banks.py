"""Shapes met in bank files from outside the big Dutch banks (HSBC, Citibank, Macedonian, Polish, Hungarian and
Lithuanian banks, PostFinance, Penta), each reproduced in a fixture of our own: the text of an entry is never lost,
entries of 0,00 are reported rather than booked, and a statement whose entries carry no dates books them on the
statement's day."""

from __future__ import annotations

import datetime
import io

from incasso.payments.parsers import ParsedEntry, SkippedEntry, statement_reader
from incasso.payments.tests.conftest import camt, camt_entry


def read(content: bytes) -> list[ParsedEntry | SkippedEntry]:
    return list(statement_reader(io.BytesIO(content)))


def mt940(*lines: str, account: str = "NL20INGB0001234567") -> bytes:
    head = [":20:STMT-1", f":25:{account}", ":28C:1/1", ":60F:C261001EUR100,00"]
    return "\r\n".join([*head, *lines, ":62F:C261001EUR100,00", "-"]).encode()


def test_coded_details_without_a_remittance_field_keep_their_whole_text():
    # HSBC codes the original amount first, a Macedonian bank the beneficiary's account: the payer's words follow.
    entries = read(
        mt940(
            ":61:2610011001C250,00NTRFNONREF//B1",
            ":86:/OCMT/EUR250,00/",
            "PAYMENT OF INVOICE 2026-0042",
            ":61:2610011001C75,00NMSCNONREF//B2",
            ":86:/ORDP/300000000460495",
            "/JANSEN DOOEL",
            "/Uplata po faktura 2026-0043",
        )
    )
    texts = [entry.remittance for entry in entries if isinstance(entry, ParsedEntry)]
    assert texts == [
        "/OCMT/EUR250,00/ PAYMENT OF INVOICE 2026-0042",
        "/ORDP/300000000460495 /JANSEN DOOEL /Uplata po faktura 2026-0043",
    ]


def test_coded_details_with_a_remittance_field_keep_only_that():
    (entry,) = read(
        mt940(":61:2610011001C10,00NTRFNONREF", ":86:/IBAN/NL91ABNA0417164300/NAME/J. Jansen/REMI/Factuur 7")
    )
    assert isinstance(entry, ParsedEntry)
    assert (entry.remittance, entry.counterparty_name) == ("Factuur 7", "J. Jansen")


def test_german_subfields_after_a_space_and_a_polish_iban_in_38():
    (entry,) = read(
        mt940(
            ":61:2610011001C20,00FMSCNONREF//83270",
            "Card transaction",
            ":86: 020?00Przelew?20FAKTURA 2026/0044?32HUTA SZKLA?38PL61109010140000071219812874",
            account="BPHKPLPK/320000546101",
        )
    )
    assert isinstance(entry, ParsedEntry)
    assert (entry.remittance, entry.counterparty_name) == ("FAKTURA 2026/0044", "HUTA SZKLA")
    assert entry.counterparty_iban == "PL61109010140000071219812874"


def test_an_entry_of_nothing_is_reported_not_booked():
    entries = read(
        mt940(
            ":61:2610011001CD0,00NDEFNONREF//",
            "/ABC/DEF/C 37897,00 BAI CD 025",
            ":61:2610011001DD12,50NMSCNONREF//",
            ":86:/PT/FT/PY/FEE",
        )
    )
    assert entries[0] == SkippedEntry(1, "the amount is 0,00: no money moved, so there is nothing to book")
    assert isinstance(entries[1], ParsedEntry) and entries[1].amount_cents == -1250
    (skipped,) = read(camt(camt_entry("0.00", e2e="E2E-0")))
    assert skipped == SkippedEntry(1, "the amount is 0.00: no money moved, so there is nothing to book")


def test_hungarian_ns_fields_are_the_text_of_an_entry_without_86():
    (entry,) = read(mt940(":61:2610011001DF24,00S   X", ":NS:01526715", "15ERGO Versicherung AG", "16Fioktelep"))
    assert isinstance(entry, ParsedEntry)
    assert entry.remittance == "01526715 15ERGO Versicherung AG 16Fioktelep"


def test_only_a_name_on_the_statement_line_itself_is_the_counterparty():
    entries = read(
        mt940(
            ":61:2610011001D12,13N0440121470966      W.P. Jansen",
            ":86:Terugboeking",
            ":61:2610011001CF20,00N527",
            "Csoportos atutalas jovairasa",
            ":86:CAB18D1700041116",
        )
    )
    names = [entry.counterparty_name for entry in entries if isinstance(entry, ParsedEntry)]
    assert names == ["W.P. Jansen", ""]


def test_an_account_with_its_currency_after_a_slash():
    reader = statement_reader(io.BytesIO(mt940(":61:2610011001C1,00N031", account="UBRTHUHB/1234567890/HUF")))
    list(reader)
    assert reader.info.account == "UBRTHUHB/1234567890"


def test_camt053_entries_without_dates_are_booked_on_the_statements_day():
    undated = camt_entry("5.00", e2e="E2E-LT").replace("<BookgDt><Dt>2026-10-05</Dt></BookgDt>", "")
    closing = (
        "<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy='EUR'>1.00</Amt><Dt><Dt>2026-10-02</Dt></Dt></Bal>"
        "<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy='EUR'>6.00</Amt><Dt><Dt>2026-10-03</Dt></Dt></Bal>"
    )
    (entry,) = read(camt(closing + undated))
    assert isinstance(entry, ParsedEntry) and entry.booking_date == datetime.date(2026, 10, 3)
    # No closing balance: the day the message was made (the group header's CreDtTm).
    (entry,) = read(camt(undated))
    assert isinstance(entry, ParsedEntry) and entry.booking_date == datetime.date(2026, 10, 5)


def test_romanian_subfields_separated_by_plus():
    (entry,) = read(
        mt940(
            ":61:2610011001D210,60NTRFOPH478",
            "PLATA FACT 2026-0045",
            ":86:000+20Plata           +30302410000+31RO49AAAA1B31007593840000",
            "+32RUSSMEDIA PRESS SRL+23PLATA FACT 2026-0045",
            account="RO56BRDE360SV52474653600",
        )
    )
    assert isinstance(entry, ParsedEntry)
    assert (entry.remittance, entry.counterparty_iban) == ("Plata PLATA FACT 2026-0045", "RO49AAAA1B31007593840000")
    assert entry.counterparty_name == "RUSSMEDIA PRESS SRL"


def test_an_mt942_interim_report_takes_its_currency_from_the_floor_limit():
    content = "\r\n".join(
        [
            ":20:ST261001/0001",
            ":25:PL61109010140000071219812874",
            ":28C:1/1",
            ":34F:PLN0",
            ":13D:2610011815+0100",
            ":61:2610011001CN12,34NTRFNONREF//MB2610010001",
            ":86:PRZELEW FAKTURA 2026-0046",
            ":90C:1PLN12,34",
            "-",
        ]
    ).encode()
    (entry,) = read(content)
    assert isinstance(entry, ParsedEntry)
    assert (entry.amount_cents, entry.currency, entry.remittance) == (1234, "PLN", "PRZELEW FAKTURA 2026-0046")
