"""The categories of recipients and the security measures the register names (GDPR art. 30(1)(d), (e), (g)).

Taken from the two privacy statements: who receives personal data, for which purposes, and whether it may leave
the EEA. The register of individual recipients with their agreements (P-8) and the log of each disclosure come
later; this list is what the register of processing activities states about them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from incasso.domain.data_map import ProcessingPurpose

P = ProcessingPurpose


class RecipientKind(StrEnum):
    CONTROLLER = "controller"  # the client: the controller of its debtors' data
    PROCESSOR = "processor"  # works on the agency's instructions under a processing agreement
    THIRD_PARTY = "third_party"  # receives data for its own task (bailiff, court, partner agency, bank)
    AUTHORITY = "authority"


@dataclass(frozen=True, slots=True)
class RecipientCategory:
    code: str
    name: str
    kind: RecipientKind
    purposes: tuple[ProcessingPurpose, ...]
    # Outside the EEA only with an adequacy decision or safeguards (standard contractual clauses) on file (P-8).
    outside_eea: bool = False
    safeguards: str = ""


RECIPIENT_CATEGORIES: tuple[RecipientCategory, ...] = (
    RecipientCategory(
        "clients",
        "The client (creditor) and its employees",
        RecipientKind.CONTROLLER,
        (P.DEBT_COLLECTION, P.BOOKKEEPING),
    ),
    RecipientCategory(
        "print_house", "Postal companies and print houses", RecipientKind.PROCESSOR, (P.DEBT_COLLECTION,)
    ),
    RecipientCategory("it_suppliers", "IT support and system suppliers", RecipientKind.PROCESSOR, tuple(P)),
    RecipientCategory(
        "process_servers", "Companies that serve legal documents", RecipientKind.PROCESSOR, (P.DEBT_COLLECTION,)
    ),
    RecipientCategory("bailiffs", "Bailiffs", RecipientKind.THIRD_PARTY, (P.DEBT_COLLECTION,)),
    RecipientCategory(
        "lawyers", "Lawyers and legal advisers", RecipientKind.THIRD_PARTY, (P.DEBT_COLLECTION, P.CLIENT_RELATIONSHIP)
    ),
    RecipientCategory("accountants", "Accountants", RecipientKind.THIRD_PARTY, (P.BOOKKEEPING,)),
    RecipientCategory("courts", "Courts", RecipientKind.AUTHORITY, (P.DEBT_COLLECTION,)),
    RecipientCategory(
        "authorities",
        "Regulators, tax and investigative authorities, when the law requires it",
        RecipientKind.AUTHORITY,
        (P.DEBT_COLLECTION, P.AML, P.BOOKKEEPING, P.SECURITY),
    ),
    RecipientCategory(
        "partner_agencies_abroad",
        "Collection agencies in the country where the debtor lives or moved to",
        RecipientKind.THIRD_PARTY,
        (P.DEBT_COLLECTION,),
        outside_eea=True,
        safeguards="only to a country with an adequacy decision, or with standard contractual clauses on file",
    ),
    RecipientCategory("address_services", "Address-update services", RecipientKind.PROCESSOR, (P.DEBT_COLLECTION,)),
    RecipientCategory(
        "credit_bureaus",
        "Credit information bureaus and government sources",
        RecipientKind.THIRD_PARTY,
        (P.DEBT_COLLECTION, P.CREDIT_ASSESSMENT, P.AML),
    ),
    RecipientCategory(
        "insolvency_register",
        "The central insolvency register and the Chamber of Commerce",
        RecipientKind.AUTHORITY,
        (P.DEBT_COLLECTION, P.CREDIT_ASSESSMENT, P.AML),
    ),
    RecipientCategory(
        "banks", "Banks and payment service providers", RecipientKind.THIRD_PARTY, (P.DEBT_COLLECTION, P.BOOKKEEPING)
    ),
)


# The purposes `incasso retention sweep` enforces (``retention.sweep.SWEEPERS``; a test keeps the two equal).
SWEPT_PURPOSES: tuple[str, ...] = (P.DEBT_COLLECTION, P.CLIENT_RELATIONSHIP, P.MARKETING, P.AML, P.BOOKKEEPING)


@dataclass(frozen=True, slots=True)
class SecurityMeasure:
    """A technical or organisational measure (art. 32). ``in_place`` is False for those still being built."""

    code: str
    description: str
    in_place: bool


SECURITY_MEASURES: tuple[SecurityMeasure, ...] = (
    SecurityMeasure("access_control", "Log-in for every staff page and API key per client for the API", True),
    SecurityMeasure("need_to_know", "Roles and teams limit which cases a person sees (access_cases)", True),
    SecurityMeasure("passwords", "Strong passwords, hashed with Argon2", True),
    SecurityMeasure("audit_log", "Append-only, hash-chained audit log of access to personal data", True),
    SecurityMeasure("transport_encryption", "E-mail and web traffic encrypted in transit (TLS)", True),
    SecurityMeasure("append_only_records", "The ledger and the audit log cannot be changed, only added to", True),
    SecurityMeasure("minimisation", "Only the data a purpose needs; statistics on anonymised data", True),
    SecurityMeasure("second_factor", "A second log-in factor (TOTP) for staff", True),
    SecurityMeasure(
        "field_encryption",
        "Debtors' personal data encrypted per field with a key per data subject; erasure destroys the key",
        True,
    ),
    SecurityMeasure(
        "retention",
        "Data deleted or anonymised when its retention period ends (`incasso retention sweep`: "
        + ", ".join(SWEPT_PURPOSES)
        + "); newsletter data erased at unsubscribing",
        True,
    ),
    SecurityMeasure(
        "retention_other_purposes", "Retention sweeps for client-relationship and credit-assessment data", False
    ),
    SecurityMeasure(
        "monitoring", "Alerts on unusual access: mass reads, failed log-ins, cases outside one's own", True
    ),
    SecurityMeasure("confidentiality", "Staff and suppliers bound to secrecy; processor agreements", True),
    SecurityMeasure("backups", "Encrypted backups with a tested restore", False),
)
