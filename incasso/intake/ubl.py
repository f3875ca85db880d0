"""The e-invoice door: one UBL 2.1 Invoice or CreditNote (Peppol BIS Billing 3.0, NLCIUS) becomes one ``ClaimRow``.

Parsed securely: no DTD at all (so no external entities and no entity expansion, the billion-laughs attack),
no network, libxml2's size limits on. Invoice lines and attachments are cleared as soon as they are read, so a
large invoice does not stay in memory. The mapping is documented in docs/intake-formats.md.
"""

from __future__ import annotations

import re
from typing import BinaryIO

from django.utils.translation import gettext_noop as _noop
from lxml import etree

from incasso.core.xml import SAFE_PARSE_OPTIONS
from incasso.intake.rows import ClaimRow, DocumentKind, ImportFileError

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
ROOTS = {
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice": DocumentKind.INVOICE,
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote": DocumentKind.CREDIT_NOTE,
}
NS = {"cbc": CBC, "cac": CAC}
LINES = {f"{{{CAC}}}InvoiceLine", f"{{{CAC}}}CreditNoteLine"}
# Embedded PDFs and the like: read past, never kept.
ATTACHMENTS = f"{{{CAC}}}AdditionalDocumentReference"
KVK_SCHEME = "0106"
DESCRIPTION_LENGTH = 255
_TERMS_DAYS = re.compile(r"(\d{1,3})\s*(?:days|dagen|day|dag)\b", re.IGNORECASE)
# "Hoofdstraat 12", "Dorpsweg 7-a", "Laan 3 bis": a Dutch street line ends in its house number.
_STREET_NUMBER = re.compile(r"^(?P<street>.*\D)\s+(?P<number>\d+(?:[\s\-]?[A-Za-z0-9]{1,4})?)$")


def ubl_read(stream: BinaryIO) -> ClaimRow:
    """Read one e-invoice. Raises ``ImportFileError`` when it is not safe, well-formed UBL."""
    root: etree._Element | None = None
    items: list[str] = []
    try:
        for event, element in etree.iterparse(
            stream,
            events=("start", "end"),
            **SAFE_PARSE_OPTIONS,
        ):
            if event == "start":
                if root is None:
                    root = element
                    _refuse_dtd(element)
                    _document_kind(element)
                continue
            if element.tag in LINES:
                name = element.findtext("cac:Item/cbc:Name", default="", namespaces=NS).strip()
                if name and sum(len(item) for item in items) < DESCRIPTION_LENGTH:
                    items.append(name)
                element.clear()
            elif element.tag == ATTACHMENTS:
                element.clear()
    except etree.XMLSyntaxError as exc:
        raise ImportFileError(
            "file", _noop("the file is not well-formed XML: %(reason)s"), (("reason", str(exc)),), code="broken_xml"
        ) from None
    if root is None:
        raise ImportFileError("file", _noop("the file holds no XML element"), code="broken_xml")
    return _claim_row(root, _document_kind(root), items)


def _refuse_dtd(root: etree._Element) -> None:
    info = root.getroottree().docinfo
    if info.internalDTD is not None or info.system_url or info.public_id:
        raise ImportFileError(
            "file",
            _noop("the XML has a DOCTYPE (DTD); e-invoices never need one, and entities are refused for safety"),
            code="xml_doctype",
        )


def _document_kind(root: etree._Element) -> DocumentKind:
    kind = ROOTS.get(str(root.tag))
    if kind is None:
        raise ImportFileError(
            "file",
            _noop("the XML root is %(root)s in namespace %(namespace)s, not a UBL 2.1 Invoice or CreditNote"),
            (("root", repr(etree.QName(root).localname)), ("namespace", repr(etree.QName(root).namespace))),
            code="not_ubl",
        )
    return kind


def _text(node: etree._Element | None, path: str) -> str:
    if node is None:
        return ""
    return (node.findtext(path, default="", namespaces=NS) or "").strip()


def _attribute(node: etree._Element | None, path: str, name: str) -> str:
    found = node.find(path, namespaces=NS) if node is not None else None
    return str(found.get(name, "")).strip() if found is not None else ""


