"""The ``:86:`` information of an MT940 entry: who paid, with which reference, and why.

The mt-940 library reads ``:86:`` as one opaque text (or as the German ``?20`` sub-fields, which Dutch banks do
not use), so this module fills that gap for the Dutch banks:

* structured, SEPA-era ``:86:`` — ING (``/EREF/…//CNTP/IBAN/BIC/NAME/CITY///REMI/USTD//text/``, ``/RTRN/MS03/``,
  ``/MARF/`` mandate, ``/REMI/STRD/CUR/ref/``), Rabobank (``/EREF/…/ORDP//NAME/…/REMI/…/ISDT/…``, structured
  ``/CDTRREF/``), ABN AMRO and Mollie (``/TRTP/…/IBAN/…/BIC/…/NAME/…/REMI/…/EREF/…``). These banks wrap the
  field at a fixed width in the middle of words and codes (``CONTRA ACCOUN`` / ``T HOLDER``), so the lines are
  joined without a separator before the codes are read;
* free text — older ABN AMRO, SNS/ASN, Knab and ING files: kept whole as the remittance text, with Knab's
  ``REK: <IBAN>/NAAM: <name>`` read out.
"""

from __future__ import annotations

import re

from incasso.payments.parsers.records import (
    IBAN_LENGTH,
    NAME_LENGTH,
    REASON_LENGTH,
    REFERENCE_LENGTH,
    REMITTANCE_LENGTH,
    EntryDetails,
    clean,
    compact_iban,
    end_to_end,
)

# Longer codes before their prefixes (CDTRREFTP before CDTRREF before CD) so the alternation takes the whole one.
CODES = (
    "CDTRREFTP",
    "CDTRREF",
    "EREF",
    "CNTP",
    "REMI",
    "MARF",
    "CSID",
    "RTRN",
    "PREF",
    "PURP",
    "ULTC",
    "ULTD",
    "ULTB",
    "BENM",
    "ORDP",
    "NAME",
    "ADDR",
    "ISDT",
    "IBAN",
    "BIC",
    "TRTP",
    "SVCL",
    "KREF",
    "ISSR",
    "CD",
    "ID",
)
_CODE = re.compile("/(" + "|".join(CODES) + ")/")
_STRUCTURED_START = re.compile("^/(" + "|".join(CODES) + ")/")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_KNAB_IBAN = re.compile(r"\bREK:\s*([A-Z]{2}[0-9]{2}[A-Z0-9]{11,30})\b")
_KNAB_NAME = re.compile(r"\bNAAM:\s*(.+)$")


def is_iban(text: str) -> bool:
    """Whether ``text`` is an IBAN with matching check digits (ISO 13616: MOD 97-10 over the rearranged text)."""
    compact = compact_iban(text)
    if not _IBAN.match(compact):
        return False
    digits = "".join(str(int(char, 36)) for char in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def details_read(lines: list[str]) -> EntryDetails:
    """The fields of one entry's ``:86:`` lines (several ``:86:`` tags of one entry come as several lines)."""
    joined = "".join(lines)
    if _STRUCTURED_START.match(joined):
        return _structured(joined)
    return _free_text(lines)


def _fields(text: str) -> list[tuple[str, str]]:
    """``/CODE/value`` pairs in order; a value runs up to the next code and loses its trailing slashes."""
    matches = list(_CODE.finditer(text))
    pairs = []
    for position, match in enumerate(matches):
        end = matches[position + 1].start() if position + 1 < len(matches) else len(text)
        pairs.append((match.group(1), text[match.end() : end].rstrip("/").strip()))
    return pairs


def _structured(text: str) -> EntryDetails:
    found: dict[str, str] = {}
    for code, value in _fields(text):
        # The first occurrence counts: Rabobank repeats NAME under ULTD (the ultimate party) after the payer.
        found.setdefault(code, value)
    name, iban = found.get("NAME", ""), found.get("IBAN", "")
    if "CNTP" in found:
        parts = found["CNTP"].split("/")
        iban = iban or parts[0]
        name = name or (parts[2] if len(parts) > 2 else "")
    remittance, structured = _remittance(found.get("REMI", ""))
    structured = structured or found.get("CDTRREF", "")
    return EntryDetails(
        end_to_end_id=end_to_end(found.get("EREF")),
        mandate_id=clean(found.get("MARF"), REFERENCE_LENGTH),
        counterparty_name=clean(name, NAME_LENGTH),
        counterparty_iban=compact_iban(iban) if is_iban(iban) else "",
        remittance=clean(remittance or structured, REMITTANCE_LENGTH),
        structured_reference=clean(structured, REFERENCE_LENGTH),
        return_reason=clean(found.get("RTRN", "").split("/")[0], REASON_LENGTH).upper(),
    )


def _remittance(value: str) -> tuple[str, str]:
    """(text, structured reference) of a REMI value: ING writes ``USTD//text`` or ``STRD/CUR/reference``."""
    if value.startswith("USTD/"):
        return value.removeprefix("USTD/").lstrip("/"), ""
    if value.startswith("STRD/"):
        parts = [part for part in value.split("/")[1:] if part]
        reference = parts[-1] if parts else ""
        return "", reference
    return value, ""


def _free_text(lines: list[str]) -> EntryDetails:
    text = " ".join(line.strip() for line in lines if line.strip())
    iban_match = _KNAB_IBAN.search(text)
    name = ""
    for line in lines:
        name_match = _KNAB_NAME.search(line)
        if name_match:
            name = name_match.group(1)
    iban = iban_match.group(1) if iban_match and is_iban(iban_match.group(1)) else ""
    return EntryDetails(
        counterparty_name=clean(name, NAME_LENGTH),
        counterparty_iban=iban[:IBAN_LENGTH],
        remittance=clean(text, REMITTANCE_LENGTH),
    )
