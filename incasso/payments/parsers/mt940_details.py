"""The ``:86:`` information of an MT940 entry: who paid, with which reference, and why.

The mt-940 library reads ``:86:`` as one opaque text (or as the German ``?20`` sub-fields, which Dutch banks do
not use), so this module fills that gap for the Dutch banks:

* structured, SEPA-era ``:86:`` — ING (``/EREF/…//CNTP/IBAN/BIC/NAME/CITY///REMI/USTD//text/``, ``/RTRN/MS03/``,
  ``/MARF/`` mandate, ``/REMI/STRD/CUR/ref/``), Rabobank (``/EREF/…/ORDP//NAME/…/REMI/…/ISDT/…``, structured
  ``/CDTRREF/``), ABN AMRO and Mollie (``/TRTP/…/IBAN/…/BIC/…/NAME/…/REMI/…/EREF/…``). These banks wrap the
  field at a fixed width in the middle of words and codes (``CONTRA ACCOUN`` / ``T HOLDER``), so the lines are
  joined without a separator before the codes are read;
* free text — older ABN AMRO, SNS/ASN, Knab and ING files: kept whole as the remittance text, with Knab's
  ``REK: <IBAN>/NAAM: <name>`` read out, and de Volksbank's (ASN, SNS, RegioBank) first line ``<IBAN> <name>``;
  when such free text goes on into coded fields (ASN's SEPA direct debits: ``/TRTP/…/MARF/…/EREF/…``), those
  are read as above;
* numbered sub-fields, Triodos's ``000>10…>20…>21…`` and the German ``166?20…?31…?32…`` (Kontist, Sparkassen):
  the description fields are joined back into one text, the account and name read out.

Where the bank labels a field as the counterparty's IBAN (``/IBAN/``, ``/CNTP/``, ``REK:``, ``?31``, the :61:
reference of ASN and Rabobank, the first word of de Volksbank's text), an IBAN of the right country and length is
kept even if its check digits are wrong: published sample files are anonymised that way, and the bank vouches for
the field. Nothing is guessed from free text.

How the lines of one ``:86:`` are joined back into one text depends on the layout, because banks wrap it in
two ways: at a fixed width, in the middle of a word or code, or between items (a line per item, or columns):

* a line that ended in white space, or a line after it that starts with white space, was broken at a word: one
  space, whatever the layout. The reader keeps that trailing space (it strips lines otherwise), because a bank
  that cuts at a fixed width cuts at a space as often as anywhere, and losing it glues two words together;
* structured ``/CODE/`` text (ING, Rabobank, ABN AMRO, Mollie, ASN's direct debits): otherwise joined directly.
  These banks cut at 65 characters (ING counts the ``:86:`` tag in its first line, which so holds 61) without
  regard to words or codes (``CONTRA ACCOUN`` / ``T HOLDER``, ``Sheepcity Nederl`` / ``and``, ``/REM`` / ``I/``),
  and ING's export cuts lines shorter still (``MND`` / ``-`` / ``EV01``, ``CO`` / ``NTRIBUTIE``). The whole
  coded text kept as the remittance when there is no ``/REMI/`` is joined as free text (below): banks outside
  the Netherlands write the payer's words on lines of their own after the codes;
* free text (older ABN AMRO, ING, SNS/ASN, Knab, Rabobank's one ``:86:`` per line): directly after a line that
  fills the width (65 characters; 61 on the first line, the tag's four counted), with a space after a shorter
  one, which the bank ended itself: ABN AMRO's 32-character columns and Knab's items are separate words;
* numbered sub-fields (German ``?20`` to ``?29`` and ``?60`` to ``?63``, Polish ``~``/``^``, Triodos ``>2x``): each
  description sub-field holds at most 27 characters and is filled to the brim, mid-word: directly after a full
  one, with a space after a shorter one.
"""

from __future__ import annotations

import functools
import re