def _claim_row(root: etree._Element, kind: DocumentKind, items: list[str]) -> ClaimRow:
    party = root.find("cac:AccountingCustomerParty/cac:Party", namespaces=NS)
    due_date = _text(root, "cbc:DueDate") or _text(root, "cac:PaymentMeans/cbc:PaymentDueDate")
    due_date = due_date or _text(root, "cac:PaymentTerms/cbc:PaymentDueDate")
    description = "; ".join(items)
    if len(description) > DESCRIPTION_LENGTH:
        description = description[: DESCRIPTION_LENGTH - 1] + "…"
    debtor = _debtor_fields(party)
    return ClaimRow(
        row=1,
        document=kind,
        invoice_number=_text(root, "cbc:ID"),
        invoice_date=_text(root, "cbc:IssueDate"),
        due_date=due_date,
        amount=_text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount"),
        currency=_attribute(root, "cac:LegalMonetaryTotal/cbc:PayableAmount", "currencyID")
        or _text(root, "cbc:DocumentCurrencyCode"),
        description=description,
        credited_invoice_number=_text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
        payment_terms_days="" if due_date else _payment_terms_days(root),
        **debtor,
    )


def _payment_terms_days(root: etree._Element) -> str:
    """Days to pay when the invoice names no due date; "0" (due on the issue date) when it names no terms."""
    for terms in root.iterfind("cac:PaymentTerms", namespaces=NS):
        period = terms.find("cac:SettlementPeriod/cbc:DurationMeasure", namespaces=NS)
        if period is not None and period.get("unitCode", "DAY") == "DAY" and (period.text or "").strip():
            return (period.text or "").strip()
        match = _TERMS_DAYS.search(_text(terms, "cbc:Note"))
        if match:
            return match.group(1)
    return "0"


def _debtor_fields(party: etree._Element | None) -> dict[str, str]:
    """The buyer as a debtor: a company when it has a company or VAT number, else a consumer."""
    registration_name = _text(party, "cac:PartyLegalEntity/cbc:RegistrationName")
    trading_name = _text(party, "cac:PartyName/cbc:Name")
    company_id = _text(party, "cac:PartyLegalEntity/cbc:CompanyID")
    vat_id = _text(party, "cac:PartyTaxScheme/cbc:CompanyID")
    is_company = bool(company_id or vat_id)
    kvk_number = ""
    for path in ("cac:PartyLegalEntity/cbc:CompanyID", "cac:PartyIdentification/cbc:ID", "cbc:EndpointID"):
        if _attribute(party, path, "schemeID") == KVK_SCHEME:
            kvk_number = _text(party, path)
            is_company = True
            break
    name = (registration_name or trading_name) if is_company else (trading_name or registration_name)
    name = name or _text(party, "cac:Contact/cbc:Name")
    reference = _text(party, "cbc:EndpointID") or _text(party, "cac:PartyIdentification/cbc:ID") or name
    country = _text(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode")
    street = _text(party, "cac:PostalAddress/cbc:StreetName")
    house_number = _text(party, "cac:PostalAddress/cbc:BuildingNumber")
    if not house_number and country.upper() in {"", "NL"}:
        match = _STREET_NUMBER.match(street)
        if match:
            street, house_number = match.group("street").strip(), match.group("number")
    return {
        "debtor_reference": reference,
        "debtor_kind": "company" if is_company else "consumer",
        # UBL carries one name; a person's goes whole into the surname field rather than being guessed apart.
        "surname": "" if is_company else name,
        "organisation_name": name if is_company else "",
        "street": street,
        "house_number": house_number,
        "postcode": _text(party, "cac:PostalAddress/cbc:PostalZone"),
        "city": _text(party, "cac:PostalAddress/cbc:CityName"),
        "country": country,
        "email": _text(party, "cac:Contact/cbc:ElectronicMail"),
        "phone": _text(party, "cac:Contact/cbc:Telephone"),
        "kvk_number": kvk_number,
    }
