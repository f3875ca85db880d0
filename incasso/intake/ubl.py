"""The e-invoice door: one UBL Invoice or CreditNote (Peppol BIS Billing 3.0, NLCIUS, XRechnung, EHF and other
CIUS of EN 16931; UBL 2.0 to 2.3 share their namespaces) becomes one ``ClaimRow``.

Read as a stream of parser events (``_Reader``), never as a whole tree: only the parts a claim is read from (the
buyer, the totals, payment terms and means, billing references, the item names) are kept, and everything else,
embedded attachments of any size included, is read past without being stored. So a 40 MB invoice with a scanned
PDF costs no more memory than a small one. Parsed securely: a DOCTYPE is refused (so no external entities and no
entity expansion, the billion-laughs attack), no network; since a streaming parser leaves libxml2's own size limits
to its caller, the reader enforces them itself (nesting depth, one text of at most 10 MB except an attachment).

A Peppol file may come as the access point delivered it, inside a Standard Business Document envelope (SBDH): the
invoice in it is read. The mapping is documented in docs/intake-formats.md.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, BinaryIO, cast

from django.utils.translation import gettext_noop as _noop
from lxml import etree

from incasso.core.xml import SAFE_PARSE_OPTIONS
from incasso.intake.rows import ClaimRow, DocumentKind, ImportFileError, RowError

if TYPE_CHECKING:
    from lxml.etree import ParserTarget

    _Target = ParserTarget["etree._Element | None"]
else:
    _Target = object  # the parser-target protocol exists in the type stubs only

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
ROOTS = {
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice": DocumentKind.INVOICE,
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote": DocumentKind.CREDIT_NOTE,
}
NS = {"cbc": CBC, "cac": CAC}
SBDH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
ENVELOPE = f"{{{SBDH}}}StandardBusinessDocument"
LINES = {f"{{{CAC}}}InvoiceLine", f"{{{CAC}}}CreditNoteLine"}
# The children of the document a claim is read from, and how many of each are kept (a hostile file may repeat
# them); every other child (tax totals, delivery, attachments, signatures, ...) is read past unstored.
KEPT: dict[str, int] = {
    **dict.fromkeys(
        (
            f"{{{CBC}}}{name}"
            for name in ("ID", "IssueDate", "DueDate", "InvoiceTypeCode", "CreditNoteTypeCode", "DocumentCurrencyCode")
        ),
        1,
    ),
    **dict.fromkeys((f"{{{CAC}}}AccountingCustomerParty", f"{{{CAC}}}LegalMonetaryTotal"), 1),
    **dict.fromkeys((f"{{{CAC}}}PaymentMeans", f"{{{CAC}}}PaymentTerms"), 10),
    f"{{{CAC}}}BillingReference": 100,
}
ITEM = f"{{{CAC}}}Item"
NAME = f"{{{CBC}}}Name"
BILLING_REFERENCE = (f"{{{CAC}}}BillingReference", f"{{{CAC}}}InvoiceDocumentReference", f"{{{CBC}}}ID")
ATTACHMENT = f"{{{CBC}}}EmbeddedDocumentBinaryObject"
# libxml2's own limits, which it applies only when it builds a tree itself.
MAX_DEPTH = 256
MAX_TEXT = 10_000_000
# Elements kept at most: a real header has a few hundred; a hostile one with millions is read past beyond this.
MAX_KEPT_ELEMENTS = 10_000
# A kept value longer than this is cut: no name, number or amount is that long (the validator reports the length).
KEPT_TEXT = 4_096
BLOCK = 1 << 16
# Invoice type codes (UNTDID 1001) that make a document a credit note whatever its root element.
CREDIT_NOTE_TYPES = {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"}
KVK_SCHEME = "0106"
# Identifier schemes (EAS/ICD) that name no organisation: an e-mail address.
PERSONAL_SCHEMES = {"", "EM", "EMAIL", "MAIL"}
# Legal forms that end a company's name (Dutch, Belgian, German, English, Nordic, French, ...).
_LEGAL_FORM = re.compile(
    r"\b(b\.?\s?v\.?|n\.?\s?v\.?|v\.?o\.?f\.?|c\.?v\.?|gmbh|ag|kg|ug|ltd\.?|limited|llc|inc\.?|corp\.?|plc|"
    r"s\.?a\.?|s\.?a\.?s\.?|sarl|sprl|bvba|a/?s|aps|ab|oy|asa|s\.?r\.?l\.?|u\.?a\.?|e\.\s?v\.)\s*$"
    r"|^(stichting|vereniging|co[oö]peratie|gemeente|provincie|waterschap)\b",
    re.IGNORECASE,
)
DESCRIPTION_LENGTH = 255
# "30 days", "30 dagen", "30 Tage(n)", "30 jours", "30 dage(r)", "30 dagar": the days of a payment-terms note.
_TERMS_DAYS = re.compile(r"(\d{1,3})\s*(?:days?|dagen|dag|tagen?|jours?|dager|dage|dagar|días|dias)\b", re.IGNORECASE)
# XRechnung's machine-readable cash discount, "#SKONTO#TAGE=14#PROZENT=2.00#": the debtor may pay until then.
_SKONTO_DAYS = re.compile(r"#SKONTO#TAGE=(\d{1,3})#", re.IGNORECASE)
# "Hoofdstraat 12", "Dorpsweg 7-a", "Laan 3 bis": a Dutch street line ends in its house number.
_STREET_NUMBER = re.compile(r"^(?P<street>.*\D)\s+(?P<number>\d+(?:[\s\-]?[A-Za-z0-9]{1,4})?)$")
# An xs:date may carry a time zone ("2016-04-04+01:00", XRechnung writes them); the day is what counts.
_ZONED_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})$")
_SEVERAL_ADDRESSES = re.compile(r"\s*[;,\s]\s*")
_DECIMAL = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def ubl_read(stream: BinaryIO) -> ClaimRow | RowError:
    """Read one e-invoice: the claim or credit note it makes, or the reason it makes none (a row error: a
    negative or zero payable amount). Raises ``ImportFileError`` when it is not safe, well-formed UBL."""
    reader = _Reader()
    stream, encoding = _utf32_as_utf8(stream)
    parser = etree.XMLParser(target=reader, encoding=encoding, **SAFE_PARSE_OPTIONS)
    etree.clear_error_log()  # this thread's log then holds this file's errors only, the first one the cause
    try:
        while (block := stream.read(BLOCK)) and reader.refusal is None:
            parser.feed(block)
        document = parser.close()
    except (etree.XMLSyntaxError, ImportFileError) as exc:
        # lxml may report a refusal raised in the reader as the parse error it caused: the refusal is the reason.
        raise reader.refusal or (exc if isinstance(exc, ImportFileError) else _broken(_first_error(exc))) from None
    if document is None and reader.root:
        raise _not_ubl(reader.root)  # an envelope without an invoice in it
    if document is None:
        raise ImportFileError("file", _noop("the file holds no XML element"), code="broken_xml")
    return _claim_row(document, reader.item_names, reader.line_references)


def _utf32_as_utf8(stream: BinaryIO) -> tuple[BinaryIO, str | None]:
    """libxml2 reads UTF-8 and UTF-16 as the file declares, but not UTF-32 fed in blocks: such a file is read
    through a recoder to UTF-8, and the parser told so (overriding the declaration)."""
    head = stream.read(4)
    stream.seek(0)
    codec = {codecs.BOM_UTF32_LE: "utf-32-le", codecs.BOM_UTF32_BE: "utf-32-be"}.get(head)
    if codec is None:
        return stream, None
    stream.read(4)  # the byte order mark
    return cast(BinaryIO, codecs.StreamRecoder(stream, *codecs.lookup("utf-8")[:2], *codecs.lookup(codec)[2:])), "utf-8"


def _broken(reason: str) -> ImportFileError:
    return ImportFileError(
        "file", _noop("the file is not well-formed XML: %(reason)s"), (("reason", reason),), code="broken_xml"
    )


def _first_error(exc: etree.XMLSyntaxError) -> str:
    """What libxml2 found first: a parser fed in blocks may report only what that first error led to at the end
    ("missing end tags")."""
    log = exc.error_log
    if not len(log):
        return str(exc)
    first = log[0]
    return f"{first.message.strip()}, line {first.line}, column {first.column}"


def _not_ubl(tag: str) -> ImportFileError:
    namespace, local = _split_tag(tag)
    return ImportFileError(
        "file",
        _noop("the XML root is %(root)s in namespace %(namespace)s, not a UBL 2.1 Invoice or CreditNote"),
        (("root", repr(local)), ("namespace", repr(namespace))),
        code="not_ubl",
    )


def _split_tag(tag: str) -> tuple[str | None, str]:
    """(namespace, local name) of a ``{namespace}local`` tag. Not ``etree.QName``: libxml2 hands on names that
    QName refuses (``:nvoice``, in a file that is broken there), and the refusal must still say what it found."""
    if tag.startswith("{") and "}" in tag:
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


class _Reader(_Target):
    """A parser target that keeps only what a claim is read from (see ``KEPT``), in a small tree of its own."""

    def __init__(self) -> None:
        self.builder = etree.TreeBuilder()
        self.refusal: ImportFileError | None = None  # why the file is refused, once a callback refused it
        self.root = ""
        self.stack: list[str] = []
        self.document_depth = 0  # where the Invoice/CreditNote element is: 1, or 2 inside an SBDH envelope
        self.document_done = False
        self.skip_depth = 0  # inside a subtree read past unstored, from this depth on
        self.line_depth = 0  # inside an invoice line, from this depth on
        self.kept: Counter[str] = Counter()
        self.built = 0  # elements put in the kept tree
        self.text = 0  # characters of the current text so far
        self.kept_text = 0
        self.capture: list[str] | None = None
        self.item_names: list[str] = []
        self.line_references: set[str] = set()

    def refuse(self, refusal: ImportFileError) -> ImportFileError:
        self.refusal = self.refusal or refusal
        return self.refusal

    def doctype(self, *_: object) -> None:
        raise self.refuse(
            ImportFileError(
                "file",
                _noop("the XML has a DOCTYPE (DTD); e-invoices never need one, and entities are refused for safety"),
                code="xml_doctype",
            )
        )

    def start(self, tag: str, attrib: dict[str, str], nsmap: object = None) -> None:
        self.stack.append(tag)
        self.text = self.kept_text = 0
        depth = len(self.stack)
        self.root = self.root or tag
        if depth > MAX_DEPTH:
            raise self.refuse(_broken(f"Excessive depth in document: more than {MAX_DEPTH} nested elements"))
        if self.skip_depth or self.document_done:
            return
        if not self.document_depth:
            self._open_document(tag, attrib, depth)
        elif self.line_depth:
            self._in_line(tag)
        elif depth == self.document_depth + 1:
            if tag in LINES:
                self.line_depth = depth
            elif self.kept[tag] < KEPT.get(tag, 0):
                self.kept[tag] += 1
                self._build(tag, attrib, depth)
            else:
                self.skip_depth = depth
        else:
            self._build(tag, attrib, depth)

    def _build(self, tag: str, attrib: dict[str, str], depth: int) -> None:
        if self.built < MAX_KEPT_ELEMENTS:
            self.built += 1
            self.builder.start(tag, attrib)
        else:
            self.skip_depth = depth

    def _open_document(self, tag: str, attrib: dict[str, str], depth: int) -> None:
        if tag in ROOTS:
            self.document_depth = depth
            self.builder.start(tag, attrib)
        elif depth == 1 and tag == ENVELOPE:
            return
        elif depth == 2 and tag.startswith(f"{{{SBDH}}}"):
            self.skip_depth = depth  # the envelope's header: routing data, not the invoice
        else:
            raise self.refuse(_not_ubl(tag))

    def _in_line(self, tag: str) -> None:
        path = tuple(self.stack[self.line_depth :])
        if path == (ITEM, NAME) or path == BILLING_REFERENCE:
            self.capture = []

    def end(self, tag: str) -> None:
        depth = len(self.stack)
        if self.skip_depth:
            if depth == self.skip_depth:
                self.skip_depth = 0
        elif self.line_depth:
            self._end_in_line(depth)
        elif self.document_depth and not self.document_done and depth >= self.document_depth:
            self.builder.end(tag)
            self.document_done = depth == self.document_depth
        self.stack.pop()
        self.text = self.kept_text = 0

    def _end_in_line(self, depth: int) -> None:
        if self.capture is not None:
            text = "".join(self.capture).strip()
            if self.stack[-1] == NAME:
                if text and text not in self.item_names and sum(map(len, self.item_names)) < DESCRIPTION_LENGTH:
                    self.item_names.append(text)
            elif text and len(self.line_references) < KEPT[f"{{{CAC}}}BillingReference"]:
                self.line_references.add(text)
            self.capture = None
        if depth == self.line_depth:
            self.line_depth = 0

    def data(self, text: str) -> None:
        self.text += len(text)
        if self.text > MAX_TEXT and self.stack and self.stack[-1] != ATTACHMENT:
            local = _split_tag(self.stack[-1])[1]
            raise self.refuse(_broken(f"Text node too long: <{local}> holds more than {MAX_TEXT:,} characters"))
        if self.capture is not None:
            if self.text <= KEPT_TEXT:
                self.capture.append(text)
        elif not self.skip_depth and not self.line_depth and self.document_depth and not self.document_done:
            room = KEPT_TEXT - self.kept_text
            if room > 0:
                self.builder.data(text[:room])
                self.kept_text += min(len(text), room)

    def close(self) -> etree._Element | None:
        return self.builder.close() if self.document_depth else None


def _text(node: etree._Element | None, path: str) -> str:
    if node is None:
        return ""
    return (node.findtext(path, default="", namespaces=NS) or "").strip()


def _attribute(node: etree._Element | None, path: str, name: str) -> str:
    found = node.find(path, namespaces=NS) if node is not None else None
    return str(found.get(name, "")).strip() if found is not None else ""


def _date(text: str) -> str:
    """The day of an xs:date, without the time zone it may carry."""
    match = _ZONED_DATE.match(text)
    return match.group(1) if match else text


def _amount(text: str) -> str:
    """An xs:decimal as written, less trailing zeros past the cents ("121.0000" is 121.00, exactly); a value with
    more significant decimals is left for the validator to refuse rather than rounded here."""
    if "." in text and _DECIMAL.match(text):
        whole, _, fraction = text.partition(".")
        fraction = fraction.rstrip("0").ljust(2, "0")
        return f"{whole}.{fraction}"
    return text


def _claim_row(root: etree._Element, item_names: list[str], line_references: set[str]) -> ClaimRow | RowError:
    kind = ROOTS[str(root.tag)]
    if kind is DocumentKind.INVOICE and _text(root, "cbc:InvoiceTypeCode") in CREDIT_NOTE_TYPES:
        kind = DocumentKind.CREDIT_NOTE
    amount = _amount(_text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount"))
    references = list(
        dict.fromkeys(
            text
            for node in root.iterfind("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS)
            if (text := (node.text or "").strip())
        )
    ) or sorted(line_references)
    sign = _sign(amount)
    if sign < 0 and kind is DocumentKind.INVOICE and references:
        # A negative invoice that names the invoice it corrects is a credit note in all but name (Peppol allows both).
        kind, amount = DocumentKind.CREDIT_NOTE, amount.lstrip("-")
    elif sign < 0 and kind is DocumentKind.INVOICE:
        return RowError(
            1,
            "amount",
            _noop(
                "the payable amount is negative (%(amount)s): the seller owes the buyer, so there is nothing to collect"
            ),
            (("amount", amount),),
        )
    elif sign < 0:
        return RowError(
            1,
            "amount",
            _noop(
                "the credit note's amount is negative (%(amount)s): it charges the buyer, so submit it as an invoice"
            ),
            (("amount", amount),),
        )
    elif sign == 0:
        return RowError(
            1,
            "amount",
            _noop("the payable amount is %(amount)s: nothing is left to pay (prepaid: %(prepaid)s)"),
            (("amount", amount), ("prepaid", _text(root, "cac:LegalMonetaryTotal/cbc:PrepaidAmount") or "0")),
        )
    if kind is DocumentKind.CREDIT_NOTE and len(references) > 1:
        return RowError(
            1,
            "credited_invoice_number",
            _noop("the credit note names several invoices (%(numbers)s): submit one credit note per invoice"),
            (("numbers", ", ".join(references)),),
        )
    due_date = _text(root, "cbc:DueDate") or _text(root, "cac:PaymentMeans/cbc:PaymentDueDate")
    due_date = _date(due_date or _text(root, "cac:PaymentTerms/cbc:PaymentDueDate"))
    description = "; ".join(item_names)
    if len(description) > DESCRIPTION_LENGTH:
        description = description[: DESCRIPTION_LENGTH - 1] + "…"
    party = root.find("cac:AccountingCustomerParty/cac:Party", namespaces=NS)
    return ClaimRow(
        row=1,
        document=kind,
        invoice_number=_text(root, "cbc:ID"),
        invoice_date=_date(_text(root, "cbc:IssueDate")),
        due_date=due_date,
        amount=amount,
        currency=_attribute(root, "cac:LegalMonetaryTotal/cbc:PayableAmount", "currencyID")
        or _text(root, "cbc:DocumentCurrencyCode"),
        description=description,
        credited_invoice_number=references[0] if references and kind is DocumentKind.CREDIT_NOTE else "",
        payment_terms_days="" if due_date else _payment_terms_days(root),
        **_debtor_fields(party),
    )


def _sign(amount: str) -> int:
    """-1, 0 or 1 for a decimal; 1 for anything else, which the validator then refuses with its own reason."""
    if not _DECIMAL.match(amount):
        return 1
    try:
        value = Decimal(amount)
    except InvalidOperation:
        return 1
    return (value > 0) - (value < 0)


def _payment_terms_days(root: etree._Element) -> str:
    """Days to pay when the invoice names no due date; "0" (due on the issue date) when it names no terms.

    A note may name several periods ("2% discount within 8 days, net 30 days"): the longest is the term to pay in,
    so a demand never comes before the debtor was due to pay."""
    days: list[int] = []
    for terms in root.iterfind("cac:PaymentTerms", namespaces=NS):
        period = terms.find("cac:SettlementPeriod/cbc:DurationMeasure", namespaces=NS)
        if period is not None and period.get("unitCode", "DAY") == "DAY" and (period.text or "").strip().isdigit():
            days.append(int((period.text or "").strip()))
        note = _text(terms, "cbc:Note")
        days.extend(int(match) for match in (*_TERMS_DAYS.findall(note), *_SKONTO_DAYS.findall(note)))
    return str(max(days)) if days else "0"


def _debtor_fields(party: etree._Element | None) -> dict[str, str]:
    """The buyer as a debtor: a company when it has a company or VAT number, an organisation identifier (a Peppol
    endpoint or party identifier in any scheme but e-mail) or a legal form in its name; else a consumer."""
    registration_name = _text(party, "cac:PartyLegalEntity/cbc:RegistrationName")
    trading_name = _text(party, "cac:PartyName/cbc:Name")
    company_id = _text(party, "cac:PartyLegalEntity/cbc:CompanyID")
    vat_id = _text(party, "cac:PartyTaxScheme/cbc:CompanyID")
    schemes = {
        _attribute(party, path, "schemeID").upper() for path in ("cbc:EndpointID", "cac:PartyIdentification/cbc:ID")
    }
    is_company = bool(company_id or vat_id or schemes - PERSONAL_SCHEMES)
    is_company = is_company or any(_LEGAL_FORM.search(name) for name in (registration_name, trading_name) if name)
    kvk_number = ""
    for path in ("cac:PartyLegalEntity/cbc:CompanyID", "cac:PartyIdentification/cbc:ID", "cbc:EndpointID"):
        if _attribute(party, path, "schemeID") == KVK_SCHEME:
            kvk_number = _text(party, path)
            is_company = True
            break
    name = (registration_name or trading_name) if is_company else (trading_name or registration_name)
    name = name or _text(party, "cac:Contact/cbc:Name")
    given_names, surname = "", name
    family_name = _text(party, "cac:Person/cbc:FamilyName")
    if family_name and not is_company:
        # A person named in parts (UBL's Person) need not be guessed apart from the one-line name.
        given_names = " ".join(
            filter(None, (_text(party, "cac:Person/cbc:FirstName"), _text(party, "cac:Person/cbc:MiddleName")))
        )
        surname = family_name
    reference = _text(party, "cbc:EndpointID") or _text(party, "cac:PartyIdentification/cbc:ID") or name
    country = _text(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode")
    street = _text(party, "cac:PostalAddress/cbc:StreetName")
    house_number = _text(party, "cac:PostalAddress/cbc:BuildingNumber")
    if not house_number and country.upper() in {"", "NL"}:
        match = _STREET_NUMBER.match(street)
        if match:
            # "Kunststraat, 3": the comma some senders put before the number is not part of the street.
            street, house_number = match.group("street").strip().rstrip(",").rstrip(), match.group("number")
    return {
        "debtor_reference": reference,
        "debtor_kind": "company" if is_company else "consumer",
        # Without a Person, UBL carries one name: a person's goes whole into the surname rather than guessed apart.
        "given_names": "" if is_company else given_names,
        "surname": "" if is_company else surname,
        "organisation_name": name if is_company else "",
        "street": street,
        "house_number": house_number,
        "postcode": _text(party, "cac:PostalAddress/cbc:PostalZone"),
        "city": _text(party, "cac:PostalAddress/cbc:CityName"),
        "country": country,
        # Some senders list several addresses in the one field ("a@x.nl; b@x.nl"): the first is the debtor's.
        "email": _SEVERAL_ADDRESSES.split(_text(party, "cac:Contact/cbc:ElectronicMail"), maxsplit=1)[0],
        "phone": _text(party, "cac:Contact/cbc:Telephone"),
        "kvk_number": kvk_number,
    }
