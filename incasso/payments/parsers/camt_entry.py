"""One camt ``Ntry``: a single booking, or a batch that becomes one record per ``TxDtls``.

Each element is read once into a flat ``{"Refs/EndToEndId": [text, ...]}`` map of the branches we use, and the
fields are looked up there: ElementPath lookups (``findtext``) cost about as much each as this whole walk, and an
entry needs some fifteen of them. The paths are the same in every version from .001.02 to .001.14, except the
party name, which moved under ``Pty`` in .001.07.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from lxml import etree

from incasso.domain.date_range import EARLIEST_DATE, LATEST_DATE, date_plausible
from incasso.domain.money import Money
from incasso.payments.parsers.mt940_details import coded_details
from incasso.payments.parsers.records import (
    CURRENCY_LENGTH,
    NAME_LENGTH,
    REASON_LENGTH,
    REFERENCE_LENGTH,
    REMITTANCE_LENGTH,
    EntryDetails,
    ParsedEntry,
    SkippedEntry,
    clean,
    compact_iban,
    end_to_end,
)

# Entry statuses that are not bookings yet: they come again as BOOK in a later statement.
NOT_BOOKED = {"PDNG", "INFO", "FUTR"}
ENTRY_BRANCHES = frozenset({"CdtDbtInd", "RvslInd", "Sts", "BookgDt", "ValDt", "AcctSvcrRef", "AddtlNtryInf"})
TRANSACTION_BRANCHES = frozenset({"Refs", "CdtDbtInd", "RltdPties", "RmtInf", "RtrInf", "AddtlTxInf"})
Texts = dict[str, list[str]]
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
_OFFSET = re.compile(r"[+-][0-9]{2}:?[0-9]{2}$")
# Swiss banks' processing status in AddtlRmtInf ("?REJECT?0", "?ERROR?000"): not the payer's words.
_SWISS_STATUS = re.compile(r"^\?[A-Z]+\?[0-9]*$")


_LOCAL_NAMES: dict[str, str] = {}


def _local(tag: str) -> str:
    """``{namespace}Name`` -> ``Name``, remembered: a file has a few dozen distinct tags, met a million times."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = _LOCAL_NAMES[tag] = tag.rpartition("}")[2]
    return name


def _walk(node: etree._Element, prefix: str, found: Texts) -> None:
    """Add the stripped texts of every leaf under ``node`` to ``found``, by path relative to ``prefix``."""
    names = _LOCAL_NAMES  # inlined ``_local``: this loop runs for every element of a 100,000-entry file
    for child in node:
        tag = child.tag
        if tag.__class__ is not str:  # comments and processing instructions
            continue
        name = prefix + (names.get(tag) or _local(tag))
        if len(child):
            _walk(child, name + "/", found)
        else:
            text = child.text
            if text and (text := text.strip()):
                if name in found:
                    found[name].append(text)
                else:
                    found[name] = [text]


def _branch(child: etree._Element, local: str, found: Texts) -> None:
    if len(child):
        _walk(child, local + "/", found)
    elif child.text and (text := child.text.strip()):
        found.setdefault(local, []).append(text)


def texts_of(element: etree._Element, branches: frozenset[str]) -> Texts:
    """The stripped texts of every leaf under ``element``'s children named in ``branches``, by relative path."""
    found: Texts = {}
    for local, child in _named_children(element):
        if local in branches:
            _branch(child, local, found)
    return found


