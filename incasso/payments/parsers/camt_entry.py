"""One camt ``Ntry``: a single booking, or a batch that becomes one record per ``TxDtls``.

Each element is read once into a flat ``{"Refs/EndToEndId": [text, ...]}`` map of the branches we use, and the
fields are looked up there: ElementPath lookups (``findtext``) cost about as much each as this whole walk, and an
entry needs some fifteen of them. The walk goes only into the branches the fields are on (``ENTRY_PATHS``,
``TRANSACTION_PATHS``), one dictionary look-up per element. The paths are the same in every version from .001.02
to .001.14, except the party name, which moved under ``Pty`` in .001.07.
"""

from __future__ import annotations

import datetime
import re
import sys
from typing import TypeAlias
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
# What is read of an entry and of each of its transactions, by path relative to it (the element's text, where it
# has no child elements; an element with children is looked into).
ENTRY_PATHS = (
    "CdtDbtInd",
    "RvslInd",
    "Sts",
    "Sts/Cd",
    "BookgDt/Dt",
    "BookgDt/DtTm",
    "ValDt/Dt",
    "ValDt/DtTm",
    "AcctSvcrRef",
    "AddtlNtryInf",
)
TRANSACTION_PATHS = (
    "Refs/AcctSvcrRef",
    "Refs/EndToEndId",
    "Refs/MndtId",
    "CdtDbtInd",
    *(f"RltdPties/{party}/{name}" for party in ("Dbtr", "Cdtr") for name in ("Nm", "Pty/Nm")),
    "RltdPties/DbtrAcct/Id/IBAN",
    "RltdPties/CdtrAcct/Id/IBAN",
    "RmtInf/Ustrd",
    "RmtInf/Strd/AddtlRmtInf",
    "RmtInf/Strd/CdtrRefInf/Ref",
    "RtrInf/Rsn/Cd",
    "RtrInf/Rsn/Prtry",
    "AddtlTxInf",
)
Texts = dict[str, list[str]]
# A branch of the paths read: by an element's tag, the path under which its text is kept (None: only its children
# are read) and the branch below it (None: nothing below it is read). Keyed by local name; a tag with a namespace
# ("{urn:...}Nm") is added under its own key when first met, so each element costs one dictionary look-up.
Node: TypeAlias = "tuple[str | None, Tree | None]"
Tree: TypeAlias = "dict[object, Node | None]"
# A file's distinct tags are a few dozen; a hostile file with endless new ones is looked up, never remembered.
LEARNED_TAGS = 256
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
_OFFSET = re.compile(r"[+-][0-9]{2}:?[0-9]{2}$")
# Swiss banks' processing status in AddtlRmtInf ("?REJECT?0", "?ERROR?000"): not the payer's words.
_SWISS_STATUS = re.compile(r"^\?[A-Z]+\?[0-9]*$")
_UNSEEN: Node = ("", None)


def _tree(paths: tuple[str, ...]) -> Tree:
    """The branches of ``paths`` as a ``Tree``."""
    root: Tree = {}
    for path in paths:
        node, names = root, path.split("/")
        for depth, name in enumerate(names, start=1):
            own, below = node.get(name) or (None, None)
            if depth == len(names):
                node[name] = (path, below)
            else:
                below = below if below is not None else {}
                node[name] = (own, below)
                node = below
    return root


_ENTRY = _tree(ENTRY_PATHS)
_TRANSACTION = _tree(TRANSACTION_PATHS)
# The entry's children that are not texts: its amount and its transactions (kept apart, found by identity).
_AMOUNT: Node = ("Amt", None)
_TX_DETAILS: Tree = {"TxDtls": ("TxDtls", None)}
_DETAILS: Node = ("NtryDtls", _TX_DETAILS)
_ENTRY.update(Amt=_AMOUNT, NtryDtls=_DETAILS)


def _node(tree: Tree, tag: object) -> Node | None:
    """The node of ``tag`` in ``tree`` the first time a tag is met: by its local name (comments have none)."""
    node = tree.get(tag.rpartition("}")[2]) if isinstance(tag, str) else None
    if len(tree) < LEARNED_TAGS:
        tree[tag] = node
    return node


def _collect(element: etree._Element, tree: Tree, found: Texts) -> None:
    """Add the stripped texts of ``element``'s leaves on the paths of ``tree`` to ``found``, by path."""
    for child in element:
        tag = child.tag
        node = tree.get(tag, _UNSEEN)
        if node is _UNSEEN:
            node = _node(tree, tag)
        if node is None:
            continue
        path, below = node
        if len(child):
            if below is not None:
                _collect(child, below, found)
        elif path is not None:
            text = child.text
            if text and (text := text.strip()):
                if path in found:
                    found[path].append(text)
                else:
                    found[path] = [text]


def transaction_texts(transaction: etree._Element) -> Texts:
    """The texts of a ``TxDtls`` on ``TRANSACTION_PATHS``, by path."""
    found: Texts = {}
    _collect(transaction, _TRANSACTION, found)
    return found