from schwifty import IBAN
from schwifty.exceptions import InvalidBBANChecksum, InvalidChecksumDigits, SchwiftyException

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
    "ACCW",
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
    # Rabobank's transaction code, charges, exchange rate and original amount: not read, but they end a value
    # ("/EREF/…/TRCD/626/" is the end-to-end id "…", not "…/TRCD/626").
    "TRCD",
    "CHGS",
    "EXCH",
    "OCMT",
    # Creditor/debtor name, account and BIC, and a purpose, in US and UK banks' statements.
    "CRNM",
    "CACT",
    "CBIC",
    "DRNM",
    "DACT",
    "DBIC",
    "OPRP",
)
_CODE = re.compile("/(" + "|".join(CODES) + ")/")
_STRUCTURED_START = re.compile("^/(" + "|".join(CODES) + ")/")
# A coded field the list above lacks still marks structured text when a known code follows.
_ANY_CODE_START = re.compile("^/[A-Z]{3,9}/")
# Numbered sub-fields after a three-digit code: Triodos "000>100555555555>20…", German "166?20…?31…?32…",
# Polish "020~00…~20…" (mBank, ING Bank Śląski) and "020^00…" (PKO BP).
_SUBFIELDS_START = re.compile(r"^[0-9]{3}([>?+~^])[0-9]{2}")
_SEPA_KEY = re.compile(r"\b((?:EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|COAM|OAMT|IBAN|BIC)\+|MTLG:)")
# The SWIFT line width: a line that long was wrapped by the bank, mid-word.
LINE_WIDTH = 65
# ING counts the ":86:" tag in the first line's 65 characters, so its text is full at 61.
FIRST_LINE_WIDTH = LINE_WIDTH - len(":86:")
# The width of a numbered description sub-field (German, Polish, Triodos): one that long goes on mid-word.
SUBFIELD_WIDTH = 27
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_KNAB_IBAN = re.compile(r"\bREK:\s*([A-Z]{2}[0-9]{2}[A-Z0-9]{11,30})\b")
_KNAB_NAME = re.compile(r"\bNAAM:\s*(.+)$")


def is_iban(text: str) -> bool:
    """Whether ``text`` is a valid IBAN: country, length, structure and check digits (schwifty)."""
    return _iban_check(compact_iban(text)) == "valid"


def labelled_iban(text: str) -> str:
    """The compact IBAN in a field the bank labels as one: right country and length, check digits not required."""
    compact = compact_iban(text)
    return compact if _iban_check(compact) in {"valid", "check digits"} else ""


@functools.lru_cache(maxsize=4096)
def _iban_check(compact: str) -> str:
    """ "valid", "check digits" (only those are wrong) or "no". Remembered: a statement names the same payers' IBANs
    again and again."""
    if not _IBAN.match(compact):
        return "no"
    # ISO 13616's MOD 97-10 first: a few times cheaper than schwifty's full check, and what almost every IBAN in a
    # bank file passes; schwifty then only tells a wrong check digit from a text that is no IBAN at all.
    if int("".join(str(int(char, 36)) for char in compact[4:] + compact[:4])) % 97 == 1:
        return "valid"
    try:
        IBAN(compact)
    except (InvalidChecksumDigits, InvalidBBANChecksum):
        return "check digits"
    except SchwiftyException:
        return "no"
    return "valid"


def details_read(lines: list[str]) -> EntryDetails:
    """The fields of one entry's ``:86:`` lines (several ``:86:`` tags of one entry come as several lines)."""
    joined = "".join(lines)
    if _is_structured(joined):
        return _with_text(_structured(joined), lines)
    # Some banks (Polish ones in Deutsche Bank's layout) put a space before the code: " 020?00…".
    if subfields := _SUBFIELDS_START.match(joined.lstrip()):
        return _subfields([lines[0].lstrip(), *lines[1:]], subfields.group(1))
    for position, line in enumerate(lines):
        if position and _is_structured(line.strip()):
            # Free text that goes on into coded fields (ASN's direct debits): the codes say more, the free
            # text's first line still names the counterparty when the codes do not.
            coded = _structured("".join(lines[position:]).strip())
            for key, value in _free_text(lines[:position]).items():
                if key != "remittance" and not coded.get(key):
                    coded[key] = value  # type: ignore[literal-required]  # keys come from an EntryDetails
            return _with_text(coded, lines)
    return _free_text(lines)


def _with_text(details: EntryDetails, lines: list[str]) -> EntryDetails:
    """Coded details without a remittance field (``/REMI/``) keep the whole text as their remittance: banks outside
    the Netherlands code other fields (HSBC's ``/OCMT/``, Macedonian ``/BENM/``, Rabobank's batch ``/PREF/``) and
    write the payer's words after them, and a reference there must still be found by the matching."""
    if not details.get("remittance"):
        details["remittance"] = clean(_unwrap(lines, LINE_WIDTH, first_width=FIRST_LINE_WIDTH), REMITTANCE_LENGTH)
    return details


def coded_details(text: str) -> EntryDetails | None:
    """The fields of a text in the Dutch banks' ``/CODE/value`` form, wherever it comes from (ING repeats it in
    camt's ``AddtlNtryInf``); None for any other text."""
    return _structured(text) if text.startswith("/") and _is_structured(text) else None


