"""The data map (SPEC P-1): every model field that holds personal data, declared with its category, the people it
is about, the purposes it serves and the legal basis — and, where it is not obvious, the fields that hold none.

Primary keys, relations and timestamps are classified by rule (``domain.data_map.FieldRule``); every other field of
every installed model must appear here, and ``tests/test_data_map.py`` fails when one does not or when a declaration
names a field that is gone. The register of processing activities (``selectors.processing_register``) is built
from this map, so a new field reaches the register by being declared.
"""

from __future__ import annotations

from collections.abc import Iterable

from incasso.domain.data_map import (
    CASE_PARTIES,
    DataCategory,
    FieldDeclaration,
    LegalBasis,
    NotPersonal,
    ProcessingPurpose,
    SubjectCategory,
)

D, S, P, B = DataCategory, SubjectCategory, ProcessingPurpose, LegalBasis


def _personal(
    model: str,
    fields: str,
    categories: Iterable[DataCategory],
    subjects: Iterable[SubjectCategory],
    purposes: Iterable[ProcessingPurpose],
    bases: Iterable[LegalBasis],
    note: str = "",
) -> list[FieldDeclaration]:
    """Declare the space-separated ``fields`` of ``model`` alike."""
    shared = (frozenset(categories), frozenset(subjects), frozenset(purposes), frozenset(bases))
    return [FieldDeclaration(model, name, *shared, note=note) for name in fields.split()]


def _not_personal(model: str, fields: str, reason: str) -> list[NotPersonal]:
    return [NotPersonal(model, name, reason) for name in fields.split()]


# The grounds both privacy statements give for collection: contract, legal obligation, public task, legitimate
# interest in having an unpaid debt settled.
COLLECTION_BASES = (B.CONTRACT, B.LEGAL_OBLIGATION, B.PUBLIC_INTEREST, B.LEGITIMATE_INTEREST)
RELATIONSHIP_BASES = (B.CONTRACT, B.LEGAL_OBLIGATION, B.LEGITIMATE_INTEREST)
SECURITY_BASES = (B.LEGAL_OBLIGATION, B.LEGITIMATE_INTEREST)
COLLECTION = (P.DEBT_COLLECTION,)
COLLECTION_BOOKS = (P.DEBT_COLLECTION, P.BOOKKEEPING)
DEBTOR = (S.DEBTOR,)
PAYERS = (S.PAYER, S.DEBTOR)
USERS = (S.STAFF_USER, S.CLIENT_USER)
CLIENT = (S.CLIENT_SOLE_TRADER,)
CLIENT_PURPOSES = (P.CLIENT_RELATIONSHIP, P.BOOKKEEPING, P.AML)
FREE_TEXT = "free text: may say anything about the person"
# Consent records (P-5): who can consent, for what, and the grounds of keeping the proof.
CONSENTING = (S.DEBTOR, S.CLIENT_CONTACT, S.NEWSLETTER_SUBSCRIBER, S.WEBSITE_VISITOR)
CONSENT_PURPOSES = (P.MARKETING, P.NEWSLETTER, P.DEBT_COLLECTION)
CONSENT_BASES = (B.CONSENT, B.LEGITIMATE_INTEREST)
SUPPRESSED = (S.NEWSLETTER_SUBSCRIBER, S.CLIENT_CONTACT, S.PROSPECT_CONTACT, S.DEBTOR)
# Whoever a disclosure or a breach can be about.
DISCLOSED = (*CASE_PARTIES, S.PAYER, S.CLIENT_SOLE_TRADER, S.CLIENT_CONTACT, *USERS)
# Whoever a legal hold keeps data about, and why that data was processed.
HELD = (*CASE_PARTIES, S.CLIENT_SOLE_TRADER, S.CLIENT_CONTACT)
HELD_PURPOSES = (P.DEBT_COLLECTION, P.CLIENT_RELATIONSHIP)
# Whoever can make a data-subject request.
RIGHTS_SUBJECTS = (*CASE_PARTIES, S.CLIENT_CONTACT, S.NEWSLETTER_SUBSCRIBER)