def _named_children(element: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """``element``'s child elements (no comments or processing instructions) with their local names."""
    names = _LOCAL_NAMES
    for child in element:
        tag = child.tag
        if tag.__class__ is str:
            yield names.get(tag) or _local(tag), child


def _entry_parts(ntry: etree._Element) -> tuple[Texts, etree._Element | None, list[etree._Element]]:
    """One pass over an entry's children: its own texts (``ENTRY_BRANCHES``), its first ``Amt`` and every
    ``NtryDtls/TxDtls`` (as ``find`` and ``findall`` would give them, without their path searches)."""
    found: Texts = {}
    amount = None
    transactions: list[etree._Element] = []
    for local, child in _named_children(ntry):
        if local in ENTRY_BRANCHES:
            _branch(child, local, found)
        elif local == "Amt":
            if amount is None:
                amount = child
        elif local == "NtryDtls":
            transactions.extend(detail for name, detail in _named_children(child) if name == "TxDtls")
    return found, amount, transactions


def _first(texts: Texts, *paths: str) -> str:
    for path in paths:
        if path in texts:
            return texts[path][0]
    return ""


def _date(texts: Texts, path: str) -> datetime.date | None:
    text = _first(texts, f"{path}/Dt", f"{path}/DtTm")
    if not text:
        return None
    try:
        day = _day(text)
    except ValueError:
        raise ValueError(f"{path} {text!r} is not a date") from None
    if not date_plausible(day):
        raise ValueError(f"{path} {text!r} is not between {EARLIEST_DATE} and {LATEST_DATE}")
    return day


def report_day(text: str | None) -> datetime.date | None:
    """The day of a report's ``CreDtTm``, None if it has none or it cannot be read."""
    try:
        day = _day(text.strip()) if text and text.strip() else None
    except ValueError:
        return None
    return day if day is not None and date_plausible(day) else None


def _day(text: str) -> datetime.date:
    """The day of a ``Dt`` or ``DtTm``. A time in UTC or with an offset is the bank's moment, taken in Dutch time:
    ``2014-01-04T23:00:00.000Z`` is booked on 5 January in Amsterdam (a time without offset is local already)."""
    if len(text) == 10 or not (text.endswith(("Z", "z")) or _OFFSET.search(text[10:])):
        return datetime.date.fromisoformat(text[:10])
    try:
        moment = datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "Zz" else text)
    except ValueError:  # a date with an offset ("2014-01-05+01:00"), or a time Python cannot read: its day as written
        return datetime.date.fromisoformat(text[:10])
    return moment.astimezone(AMSTERDAM).date()


def _money(element: etree._Element | None, default_currency: str = "EUR") -> Money:
    if element is None or not (element.text or "").strip():
        raise ValueError("the entry has no amount")
    currency = str(element.get("Ccy", "")).strip().upper()[:CURRENCY_LENGTH] or default_currency
    money = Money.parse(_exact_text((element.text or "").strip()), currency)
    if money.is_negative():
        raise ValueError(f"the amount {element.text} is negative; the sign belongs in CdtDbtInd")
    return money


def _exact_text(text: str) -> str:
    """camt allows five decimals and some banks write them (``8.850``, ``5442.09000``): zeros past the cent are
    dropped, as they change nothing; a real fraction of a cent stays and is refused (it cannot be booked exactly)."""
    whole, dot, fraction = text.partition(".")
    if dot and len(fraction) > 2 and not fraction[2:].strip("0"):
        return f"{whole}.{fraction[:2]}"
    return text


def _sign(indicator: str) -> int:
    if indicator not in {"CRDT", "DBIT"}:
        raise ValueError(f"credit/debit indicator {indicator!r} is neither CRDT nor DBIT")
    return 1 if indicator == "CRDT" else -1


def entry_records(
    ntry: etree._Element, index: int, account: str, notified: datetime.date | None = None
) -> list[ParsedEntry | SkippedEntry]:
    """The records of one entry, numbered from ``index + 1``; raises ``ValueError`` for one that cannot be read.
    ``notified``: the day a camt.054 notification was made, its entries' booking date where they give none."""
    texts, amount_element, transactions = _entry_parts(ntry)
    status = _first(texts, "Sts", "Sts/Cd")
    if status.upper() in NOT_BOOKED:
        return [SkippedEntry(index + 1, f"status {status}: not booked yet, it comes again once booked")]
    amount = _money(amount_element)
    if not amount.cents:
        return [SkippedEntry(index + 1, "the amount is 0.00: no money moved, so there is nothing to book")]
    sign = _sign(_first(texts, "CdtDbtInd"))
    booked = _date(texts, "BookgDt") or _date(texts, "ValDt") or notified
    if booked is None:
        raise ValueError("the entry has no booking date")
    fallback = _first(texts, "AddtlNtryInf")
    # ING writes its MT940 codes there ("/TRTP/SEPA Incasso/REMI/…/CSID/…"): read them as MT940's :86: is read.
    coded = coded_details(fallback)
    fallback = coded.get("remittance", fallback) if coded is not None else fallback
    entry_ref = _first(texts, "AcctSvcrRef")
    parts = _split(transactions, amount, sign) if len(transactions) > 1 else None
    pairs: list[tuple[int, EntryDetails]]
    if parts is not None:
        pairs = [
            (cents, _details(texts_of(tx, TRANSACTION_BRANCHES), cents > 0, entry_ref, fallback))
            for tx, cents in zip(transactions, parts, strict=True)
        ]
    else:
        details = [_details(texts_of(tx, TRANSACTION_BRANCHES), sign > 0, entry_ref, fallback) for tx in transactions]
        if not details:
            details = [EntryDetails(bank_reference=clean(entry_ref, REFERENCE_LENGTH))]
        merged = details[0] if len(details) == 1 else _merge(details)
        merged.setdefault("remittance", clean(fallback, REMITTANCE_LENGTH))
        for key, value in (coded or {}).items():
            if value and not merged.get(key):
                merged[key] = value  # type: ignore[literal-required]  # keys come from an EntryDetails
        pairs = [(sign * amount.cents, merged)]
    reversal = _first(texts, "RvslInd").lower() == "true"
    value_date = _date(texts, "ValDt")
    return [
        ParsedEntry(
            index=index + offset + 1,
            account=account,
            booking_date=booked,
            value_date=value_date,
            amount_cents=cents,
            currency=amount.currency,
            reversal=reversal,
            **details,
        )
        for offset, (cents, details) in enumerate(pairs)
    ]