def _entry_parts(ntry: etree._Element) -> tuple[Texts, etree._Element | None, list[etree._Element]]:
    """One pass over an entry's children: its own texts (``ENTRY_PATHS``), its first ``Amt`` and every
    ``NtryDtls/TxDtls`` (as ``find`` and ``findall`` would give them, without their path searches)."""
    found: Texts = {}
    amount = None
    transactions: list[etree._Element] = []
    tree = _ENTRY
    for child in ntry:
        tag = child.tag
        node = tree.get(tag, _UNSEEN)
        if node is _UNSEEN:
            node = _node(tree, tag)
        if node is None:
            continue
        if node is _AMOUNT:
            if amount is None:
                amount = child
        elif node is _DETAILS:
            for detail in child:
                kind = _TX_DETAILS.get(detail.tag, _UNSEEN)
                if (_node(_TX_DETAILS, detail.tag) if kind is _UNSEEN else kind) is not None:
                    transactions.append(detail)
        else:
            _collect_one(child, node, found)
    return found, amount, transactions


def _collect_one(child: etree._Element, node: Node, found: Texts) -> None:
    """``_collect`` for one element whose node is known."""
    path, below = node
    if len(child):
        if below is not None:
            _collect(child, below, found)
    elif path is not None and child.text and (text := child.text.strip()):
        found.setdefault(path, []).append(text)


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


# The days read, by their text: a statement's entries share a few, and one date object per day also lets the
# reader's process send each day once per chunk (pickle writes an object it has written before as a reference).
_DAYS: dict[str, datetime.date] = {}
DAYS_KEPT = 1_024


def _day(text: str) -> datetime.date:
    """The day of a ``Dt`` or ``DtTm``. A time in UTC or with an offset is the bank's moment, taken in Dutch time:
    ``2014-01-04T23:00:00.000Z`` is booked on 5 January in Amsterdam (a time without offset is local already)."""
    day = _DAYS.get(text)
    if day is None:
        day = _day_read(text)
        if len(_DAYS) >= DAYS_KEPT:
            _DAYS.clear()
        _DAYS[text] = day
    return day


def _day_read(text: str) -> datetime.date:
    if len(text) == 10 or not (text.endswith(("Z", "z")) or _OFFSET.search(text[10:])):
        return datetime.date.fromisoformat(text[:10])
    try:
        moment = datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "Zz" else text)
    except ValueError:  # a date with an offset ("2014-01-05+01:00"), or a time Python cannot read: its day as written
        return datetime.date.fromisoformat(text[:10])
    return moment.astimezone(AMSTERDAM).date()


def _money(element: etree._Element | None, default_currency: str = "EUR") -> Money:
    text = element.text if element is not None else None
    if element is None or not text or not (text := text.strip()):
        raise ValueError("the entry has no amount")
    # Interned: one string object per currency, sent once per chunk like the days.
    currency = sys.intern(str(element.get("Ccy", "")).strip().upper()[:CURRENCY_LENGTH] or default_currency)
    money = Money.parse(_exact_text(text), currency)
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
    coded = coded_details(fallback) if fallback else None
    fallback = coded.get("remittance", fallback) if coded is not None else fallback
    entry_ref = _first(texts, "AcctSvcrRef")
    transaction_texts_ = [transaction_texts(tx) for tx in transactions]
    parts = _split(transactions, transaction_texts_, amount, sign) if len(transactions) > 1 else None
    pairs: list[tuple[int, EntryDetails]]
    if parts is not None:
        pairs = [
            (cents, _details(tx_texts, cents > 0, entry_ref, fallback))
            for tx_texts, cents in zip(transaction_texts_, parts, strict=True)
        ]
    else:
        details = [_details(tx_texts, sign > 0, entry_ref, fallback) for tx_texts in transaction_texts_]
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


def _split(transactions: list[etree._Element], texts: list[Texts], total: Money, sign: int) -> list[int] | None:
    """Each transaction's signed amount, when they are all given and add up to the entry; else None (the entry
    then stays one record: booking parts that do not add up would book money the bank never moved)."""
    parts = []
    for tx, tx_texts in zip(transactions, texts, strict=True):
        element = tx.find("{*}AmtDtls/{*}TxAmt/{*}Amt")
        if element is None:
            element = tx.find("{*}Amt")
        if element is None or str(element.get("Ccy", total.currency)).upper() != total.currency:
            return None
        indicator = _first(tx_texts, "CdtDbtInd")
        parts.append((_sign(indicator) if indicator else sign) * _money(element, total.currency).cents)
    return parts if sum(parts) == sign * total.cents else None


# The paths of the payer's (credit) or payee's (debit) name and IBAN, then the other party's: up to .001.06 the
# name sits right under Dbtr/Cdtr, from .001.07 (Party40Choice) under Pty.
_NAMES = {
    credit: tuple(f"RltdPties/{party}/{path}" for party in parties for path in ("Nm", "Pty/Nm"))
    for credit, parties in ((True, ("Dbtr", "Cdtr")), (False, ("Cdtr", "Dbtr")))
}
_IBANS = {
    credit: tuple(f"RltdPties/{party}Acct/Id/IBAN" for party in parties)
    for credit, parties in ((True, ("Dbtr", "Cdtr")), (False, ("Cdtr", "Dbtr")))
}


def _details(texts: Texts, credit: bool, entry_ref: str, fallback: str) -> EntryDetails:
    name = _first(texts, *_NAMES[credit])
    iban = _first(texts, *_IBANS[credit])
    additional = [text for text in texts.get("RmtInf/Strd/AddtlRmtInf", ()) if not _SWISS_STATUS.match(text)]
    remittance = " ".join([*texts.get("RmtInf/Ustrd", ()), *additional])
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