PERSONAL_FIELDS: tuple[FieldDeclaration, ...] = tuple(
    # --- log-ins (Django's own tables) ---
    _personal("auth.User", "username", [D.ACCOUNT, D.CONTACT_EMAIL], USERS, [P.SECURITY], SECURITY_BASES)
    + _personal("auth.User", "first_name last_name", [D.NAME], USERS, [P.SECURITY], SECURITY_BASES)
    + _personal("auth.User", "email", [D.CONTACT_EMAIL], USERS, [P.SECURITY], SECURITY_BASES)
    + _personal("auth.User", "password", [D.CREDENTIALS], USERS, [P.SECURITY], SECURITY_BASES, "Argon2 hash")
    + _personal("auth.User", "is_superuser is_staff is_active", [D.ACCOUNT], USERS, [P.SECURITY], SECURITY_BASES)
    + _personal("auth.User", "last_login", [D.ACTIVITY], USERS, [P.SECURITY], SECURITY_BASES)
    # Access control (P-7): second factor and the alerts about unusual access (who, from where).
    + _personal("otp_totp.TOTPDevice", "key", [D.CREDENTIALS], [S.STAFF_USER], [P.SECURITY], SECURITY_BASES)
    + _personal("otp_totp.TOTPDevice", "name", [D.ACCOUNT], [S.STAFF_USER], [P.SECURITY], SECURITY_BASES)
    + _personal("accounts.SecurityAlert", "details", [D.ACTIVITY, D.IP_ADDRESS], USERS, [P.SECURITY], SECURITY_BASES)
    + _personal("accounts.LoginLockout", "value", [D.ACCOUNT, D.IP_ADDRESS], USERS, [P.SECURITY], SECURITY_BASES)
    + _personal("accounts.LoginLockout", "scope failures", [D.ACTIVITY], USERS, [P.SECURITY], SECURITY_BASES)
    # Staff notes on a case file (back office).
    + _personal("backoffice.CaseNote", "text", [D.NOTES], CASE_PARTIES, COLLECTION, COLLECTION_BASES, FREE_TEXT)
    # Complaints about the agency's work (Wki complaints procedure).
    + _personal(
        "complaints.Complaint", "text answer", [D.CORRESPONDENCE], CASE_PARTIES, COLLECTION, COLLECTION_BASES, FREE_TEXT
    )
    + _personal(
        "complaints.Complaint", "channel status due_on", [D.CORRESPONDENCE], CASE_PARTIES, COLLECTION, COLLECTION_BASES
    )
    + _personal("sessions.Session", "session_data", [D.CREDENTIALS], USERS, [P.SECURITY], SECURITY_BASES)
    + _personal("admin.LogEntry", "object_repr", [D.NAME], [*CASE_PARTIES, *USERS], [P.SECURITY], SECURITY_BASES)
    + _personal("admin.LogEntry", "object_id", [D.UNIQUE_ID], [*CASE_PARTIES, *USERS], [P.SECURITY], SECURITY_BASES)
    + _personal("admin.LogEntry", "change_message action_flag", [D.ACTIVITY], USERS, [P.SECURITY], SECURITY_BASES)
    # --- the audit log itself (P-7) ---
    + _personal("audit.AuditEvent", "actor_label", [D.ACCOUNT], USERS, [P.SECURITY], SECURITY_BASES)
    + _personal("audit.AuditEvent", "action fields purpose details", [D.ACTIVITY], USERS, [P.SECURITY], SECURITY_BASES)
    + _personal("audit.AuditEvent", "subject_id", [D.UNIQUE_ID], [*CASE_PARTIES, *USERS], [P.SECURITY], SECURITY_BASES)
    + _personal("audit.AuditEvent", "source", [D.IP_ADDRESS], USERS, [P.SECURITY], SECURITY_BASES)
    # --- clients: a sole trader's or partnership's company data is personal data too ---
    + _personal("parties.Client", "name", [D.NAME], CLIENT, CLIENT_PURPOSES, RELATIONSHIP_BASES)
    + _personal("parties.Client", "kvk_number", [D.GOVERNMENT_ID], CLIENT, CLIENT_PURPOSES, RELATIONSHIP_BASES)
    + _personal("parties.Client", "iban", [D.BANK_ACCOUNT], CLIENT, CLIENT_PURPOSES, RELATIONSHIP_BASES)
    + _personal(
        "parties.ClientContact",
        "name",
        [D.NAME],
        [S.CLIENT_CONTACT],
        [P.CLIENT_RELATIONSHIP, P.BOOKKEEPING, P.MARKETING],
        RELATIONSHIP_BASES,
    )
    + _personal(
        "parties.ClientContact",
        "email",
        [D.CONTACT_EMAIL],
        [S.CLIENT_CONTACT],
        [P.CLIENT_RELATIONSHIP, P.MARKETING],
        RELATIONSHIP_BASES,
    )
    + _personal(
        "parties.ClientContact",
        "phone",
        [D.CONTACT_PHONE],
        [S.CLIENT_CONTACT],
        [P.CLIENT_RELATIONSHIP],
        RELATIONSHIP_BASES,
    )
    + _personal(
        "parties.ClientContact", "role", [D.JOB_TITLE], [S.CLIENT_CONTACT], [P.CLIENT_RELATIONSHIP], RELATIONSHIP_BASES
    )
    # --- debtors and the other parties of a case (a case party is a Debtor row) ---
    + _personal("parties.Debtor", "reference", [D.UNIQUE_ID], CASE_PARTIES, COLLECTION, COLLECTION_BASES)
    + _personal("parties.Debtor", "kind", [D.DEMOGRAPHIC], CASE_PARTIES, COLLECTION, COLLECTION_BASES)
    + _personal(
        "parties.Debtor", "given_names surname organisation_name", [D.NAME], CASE_PARTIES, COLLECTION, COLLECTION_BASES
    )
    + _personal("parties.Debtor", "date_of_birth", [D.DATE_OF_BIRTH], CASE_PARTIES, COLLECTION, COLLECTION_BASES)
    + _personal(
        "parties.Debtor",
        "street house_number postcode postcode_region city country",
        [D.CONTACT_ADDRESS],
        CASE_PARTIES,
        COLLECTION,
        COLLECTION_BASES,
    )
    + _personal("parties.Debtor", "email", [D.CONTACT_EMAIL], CASE_PARTIES, COLLECTION, COLLECTION_BASES)
    + _personal("parties.Debtor", "phone", [D.CONTACT_PHONE], CASE_PARTIES, COLLECTION, COLLECTION_BASES)
    + _personal("parties.Debtor", "iban", [D.BANK_ACCOUNT], CASE_PARTIES, COLLECTION_BOOKS, COLLECTION_BASES)
    + _personal("parties.Debtor", "kvk_number", [D.GOVERNMENT_ID], CASE_PARTIES, COLLECTION, COLLECTION_BASES)
    # --- special categories (art. 9, 10): kept apart, sealed under the debtor's key, legal officers only ---
    + _personal(
        "sensitive.SpecialCategoryRecord",
        "content category",
        [D.HEALTH, D.CRIMINAL],
        CASE_PARTIES,
        COLLECTION,
        (B.LEGITIMATE_INTEREST, B.EXPLICIT_CONSENT, B.LEGAL_CLAIMS, B.CRIMINAL_DATA),
        "only with a recorded basis (explicit consent or a legal claim in the case); every view is audited",
    )
    + _personal(
        "sensitive.SpecialCategoryRecord",
        "consent_reference",
        [D.UNIQUE_ID],
        CASE_PARTIES,
        COLLECTION,
        COLLECTION_BASES,
    )
    # --- the debtor's circumstances (C-6, C-7): sealed under the debtor's key, for the roles that need them ---
    + _personal(
        "circumstances.FinancialSituation",
        "net_income_cents household living_situation other_debts attachments",
        [D.INCOME],
        CASE_PARTIES,
        COLLECTION,
        COLLECTION_BASES,
        "from the debtor, a credit bureau or a government source; the newest feeds the automated decisions",
    )
    + _personal(
        "circumstances.FinancialSituation",
        "source source_reference obtained_on purpose legal_basis",
        [D.INCOME, D.UNIQUE_ID],
        CASE_PARTIES,
        COLLECTION,
        COLLECTION_BASES,
        "where, when and why the situation was obtained",
    )
    + _personal(
        "circumstances.VulnerabilityFlag",
        "reason lifted_at",
        [D.BEHAVIOR],
        CASE_PARTIES,
        COLLECTION,
        COLLECTION_BASES,
        "non-medical reasons only (health is special-category data); an active flag is a decision input",
    )
    + _personal(
        "circumstances.VulnerabilityFlag", "note", [D.NOTES], CASE_PARTIES, COLLECTION, COLLECTION_BASES, FREE_TEXT
    )
    # --- cases: the debt, its progress and what was done about it ---
    + _personal("cases.Case", "number", [D.UNIQUE_ID], CASE_PARTIES, COLLECTION, COLLECTION_BASES)
    + _personal(
        "cases.Case",
        "stage closed_reason opened_on closed_on interest_kind fourteen_day_letter_posted_on costs_due_from "
        "next_measure_on",
        [D.DEBT],
        CASE_PARTIES,
        COLLECTION,
        COLLECTION_BASES,
    )
    + _personal("cases.Case", "legal_steps_approved_at", [D.LEGAL_PROCEEDINGS], DEBTOR, COLLECTION, COLLECTION_BASES)
    + _personal("cases.Claim", "invoice_number", [D.UNIQUE_ID], CASE_PARTIES, COLLECTION, COLLECTION_BASES)
    + _personal(
        "cases.Claim",
        "invoice_date due_date principal_cents currency description limitation_kind limitation_interrupted_on "
        "limitation_date",
        [D.DEBT],
        CASE_PARTIES,
        COLLECTION,
        COLLECTION_BASES,
        "invoice and contract data relate to the person who owes them",
    )
    + _personal(
        "cases.StageEvent", "from_stage to_stage closed_reason", [D.DEBT], CASE_PARTIES, COLLECTION, COLLECTION_BASES
    )
    + _personal("cases.StageEvent", "reason", [D.NOTES], CASE_PARTIES, COLLECTION, COLLECTION_BASES, FREE_TEXT)
    + _personal("cases.StageEvent", "actor_name", [D.NAME], [S.STAFF_USER], [P.SECURITY], SECURITY_BASES)
    + _personal("cases.CaseHold", "kind until", [D.LEGAL_PROCEEDINGS], CASE_PARTIES, COLLECTION, COLLECTION_BASES)
    + _personal(
        "cases.CaseHold", "reason lift_reason", [D.NOTES], CASE_PARTIES, COLLECTION, COLLECTION_BASES, FREE_TEXT
    )
    + _personal(
        "cases.CaseParty", "role representative_kind", [D.RELATIONSHIP], CASE_PARTIES, COLLECTION, COLLECTION_BASES
    )
    # A hold names a case, a debtor or a client (then it keeps the client's contact persons' data).
    + _personal("privacy.LegalHold", "until", [D.LEGAL_PROCEEDINGS], HELD, HELD_PURPOSES, COLLECTION_BASES)
    + _personal("privacy.LegalHold", "reason", [D.NOTES], HELD, HELD_PURPOSES, COLLECTION_BASES, FREE_TEXT)
    + _personal("cases.CaseParty", "obligation", [D.DEBT], [S.OBLIGED_PARTY], COLLECTION, COLLECTION_BASES)
    + _personal("cases.Measure", "kind status planned_for", [D.DEBT], CASE_PARTIES, COLLECTION, COLLECTION_BASES)
    + _personal("cases.StaffTask", "kind status due_on", [D.DEBT], CASE_PARTIES, COLLECTION, COLLECTION_BASES)
    + _personal(
        "cases.StaffTask", "title details outcome", [D.NOTES], CASE_PARTIES, COLLECTION, COLLECTION_BASES, FREE_TEXT
    )
    # --- automated decisions (C-6, GDPR art. 22) and objections (art. 21) ---
    + _personal(
        "decisions.Decision",
        "inputs",
        [D.BEHAVIOR, D.DEBT, D.INCOME],
        DEBTOR,
        [P.DEBT_COLLECTION, P.CREDIT_ASSESSMENT],
        COLLECTION_BASES,
        "payment history, promises, amounts, debtor type, vulnerability flags: the variables a strategy reads",
    )
    + _personal(
        "decisions.Decision",
        "variant decided_on rule_id outcome explanation_nl explanation_en review_outcome",
        [D.DECISION],
        DEBTOR,
        COLLECTION,
        COLLECTION_BASES,
    )
    + _personal(
        "decisions.Decision", "contested_at contest_reason", [D.RIGHTS_REQUEST], DEBTOR, COLLECTION, COLLECTION_BASES
    )
    + _personal(
        "decisions.ProfilingObjection",
        "source received_at withdrawn_at",
        [D.RIGHTS_REQUEST],
        DEBTOR,
        COLLECTION,
        [B.LEGAL_OBLIGATION],
    )
    # --- letters and the contact log (C-8) ---
    + _personal(
        "communications.Letter",
        "kind language channel status planned_for posted_on details error",
        [D.CORRESPONDENCE],
        CASE_PARTIES,
        COLLECTION,
        COLLECTION_BASES,
    )
    + _personal(
        "communications.Letter",
        "data",
        [D.NAME, D.CONTACT_ADDRESS, D.DEBT, D.CORRESPONDENCE],
        CASE_PARTIES,
        COLLECTION,
        COLLECTION_BASES,
        "every value printed: name, address, amounts, dates",
    )
    + _personal("communications.Letter", "rf_reference", [D.UNIQUE_ID], DEBTOR, COLLECTION_BOOKS, COLLECTION_BASES)
    + _personal(
        "communications.Communication",
        "channel direction occurred_at subject summary",
        [D.CORRESPONDENCE],
        CASE_PARTIES,
        COLLECTION,
        COLLECTION_BASES,
    )
    + _personal("communications.PortalAccessCode", "code_hash", [D.CREDENTIALS], DEBTOR, [P.SECURITY], SECURITY_BASES)
    # --- the debtor portal (C-11): log-in attempts and locks, dispute files, contact changes ---
    + _personal("debtor_portal.LoginAttempt", "ip_address", [D.IP_ADDRESS], DEBTOR, [P.SECURITY], SECURITY_BASES)
    + _personal(
        "debtor_portal.LoginAttempt",
        "case_number outcome",
        [D.UNIQUE_ID, D.ACTIVITY],
        DEBTOR,
        [P.SECURITY],
        SECURITY_BASES,
        "the case number as typed, also when no such case exists",
    )
    + _personal(
        "debtor_portal.LoginLock",
        "case_number failures",
        [D.UNIQUE_ID, D.ACTIVITY],
        DEBTOR,
        [P.SECURITY],
        SECURITY_BASES,
    )
    + _personal(
        "debtor_portal.DisputeFile",
        "original_name content_type size_bytes sha256 stored_path",
        [D.LEGAL_PROCEEDINGS, D.CORRESPONDENCE],
        DEBTOR,
        COLLECTION,
        COLLECTION_BASES,
        "the file a debtor sent with a dispute; its content may say anything about the person",
    )
    + _personal("debtor_portal.ContactChange", "fields", [D.ACTIVITY], DEBTOR, COLLECTION, COLLECTION_BASES)
    # --- the print house: what it reported back per letter (C-8) ---
    + _personal(
        "print_house.DeliveryLine",
        "status reason",
        [D.CORRESPONDENCE, D.CONTACT_ADDRESS],
        CASE_PARTIES,
        COLLECTION,
        COLLECTION_BASES,
        "whether a letter reached the debtor; a return reason may say the debtor moved",
    )
    # --- intake ---
    + _personal(
        "intake.ImportBatch",
        "rejected",
        [
            D.NAME,
            D.CONTACT_ADDRESS,
            D.CONTACT_EMAIL,
            D.CONTACT_PHONE,
            D.DATE_OF_BIRTH,
            D.DEMOGRAPHIC,
            D.BANK_ACCOUNT,
            D.GOVERNMENT_ID,
            D.UNIQUE_ID,
            D.DEBT,
        ],
        DEBTOR,
        COLLECTION,
        COLLECTION_BASES,
        "any value of a rejected row of a claim file (a debtor's details, the invoice), kept so the client can "
        "correct it; sealed under a data key per import, erased by destroying it (import_batches_rejected_erase)",
    )
    + _personal("intake.ClaimCredit", "credit_note_number", [D.UNIQUE_ID], DEBTOR, COLLECTION_BOOKS, COLLECTION_BASES)
    + _personal("intake.ClaimCredit", "amount_cents credited_on", [D.DEBT], DEBTOR, COLLECTION_BOOKS, COLLECTION_BASES)
    # --- money: bank statements, the ledger, payouts (C-9); bookkeeping keeps them 7 years ---
    + _personal("payments.StatementImport", "skipped", [D.PAYMENT], PAYERS, COLLECTION_BOOKS, COLLECTION_BASES)
    + _personal(
        "payments.StatementEntry",
        "booking_date value_date amount_cents currency remittance return_reason status match_rule",
        [D.PAYMENT],
        PAYERS,
        COLLECTION_BOOKS,
        COLLECTION_BASES,
        "the remittance text is free text from the payer",
    )
    + _personal("payments.StatementEntry", "counterparty_name", [D.NAME], PAYERS, COLLECTION_BOOKS, COLLECTION_BASES)
    + _personal(
        "payments.StatementEntry", "counterparty_iban", [D.BANK_ACCOUNT], PAYERS, COLLECTION_BOOKS, COLLECTION_BASES
    )
    + _personal(
        "payments.StatementEntry",
        "structured_reference end_to_end_id mandate_id",
        [D.UNIQUE_ID],
        PAYERS,
        COLLECTION_BOOKS,
        COLLECTION_BASES,
    )
    + _personal("payments.StatementEntry", "note", [D.NOTES], PAYERS, COLLECTION_BOOKS, COLLECTION_BASES, FREE_TEXT)
    + _personal(
        "ledger.LedgerTransaction",
        "kind booked_on description source_ref",
        [D.PAYMENT],
        PAYERS,
        COLLECTION_BOOKS,
        COLLECTION_BASES,
        "the description may name the payer",
    )
    + _personal("ledger.Entry", "amount_cents", [D.PAYMENT], PAYERS, COLLECTION_BOOKS, COLLECTION_BASES)
    + _personal(
        "paylinks.PaymentLink",
        "amount_cents method status checkout_url charged_back_cents",
        [D.PAYMENT],
        PAYERS,
        COLLECTION_BOOKS,
        COLLECTION_BASES,
        "an iDEAL or card payment of a debtor through the payment provider",
    )
    + _personal(
        "paylinks.PaymentLinkEvent", "from_status to_status", [D.PAYMENT], PAYERS, COLLECTION_BOOKS, COLLECTION_BASES
    )
    + _personal(
        "webhooks.WebhookDelivery",
        "payload",
        [D.PAYMENT],
        DEBTOR,
        COLLECTION,
        COLLECTION_BASES,
        "an event sent to the client (controller): case number, stage, amounts; never names or contact details",
    )
    + _personal(
        "client_portal.LegalStepsDecision",
        "approved reason",
        [D.LEGAL_PROCEEDINGS],
        DEBTOR,
        COLLECTION,
        COLLECTION_BASES,
    )
    + _personal(
        "ledger.PaymentAllocation",
        "received_on amount_cents to_costs_cents to_interest_cents to_principal_cents overpayment_cents "
        "agency_costs_cents agency_interest_cents lines source reference",
        [D.PAYMENT],
        DEBTOR,
        COLLECTION_BOOKS,
        COLLECTION_BASES,
    )
    + _personal(
        "ledger.PayoutItem", "client_cents commission_cents", [D.PAYMENT], DEBTOR, [P.BOOKKEEPING], [B.LEGAL_OBLIGATION]
    )
    + _personal(
        "ledger.Payout",
        "period_start period_end gross_cents commission_cents net_cents statement",
        [D.PAYMENT],
        [S.CLIENT_SOLE_TRADER, S.DEBTOR],
        [P.BOOKKEEPING],
        [B.LEGAL_OBLIGATION],
        "the statement lists the cases paid out",
    )
    + _personal(
        "ledger.Payout",
        "credit_transfer_xml",
        [D.NAME, D.BANK_ACCOUNT, D.PAYMENT],
        CLIENT,
        [P.BOOKKEEPING],
        [B.LEGAL_OBLIGATION],
        "the client's name and IBAN as sent to the bank",
    )
    # --- payment arrangements, promises to pay and direct-debit mandates (C-10) ---
    + _personal(
        "arrangements.Arrangement",
        "proposed_by status total_cents months instalment_cents first_due grace_days payments_baseline_cents "
        "decided_at ended_on",
        [D.DEBT, D.PAYMENT],
        DEBTOR,
        COLLECTION_BOOKS,
        COLLECTION_BASES,
    )
    + _personal(
        "arrangements.Arrangement",
        "review_reasons",
        [D.NOTES, D.INCOME],
        DEBTOR,
        COLLECTION,
        COLLECTION_BASES,
        "why a plan went to a collector: may mention income and the protected income",
    )
    + _personal(
        "arrangements.Instalment",
        "number due_on amount_cents paid_cents status",
        [D.PAYMENT],
        DEBTOR,
        COLLECTION_BOOKS,
        COLLECTION_BASES,
    )
    + _personal(
        "arrangements.PromiseToPay",
        "promised_on amount_cents due_on status settled_on",
        [D.BEHAVIOR, D.DEBT],
        DEBTOR,
        COLLECTION,
        COLLECTION_BASES,
    )
    + _personal("arrangements.Mandate", "reference", [D.UNIQUE_ID], PAYERS, COLLECTION_BOOKS, COLLECTION_BASES)
    + _personal("arrangements.Mandate", "iban", [D.BANK_ACCOUNT], PAYERS, COLLECTION_BOOKS, COLLECTION_BASES)
    + _personal("arrangements.Mandate", "name", [D.NAME], PAYERS, COLLECTION_BOOKS, COLLECTION_BASES)
    + _personal(
        "arrangements.Mandate", "signed_on sequence revoked_at", [D.PAYMENT], PAYERS, COLLECTION_BOOKS, COLLECTION_BASES
    )
    # --- S/MIME certificates of e-mail recipients (the certificate names its holder and address) ---
    + _personal(
        "integrations.SmimeCertificate",
        "email certificate_pem",
        [D.CONTACT_EMAIL, D.NAME],
        [S.DEBTOR, S.CLIENT_CONTACT],
        COLLECTION,
        COLLECTION_BASES,
    )
    # --- AML and acceptance checks: a result and minimal evidence, 5 years (P-2) ---
    + _personal(
        "aml.AmlCheck",
        "subject_id outcome evidence",
        [D.UNIQUE_ID, D.LEGAL_PROCEEDINGS],
        [S.CLIENT_SOLE_TRADER, S.PARTNER_CONTACT, S.CO_LIABLE_PARTY],
        [P.AML],
        [B.LEGAL_OBLIGATION],
    )
    + _personal("aml.AmlCheck", "actor_label", [D.ACCOUNT], USERS, [P.SECURITY], SECURITY_BASES)
    # --- hand-overs to partner agencies abroad, bailiffs and lawyers ---
    + _personal("handover.Handover", "partner_reference", [D.UNIQUE_ID], DEBTOR, COLLECTION, COLLECTION_BASES)
    + _personal("handover.Handover", "status_note", [D.NOTES], DEBTOR, COLLECTION, COLLECTION_BASES, FREE_TEXT)
    # --- recipients, the disclosure log (P-8) and the breach register (P-9) ---
    + _personal(
        "disclosures.Recipient",
        "name",
        [D.NAME],
        [S.PARTNER_CONTACT],
        COLLECTION,
        COLLECTION_BASES,
        "a bailiff, lawyer or accountant may trade under their own name",
    )
    + _personal(
        "disclosures.Recipient", "contact_email", [D.CONTACT_EMAIL], [S.PARTNER_CONTACT], COLLECTION, COLLECTION_BASES
    )
    + _personal(
        "disclosures.Disclosure",
        "categories legal_basis purpose transfer_basis",
        [D.DEBT],
        DISCLOSED,
        [P.DEBT_COLLECTION, P.SECURITY],
        SECURITY_BASES,
        "which data about the person went to which recipient, on what basis (art. 15(1)(c), 30)",
    )
    + _personal("disclosures.Disclosure", "description", [D.NOTES], DISCLOSED, [P.SECURITY], SECURITY_BASES, FREE_TEXT)
    + _personal("disclosures.Disclosure", "actor_label", [D.ACCOUNT], USERS, [P.SECURITY], SECURITY_BASES)
    + _personal("disclosures.DisclosureSubject", "subject_id", [D.UNIQUE_ID], DISCLOSED, [P.SECURITY], SECURITY_BASES)
    + _personal(
        "disclosures.RefusedDisclosure",
        "categories purpose reason",
        [D.DEBT],
        DISCLOSED,
        [P.SECURITY],
        SECURITY_BASES,
        "a disclosure the transfer rules refused",
    )
    + _personal("disclosures.RefusedDisclosure", "subjects", [D.UNIQUE_ID], DISCLOSED, [P.SECURITY], SECURITY_BASES)
    + _personal("disclosures.RefusedDisclosure", "actor_label", [D.ACCOUNT], USERS, [P.SECURITY], SECURITY_BASES)
    + _personal(
        "disclosures.Breach",
        "description measures risk_reasoning delay_reasons",
        [D.NOTES],
        DISCLOSED,
        [P.SECURITY],
        SECURITY_BASES,
        FREE_TEXT,
    )
    + _personal("disclosures.Breach", "affected_subjects", [D.UNIQUE_ID], DISCLOSED, [P.SECURITY], SECURITY_BASES)
    + _personal("disclosures.BreachStep", "actor_label", [D.ACCOUNT], USERS, [P.SECURITY], SECURITY_BASES)
    + _personal("disclosures.BreachStep", "details", [D.ACTIVITY], USERS, [P.SECURITY], SECURITY_BASES)
    + _personal(
        "disclosures.BreachNotification",
        "facts",
        [D.NOTES],
        DISCLOSED,
        [P.SECURITY],
        SECURITY_BASES,
        "the breach's description as told to the client",
    )
    + _personal(
        "disclosures.BreachNotification",
        "emailed_to",
        [D.CONTACT_EMAIL],
        [S.CLIENT_CONTACT],
        [P.SECURITY],
        SECURITY_BASES,
    )
    # --- data-subject requests (P-4): who asked what, how it was verified and answered ---
    + _personal(
        "rights.RightsRequest",
        "reference kind channel status subject_kind due_on extended_to verification_method",
        [D.RIGHTS_REQUEST],
        RIGHTS_SUBJECTS,
        [P.SECURITY],
        [B.LEGAL_OBLIGATION],
        "answering GDPR rights (art. 12-22) and proving it was done in time",
    )
    + _personal("rights.RightsRequest", "requester_name", [D.NAME], RIGHTS_SUBJECTS, [P.SECURITY], [B.LEGAL_OBLIGATION])
    + _personal(
        "rights.RightsRequest",
        "requester_email subscriber_email",
        [D.CONTACT_EMAIL],
        RIGHTS_SUBJECTS,
        [P.SECURITY],
        [B.LEGAL_OBLIGATION],
    )
    + _personal(
        "rights.RightsRequest",
        "requester_phone",
        [D.CONTACT_PHONE],
        RIGHTS_SUBJECTS,
        [P.SECURITY],
        [B.LEGAL_OBLIGATION],
    )
    + _personal(
        "rights.RightsRequest",
        "message extension_reason verification_note instruction outcome corrections",
        [D.NOTES, D.RIGHTS_REQUEST],
        RIGHTS_SUBJECTS,
        [P.SECURITY],
        [B.LEGAL_OBLIGATION],
        FREE_TEXT,
    )
    + _personal("rights.VerificationCode", "code_hash", [D.CREDENTIALS], RIGHTS_SUBJECTS, [P.SECURITY], SECURITY_BASES)
    + _personal("rights.VerificationCode", "sent_to", [D.CONTACT_EMAIL], RIGHTS_SUBJECTS, [P.SECURITY], SECURITY_BASES)
    + _personal(
        "rights.RequestEvent", "action details", [D.RIGHTS_REQUEST], RIGHTS_SUBJECTS, [P.SECURITY], SECURITY_BASES
    )
    + _personal("rights.RequestEvent", "actor_label", [D.ACCOUNT], USERS, [P.SECURITY], SECURITY_BASES)
    + _personal("rights.ExportDelivery", "fmt", [D.RIGHTS_REQUEST], RIGHTS_SUBJECTS, [P.SECURITY], SECURITY_BASES)
    + _personal("rights.ExportDelivery", "source", [D.IP_ADDRESS], RIGHTS_SUBJECTS, [P.SECURITY], SECURITY_BASES)
    + _personal(
        "rights.RectificationChange",
        "field old_value new_value",
        [D.NAME, D.CONTACT_ADDRESS, D.RIGHTS_REQUEST],
        CASE_PARTIES,
        COLLECTION,
        COLLECTION_BASES,
        "the change history of a rectification: the old and the new value",
    )
    + _personal("rights.RectificationChange", "actor_label", [D.ACCOUNT], USERS, [P.SECURITY], SECURITY_BASES)
    # --- consent, cookies, newsletter, suppression (P-5, P-11; incasso.consent) ---
    + _personal(
        "consent.ConsentRecord",
        "subject_ref",
        [D.UNIQUE_ID],
        CONSENTING,
        CONSENT_PURPOSES,
        CONSENT_BASES,
        "a debtor's, contact's or subscriber's id, or a visitor's random cookie id",
    )
    + _personal(
        "consent.ConsentRecord",
        "purpose given where method",
        [D.ACTIVITY],
        CONSENTING,
        CONSENT_PURPOSES,
        CONSENT_BASES,
        "proof of consent (art. 7(1)): what was agreed or withdrawn, where and how",
    )
    + _personal("consent.ConsentRecord", "language", [D.DEMOGRAPHIC], CONSENTING, CONSENT_PURPOSES, CONSENT_BASES)
    + _personal(
        "consent.Subscriber", "email", [D.CONTACT_EMAIL], [S.NEWSLETTER_SUBSCRIBER], [P.NEWSLETTER], [B.CONSENT]
    )
    + _personal(
        "consent.Subscriber", "language", [D.DEMOGRAPHIC], [S.NEWSLETTER_SUBSCRIBER], [P.NEWSLETTER], [B.CONSENT]
    )
    + _personal(
        "consent.Suppression",
        "email_hash",
        [D.CONTACT_EMAIL],
        SUPPRESSED,
        [P.MARKETING],
        [B.LEGITIMATE_INTEREST, B.LEGAL_OBLIGATION],
        "a keyed hash (HMAC-SHA256 under the blind-index key, truncated) of the address, kept so that an objection "
        "is honoured (art. 21(3))",
    )
    + _personal("consent.Suppression", "reason", [D.RIGHTS_REQUEST], SUPPRESSED, [P.MARKETING], [B.LEGITIMATE_INTEREST])
    + _personal(
        "consent.StatementMailing",
        "first_contact_id last_contact_id",
        [D.UNIQUE_ID],
        [S.CLIENT_CONTACT],
        [P.CLIENT_RELATIONSHIP],
        [B.LEGAL_OBLIGATION],
        "the range of contacts a batch of the privacy-statement announcement went to (art. 13, 14)",
    )
    + _personal(
        "consent.StatementMailing",
        "error",
        [D.CONTACT_EMAIL],
        [S.CLIENT_CONTACT],
        [P.CLIENT_RELATIONSHIP],
        [B.LEGAL_OBLIGATION],
        "an SMTP error may name a refused address",
    )
)