def _split(transactions: list[etree._Element], total: Money, sign: int) -> list[int] | None:
    """Each transaction's signed amount, when they are all given and add up to the entry; else None (the entry
    then stays one record: booking parts that do not add up would book money the bank never moved)."""
    parts = []
    for tx in transactions:
        element = tx.find("{*}AmtDtls/{*}TxAmt/{*}Amt")
        if element is None:
            element = tx.find("{*}Amt")
        if element is None or str(element.get("Ccy", total.currency)).upper() != total.currency:
            return None
        indicator = _first(texts_of(tx, frozenset({"CdtDbtInd"})), "CdtDbtInd")
        parts.append((_sign(indicator) if indicator else sign) * _money(element, total.currency).cents)
    return parts if sum(parts) == sign * total.cents else None


def _details(texts: Texts, credit: bool, entry_ref: str, fallback: str) -> EntryDetails:
    own, other = ("Dbtr", "Cdtr") if credit else ("Cdtr", "Dbtr")
    # Up to .001.06 the name sits right under Dbtr/Cdtr; from .001.07 (Party40Choice) under Pty.
    name = _first(texts, f"RltdPties/{own}/Nm", f"RltdPties/{own}/Pty/Nm", f"RltdPties/{other}/Nm")
    name = name or _first(texts, f"RltdPties/{other}/Pty/Nm")
    iban = _first(texts, f"RltdPties/{own}Acct/Id/IBAN", f"RltdPties/{other}Acct/Id/IBAN")
    additional = [text for text in texts.get("RmtInf/Strd/AddtlRmtInf", []) if not _SWISS_STATUS.match(text)]
    remittance = " ".join(texts.get("RmtInf/Ustrd", []) + additional)
    reference = _first(texts, "RmtInf/Strd/CdtrRefInf/Ref")
    remittance = remittance or _first(texts, "AddtlTxInf") or fallback or reference
    return EntryDetails(
        bank_reference=clean(_first(texts, "Refs/AcctSvcrRef") or entry_ref, REFERENCE_LENGTH),
        end_to_end_id=end_to_end(_first(texts, "Refs/EndToEndId")),
        mandate_id=clean(_first(texts, "Refs/MndtId"), REFERENCE_LENGTH),
        counterparty_name=clean(name, NAME_LENGTH),
        counterparty_iban=compact_iban(iban),
        remittance=clean(remittance, REMITTANCE_LENGTH),
        structured_reference=clean(reference, REFERENCE_LENGTH),
        return_reason=clean(_first(texts, "RtrInf/Rsn/Cd", "RtrInf/Rsn/Prtry"), REASON_LENGTH),
    )


def _merge(details: list[EntryDetails]) -> EntryDetails:
    """The details of an unsplit batch: what all its transactions share, and every remittance text."""
    merged = EntryDetails()
    for key, value in details[0].items():
        if all(d.get(key) == value for d in details):
            merged[key] = value  # type: ignore[literal-required]  # keys come from an EntryDetails
    texts = list(dict.fromkeys(d.get("remittance", "") for d in details if d.get("remittance")))
    merged["remittance"] = clean(" / ".join(texts), REMITTANCE_LENGTH)
    return merged
