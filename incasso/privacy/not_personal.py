"""Fields declared to hold no personal data, each with why; the counterpart of ``data_map.PERSONAL_FIELDS``.

Listed field by field rather than model by model, so that a field added later to one of these models is not
silently taken to be harmless: it fails the completeness test until someone decides.
"""

from __future__ import annotations

from incasso.domain.data_map import NotPersonal


def _n(model: str, fields: str, reason: str) -> list[NotPersonal]:
    return [NotPersonal(model, name, reason) for name in fields.split()]


CONFIG = "configuration of the agency's own system"
CODE = "a code chosen by the agency"
HASH = "a digest of a file or key, not of a person's data"
COUNT = "counts and status of a batch, not of a person"
TERMS = "commercial terms between two businesses"

NOT_PERSONAL_FIELDS: tuple[NotPersonal, ...] = tuple(
    _n("auth.Group", "name", CONFIG)
    + _n("auth.Permission", "name codename", CONFIG)
    + _n("contenttypes.ContentType", "app_label model", CONFIG)
    + _n("accounts.Team", "name", "the name of a team of collectors")
    + _n("accounts.ConfidentialityStatement", "version text_nl text_en", "the agency's statement, the same for all")
    + _n("accounts.SecurityAlert", "kind", "the kind of alert")
    + _n(
        "otp_totp.TOTPDevice",
        "confirmed digits drift last_t step t0 throttling_failure_count tolerance",
        "the settings and counters of a second-factor device",
    )
    + _n("audit.AuditEvent", "sequence subject_type prev_hash hash", "chain bookkeeping and a model name")
    + _n("audit.AuditChainHead", "last_sequence last_hash", "chain bookkeeping")
    + _n(
        "audit.AuditVerification",
        "outcome entries last_sequence last_hash broken_sequence broken_reason broken_detail",
        "what a walk over the audit chain found",
    )
    + _n("parties.Client", "code", CODE)
    + _n(
        "parties.Debtor",
        "iban_index email_index name_index postcode_index",
        "a blind index: a keyed HMAC, truncated to 16 bytes, of an encrypted field; without the index key it shows "
        "only that two rows are equal, and it is emptied when the subject's data key is destroyed",
    )
    + _n(
        "consent.Subscriber",
        "email_index",
        "a blind index: a keyed HMAC, truncated to 16 bytes, of the sealed address; without the index key it shows "
        "only that two rows are equal, and it is emptied when the subscriber's data key is destroyed",
    )
    + _n(
        "parties.ClientContact",
        "email_index",
        "a blind index: a keyed HMAC, truncated to 16 bytes, of the sealed address; without the index key it shows "
        "only that two rows are equal, and it is emptied when the contact's data key is destroyed",
    )
    + _n("crypto.DataKey", "subject_type master_version destroyed_at", "key bookkeeping: a model name and dates")
    + _n("crypto.DataKey", "wrapped_key", "a data key, wrapped under a master key: key material, not a person's data")
    + _n("crypto.RetiredMasterKey", "version retired_at", "key bookkeeping")
    + _n("sensitive.SpecialCategoryRecord", "basis", "the legal ground the agency recorded")
    + _n("parties.Client", "kind vat_deductible is_agency", "the kind of business and its tax position")
    + _n("parties.Client", "relationship_ended_on", "when a business relationship ended")
    + _n(
        "parties.CommissionTerms",
        "valid_from commission_on_principal_bp agency_share_of_interest_bp agency_share_of_costs_bp",
        TERMS,
    )
    + _n(
        "parties.ProcessorAgreement",
        "version signed_on valid_from confidentiality breach_notification_hours allowed_measures "
        "legal_steps_need_approval settlement_authority_bp plan_max_months plan_min_instalment_cents",
        TERMS,
    )
    + _n("cases.Case", "last_run_on", "when the daily run last looked at the case: the job's own bookkeeping")
    + _n("cases.Measure", "idempotency_key", "a key derived from ids and a date")
    + _n("cases.StaffTask", "team idempotency_key", "the agency's work routing; a key derived from ids and a date")
    + _n("cases.CaseNumberSequence", "last", "a counter")
    + _n("decisions.Strategy", "code name", CONFIG)
    + _n("decisions.StrategyVersion", "version document status challenger_share_percent notes", CONFIG)
    + _n("communications.LetterTemplate", "kind language version source active notes", CONFIG)
    + _n(
        "communications.PrintBatch",
        "for_date letter_count pdf_path manifest_path pdf_sha256 manifest_sha256",
        "where a batch file is and its digest; the letters themselves are declared",
    )
    + _n("communications.Letter", "idempotency_key", "a key derived from ids and a date")
    + _n(
        "print_house.Shipment",
        "status remote_pdf_path remote_manifest_path remote_ready_path attempts last_error",
        "where a batch went and how often it was tried; the letters themselves are declared",
    )
    + _n("print_house.DeliveryLine", "report_name", "the name of the print house's report file")
    + _n("intake.ClientApiKey", "name prefix key_hash", "a machine credential of a client organisation")
    + _n("intake.ImportBatch", "source file_format filename sha256 status error", "how a file came in and its fate")
    + _n("intake.ImportBatch", "created_count duplicate_count rejected_count", COUNT)
    + _n(
        "payments.StatementImport",
        "filename sha256 file_format statement_id status error",
        "how a statement file came in and its fate",
    )
    + _n(
        "payments.StatementImport",
        "entry_count matched_count unmatched_count returned_count ignored_count duplicate_count skipped_count",
        COUNT,
    )
    + _n("payments.StatementImport", "account_iban", "the agency's own bank account")
    + _n("payments.StatementEntry", "account_iban", "the agency's own bank account")
    + _n("payments.StatementEntry", "entry_key ledger_key", "keys derived from the bank's references")
    + _n("payments.StatementEntry", "position bank_reference", "where the entry was in the file; the bank's own id")
    + _n(
        "privacy.RetentionPolicy",
        "purpose trigger months years end_of_calendar_year action active source",
        "the retention rules: configuration",
    )
    + _n("privacy.RetentionSweep", "dry_run as_of counts status", "counts per purpose of a sweep, never content")
    + _n(
        "privacy.AnonymisedSubject",
        "region",
        "the first two digits of a postcode: a region of tens of thousands of addresses, kept for statistics",
    )
    + _n("ledger.Account", "code kind", "the ledger's chart of accounts (a case account's code holds the case id)")
    + _n("ledger.LedgerTransaction", "idempotency_key", "a key derived from the source's references")
    + _n(
        "paylinks.PaymentLink",
        "provider_payment_id ledger_key chargeback_key",
        "the provider's payment id and a key derived from it",
    )
    + _n("integrations.CircuitState", "name state failures", "the health of an outside service")
    + _n("webhooks.WebhookEndpoint", "url secret events", "a client's (business's) endpoint and its signing secret")
    + _n("webhooks.WebhookDelivery", "event_id event status attempts", "the kind and state of a delivery")
    + _n("webhooks.WebhookAttempt", "status_code error duration_ms", "a technical result of an HTTP call")
    + _n("integrations.FeedCursor", "name cursor", "how far an outside change feed has been read")
    + _n("integrations.SmimeCertificate", "not_after", "when a certificate expires")
    + _n(
        "handover.HandoverRecipient",
        "code role host port username host_key inbox_dir outbox_dir public_key_pem active",
        "how a recipient's server is reached and the key its packages are encrypted for",
    )
    + _n("handover.Handover", "status package_name sent_at status_at", "the progress of a hand-over")
    + _n("aml.AmlCheck", "subject_type role checked_on retain_until", "what was checked, when, kept how long")
    + _n(
        "integrations.PendingCall",
        "kind payload dedupe_key attempts last_error",
        "a queued outside call: its kind, the ids of the rows it works on (the rows' fields are declared), and a "
        "technical error message",
    )
    + _n("disclosures.Recipient", "category country active", "the kind of recipient and where it is")
    + _n("disclosures.Agreement", "kind signed_on valid_until document_reference", TERMS)
    + _n("disclosures.DisclosureSubject", "subject_type", "a model name")
    + _n(
        "disclosures.Breach",
        "reference nature categories approximate_subjects risk authority_reference status",
        "the breach's classification and counts, not who it is about",
    )
    + _n("disclosures.BreachStep", "kind", "the kind of step")
    + _n("rights.RightsRequest", "intake_key", "a random key shared by the requests split from one intake")
    + _n("rights.RightsRequest", "source_message_id", "a technical e-mail identifier (host and random part)")
    + _n("rights.VerificationCode", "attempts", "a counter of wrong codes")
    + _n(
        "consent.DocumentVersion",
        "kind purpose number title_nl title_en body_nl body_en",
        "a privacy statement or consent text, the same for everyone",
    )
    + _n("consent.StatementMailing", "batch recipients", COUNT)
    + _n("consent.NewsletterIssue", "subject body recipients batches", "a newsletter as sent to every subscriber")
    + _n("consent.ConsentRecord", "subject_kind", "which kind of reference subject_ref is")
)