def _is_structured(text: str) -> bool:
    if _STRUCTURED_START.match(text):
        return True
    return bool(_ANY_CODE_START.match(text)) and _CODE.search(text) is not None


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
    if not iban and "ACCW" in found:  # Rabobank: /ACCW/<IBAN>,<BIC>/
        iban = found["ACCW"].split(",")[0]
    remittance, structured = _remittance(found.get("REMI", ""))
    structured = structured or found.get("CDTRREF", "")
    return EntryDetails(
        end_to_end_id=end_to_end(found.get("EREF")),
        mandate_id=clean(found.get("MARF"), REFERENCE_LENGTH),
        counterparty_name=clean(name, NAME_LENGTH),
        counterparty_iban=labelled_iban(iban),
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
    text = _unwrap(lines, LINE_WIDTH, first_width=FIRST_LINE_WIDTH)
    iban_match = _KNAB_IBAN.search(text)
    name = ""
    for line in lines:
        name_match = _KNAB_NAME.search(line)
        if name_match:
            name = name_match.group(1)
    iban = labelled_iban(iban_match.group(1)) if iban_match else ""
    first, _, rest = lines[0].strip().partition(" ") if lines else ("", "", "")
    if not iban and (leading := labelled_iban(first)):
        # de Volksbank (ASN, SNS, RegioBank): "<IBAN> <name>" on the first line.
        iban, name = leading, name or rest
    return EntryDetails(
        counterparty_name=clean(name, NAME_LENGTH),
        counterparty_iban=iban[:IBAN_LENGTH],
        remittance=clean(text, REMITTANCE_LENGTH),
    )


def _subfields(lines: list[str], separator: str) -> EntryDetails:
    """Numbered sub-fields, each cut at 27 characters (mid-word): ``>2x``/``?2x`` the description. Triodos (``>``)
    puts the counterparty's account in ``>10``; the German layout (``?``, Kontist, Sparkassen) and the Polish
    banks' (``~``, ``^``) its IBAN in ``?31`` (or ``?38``) and its name in ``?32``/``?33``."""
    parts = re.split(re.escape(separator) + "([0-9]{2})", "".join(lines))
    fields = list(zip(parts[1::2], parts[2::2], strict=True))
    description = [value for code, value in fields if code[0] == "2" or code in {"60", "61", "62", "63"}]
    account_code, name_codes = ("10", ()) if separator == ">" else ("31", ("32", "33"))
    iban = labelled_iban(next((value for code, value in fields if code == account_code), ""))
    # Polish banks give the counterparty's IBAN in ?38 (and a domestic account number in ?31).
    iban = iban or labelled_iban(next((value for code, value in fields if code == "38"), ""))
    for value in description:
        iban = iban or labelled_iban(value)
    text = _unwrap([value for value in description if compact_iban(value) != iban], SUBFIELD_WIDTH)
    name = _unwrap([value for code, value in fields if code in name_codes], SUBFIELD_WIDTH)
    keyed = _sepa_keys(text)
    return EntryDetails(
        counterparty_iban=iban,
        counterparty_name=clean(name, NAME_LENGTH),
        remittance=clean(keyed.get("SVWZ") or text, REMITTANCE_LENGTH),
        end_to_end_id=end_to_end(keyed.get("EREF")),
        mandate_id=clean(keyed.get("MREF"), REFERENCE_LENGTH),
    )


def _sepa_keys(text: str) -> dict[str, str]:
    """The German SEPA keys in a description: ``EREF+`` end-to-end id, ``MREF+`` mandate, ``SVWZ+`` the payer's
    text (up to the next key)."""
    parts = _SEPA_KEY.split(text)
    found: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=True):
        found.setdefault(key[:4], value.strip())
    if found.get("EREF", "").upper() == "NONREF":
        del found["EREF"]
    return found


def _unwrap(pieces: list[str], width: int, *, first_width: int | None = None) -> str:
    """Pieces of one text joined back (the rule in the module's docstring): directly after a piece that fills the
    bank's width (cut there, often mid-word; the first piece also when it fills ``first_width``), with a space
    after a shorter one (the bank ended it there) or where white space at the break shows a word ended."""
    text = ""
    previous = ""
    for position, piece in enumerate(pieces):
        if not piece.strip():
            previous = ""
            continue
        body = previous.rstrip()
        full = len(body) >= width or (position == 1 and first_width is not None and len(body) == first_width)
        if not text:
            text = piece.strip()
        elif full and body == previous and piece == piece.lstrip():
            text += piece.rstrip()
        else:
            text += " " + piece.strip()
        previous = piece
    return text
