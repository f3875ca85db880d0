"""The privacy taxonomy (SPEC P-1): what kinds of personal data exist, about whom, why, and on what legal ground.

Modelled on fideslang (dotted data categories such as ``user.contact.email``), extended with what a collection
agency holds: debts, payments, collection measures, automated decisions and the exercise of GDPR rights, and
with the people a collection case involves (debtors, co-liable parties, representatives, parties obliged to perform).

This module is pure: the declarations of which model field holds which category live in ``incasso.privacy``, and
:func:`check_data_map` compares them with a plain list of fields, so the rule "every field is declared" is tested
here without a database. The register of processing activities (GDPR art. 30) is generated from these values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from incasso.domain.retention import Purpose as RetentionPurpose


class DataCategory(StrEnum):
    """Kinds of personal data. Dotted: a register can group by any prefix (``user.contact``, ``user.financial``)."""

    NAME = "user.name"
    CONTACT_ADDRESS = "user.contact.address"
    CONTACT_EMAIL = "user.contact.email"
    CONTACT_PHONE = "user.contact.phone_number"
    UNIQUE_ID = "user.unique_id"  # customer, case, invoice and mandate numbers, payment references
    GOVERNMENT_ID = "user.government_id"  # KvK number of a sole trader or partnership
    DATE_OF_BIRTH = "user.demographic.date_of_birth"
    DEMOGRAPHIC = "user.demographic"  # legal form (consumer, sole trader), preferred language
    JOB_TITLE = "user.professional"  # a contact person's role at their organisation
    BANK_ACCOUNT = "user.financial.bank_account"
    DEBT = "user.financial.debt"  # claims, amounts, case progress and the measures taken about them
    PAYMENT = "user.financial.payment"  # payments made, allocated, returned, paid out
    INCOME = "user.financial.income"  # income, living situation, other debts, attachments (C-7)
    RELATIONSHIP = "user.relationship"  # role in a case: co-liable, guarantor, representative
    LEGAL_PROCEEDINGS = "user.legal.proceedings"  # disputes, insolvency, legal steps, holds
    RIGHTS_REQUEST = "user.legal.rights_request"  # objections, contested decisions, restriction
    BEHAVIOR = "user.behavior"  # the inputs of automated decisions: payment history, promises kept
    DECISION = "user.derived.decision"  # automated decisions, their explanation and human review (art. 22)
    CORRESPONDENCE = "user.correspondence"  # letters, e-mails, calls and what they said
    NOTES = "user.notes"  # free text staff write about a person or a case
    ACCOUNT = "user.account"  # log-in name and account attributes
    CREDENTIALS = "user.account.credentials"  # password and code hashes, session data
    ACTIVITY = "user.activity"  # what a person did in the system (audit, admin log)
    IP_ADDRESS = "user.device.ip_address"
    HEALTH = "user.health"  # special category, GDPR art. 9
    CRIMINAL = "user.criminal_record"  # GDPR art. 10


SPECIAL_CATEGORIES: frozenset[DataCategory] = frozenset({DataCategory.HEALTH, DataCategory.CRIMINAL})


class SubjectCategory(StrEnum):
    """The people the data is about (both privacy statements list them)."""

    DEBTOR = "debtor"
    CO_LIABLE_PARTY = "co_liable_party"  # jointly and severally liable partner, guarantor
    REPRESENTATIVE = "representative"  # lawyer, guardian (bewindvoerder), debt counsellor
    OBLIGED_PARTY = "obliged_party"  # obliged to perform a non-monetary duty
    PAYER = "payer"  # whoever paid into the agency's account: usually the debtor, sometimes someone else
    CLIENT_SOLE_TRADER = "client_sole_trader"  # a client that is a sole trader or partnership
    CLIENT_CONTACT = "client_contact"
    PROSPECT_CONTACT = "prospect_contact"
    PARTNER_CONTACT = "partner_contact"  # contacts at service providers, partners and authorities
    STAFF_USER = "staff_user"
    CLIENT_USER = "client_user"
    NEWSLETTER_SUBSCRIBER = "newsletter_subscriber"
    WEBSITE_VISITOR = "website_visitor"


CASE_PARTIES: tuple[SubjectCategory, ...] = (
    SubjectCategory.DEBTOR,
    SubjectCategory.CO_LIABLE_PARTY,
    SubjectCategory.REPRESENTATIVE,
    SubjectCategory.OBLIGED_PARTY,
)


class LegalBasis(StrEnum):
    """GDPR grounds. Art. 9(2) and 10 apply on top of an art. 6 ground, never instead of one."""

    CONSENT = "6(1)(a)"
    CONTRACT = "6(1)(b)"
    LEGAL_OBLIGATION = "6(1)(c)"
    PUBLIC_INTEREST = "6(1)(e)"
    LEGITIMATE_INTEREST = "6(1)(f)"
    EXPLICIT_CONSENT = "9(2)(a)"
    LEGAL_CLAIMS = "9(2)(f)"
    CRIMINAL_DATA = "10"

    @property
    def article(self) -> str:
        return f"GDPR art. {self.value}"


ART_6_BASES = frozenset(
    {
        LegalBasis.CONSENT,
        LegalBasis.CONTRACT,
        LegalBasis.LEGAL_OBLIGATION,
        LegalBasis.PUBLIC_INTEREST,
        LegalBasis.LEGITIMATE_INTEREST,
    }
)


class ControllerRole(StrEnum):
    """Art. 30(1) records what the agency does as controller, art. 30(2) what it does for clients as processor."""

    CONTROLLER = "controller"
    PROCESSOR = "processor"


class ProcessingPurpose(StrEnum):
    """Why personal data is processed. Each purpose has one retention rule (``incasso.domain.retention``)."""

    DEBT_COLLECTION = "debt_collection"
    CREDIT_ASSESSMENT = "credit_assessment"
    CLIENT_RELATIONSHIP = "client_relationship"
    AML = "aml"
    BOOKKEEPING = "bookkeeping"
    MARKETING = "marketing"
    NEWSLETTER = "newsletter"
    SECURITY = "security"  # access control and the audit log (GDPR art. 32)


@dataclass(frozen=True, slots=True)
class PurposeDefinition:
    """What the register says about a purpose besides the data: its role, grounds and retention rule.

    ``retention`` names the period in ``retention.DEFAULT_PERIODS``; a purpose without one says in
    ``retention_note`` how long its data is kept, so the register never has a blank.
    """

    purpose: ProcessingPurpose
    roles: frozenset[ControllerRole]
    bases: frozenset[LegalBasis]
    retention: RetentionPurpose | None
    retention_note: str = ""

    def __post_init__(self) -> None:
        if not self.roles or not self.bases:
            raise ValueError(f"{self.purpose}: a purpose needs a role and a legal basis")
        if not self.bases & ART_6_BASES:
            raise ValueError(f"{self.purpose}: art. 9 and 10 apply on top of an art. 6 ground")
        if self.retention is None and not self.retention_note:
            raise ValueError(f"{self.purpose}: say how long the data is kept")


_C, _P = ControllerRole.CONTROLLER, ControllerRole.PROCESSOR
_B = LegalBasis

PURPOSES: Mapping[ProcessingPurpose, PurposeDefinition] = MappingProxyType(
    {
        definition.purpose: definition
        for definition in (
            # Processor for the clients' claims, controller for claims the agency owns (purchased debt).
            PurposeDefinition(
                ProcessingPurpose.DEBT_COLLECTION,
                frozenset({_C, _P}),
                frozenset({_B.CONTRACT, _B.LEGAL_OBLIGATION, _B.PUBLIC_INTEREST, _B.LEGITIMATE_INTEREST}),
                RetentionPurpose.COLLECTION_CASE,
            ),
            PurposeDefinition(
                ProcessingPurpose.CREDIT_ASSESSMENT,
                frozenset({_C}),
                frozenset({_B.CONTRACT, _B.LEGAL_OBLIGATION, _B.LEGITIMATE_INTEREST}),
                RetentionPurpose.CREDIT_ASSESSMENT,
            ),
            PurposeDefinition(
                ProcessingPurpose.CLIENT_RELATIONSHIP,
                frozenset({_C}),
                frozenset({_B.CONTRACT, _B.LEGAL_OBLIGATION, _B.LEGITIMATE_INTEREST}),
                RetentionPurpose.CLIENT_RELATIONSHIP,
            ),
            PurposeDefinition(
                ProcessingPurpose.AML,
                frozenset({_C}),
                frozenset({_B.CONTRACT, _B.LEGAL_OBLIGATION}),
                RetentionPurpose.AML,
            ),
            PurposeDefinition(
                ProcessingPurpose.BOOKKEEPING,
                frozenset({_C, _P}),
                frozenset({_B.LEGAL_OBLIGATION}),
                RetentionPurpose.BOOKKEEPING,
            ),
            PurposeDefinition(
                ProcessingPurpose.MARKETING,
                frozenset({_C}),
                frozenset({_B.LEGITIMATE_INTEREST}),
                RetentionPurpose.MARKETING,
            ),
            PurposeDefinition(
                ProcessingPurpose.NEWSLETTER,
                frozenset({_C}),
                frozenset({_B.CONSENT}),
                RetentionPurpose.NEWSLETTER,
            ),
            PurposeDefinition(
                ProcessingPurpose.SECURITY,
                frozenset({_C, _P}),
                frozenset({_B.LEGAL_OBLIGATION, _B.LEGITIMATE_INTEREST}),
                None,
                "as long as the record the entry is about is kept; the audit chain is pruned from its start only",
            ),
        )
    }
)


@dataclass(frozen=True, slots=True)
class FieldDeclaration:
    """One model field that holds personal data, and what the register must say about it."""

    model: str  # "app_label.Model"
    field: str
    categories: frozenset[DataCategory]
    subjects: frozenset[SubjectCategory]
    purposes: frozenset[ProcessingPurpose]
    bases: frozenset[LegalBasis]
    note: str = ""

    def __post_init__(self) -> None:
        if not (self.categories and self.subjects and self.purposes and self.bases):
            raise ValueError(f"{self.key}: categories, subjects, purposes and bases must all be declared")
        if not self.bases & ART_6_BASES:
            raise ValueError(f"{self.key}: an art. 6 ground is always needed")
        special = self.categories & SPECIAL_CATEGORIES
        if special and not self.bases - ART_6_BASES:
            raise ValueError(f"{self.key}: special-category data needs an art. 9(2) or 10 ground as well")
        for purpose in self.purposes:
            if not self.bases & PURPOSES[purpose].bases:
                raise ValueError(f"{self.key}: none of its grounds is a ground of the purpose {purpose}")

    @property
    def key(self) -> str:
        return f"{self.model}.{self.field}"


@dataclass(frozen=True, slots=True)
class NotPersonal:
    """A field declared to hold no personal data, with why (only where it is not obvious from the rules)."""

    model: str
    field: str
    reason: str

    @property
    def key(self) -> str:
        return f"{self.model}.{self.field}"


class FieldRule(StrEnum):
    """Fields classified without a declaration: they hold no personal data of their own.

    A primary key or a relation only points at a row (the row's own fields are declared); a timestamp records
    when something happened to the row it belongs to, which is as personal as that row and retained with it.
    An explicit declaration always wins over a rule.
    """

    PRIMARY_KEY = "primary key"
    RELATION = "relation"
    TIMESTAMP = "timestamp"


@dataclass(frozen=True, slots=True)
class ModelField:
    """A concrete field of a model, as plain values (the Django side reads them from ``_meta``)."""

    model: str
    field: str
    primary_key: bool = False
    relation: bool = False
    timestamp: bool = False

    @property
    def key(self) -> str:
        return f"{self.model}.{self.field}"

    @property
    def rule(self) -> FieldRule | None:
        if self.primary_key:
            return FieldRule.PRIMARY_KEY
        if self.relation:
            return FieldRule.RELATION
        if self.timestamp:
            return FieldRule.TIMESTAMP
        return None


@dataclass(frozen=True, slots=True)
class MapCheck:
    """The differences between the models and the map. Empty everywhere means the map is complete."""

    undeclared: tuple[str, ...]  # a field nobody classified: the test that guards P-1 fails on it
    stale: tuple[str, ...]  # a declaration for a field that no longer exists
    conflicting: tuple[str, ...]  # declared both personal and not personal, or twice

    @property
    def complete(self) -> bool:
        return not (self.undeclared or self.stale or self.conflicting)


def check_data_map(
    fields: Iterable[ModelField], personal: Iterable[FieldDeclaration], not_personal: Iterable[NotPersonal]
) -> MapCheck:
    """Compare the fields that exist with the declarations; see :class:`MapCheck`."""
    existing = {field.key: field for field in fields}
    declared: dict[str, int] = {}
    for key in [d.key for d in personal] + [n.key for n in not_personal]:
        declared[key] = declared.get(key, 0) + 1
    undeclared = sorted(key for key, field in existing.items() if key not in declared and field.rule is None)
    stale = sorted(key for key in declared if key not in existing)
    conflicting = sorted(key for key, count in declared.items() if count > 1)
    return MapCheck(tuple(undeclared), tuple(stale), tuple(conflicting))
