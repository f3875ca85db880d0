"""Translated names for the register page (Dutch and English through gettext).

The register's codes stay language-neutral in JSON and CSV; the page shows these names instead. A code without a
name here is shown as the code, so a new purpose or recipient never breaks the page.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PURPOSES: dict[str, Promise] = {
    "debt_collection": _("Collecting claims (collection cases)"),
    "credit_assessment": _("Assessing creditworthiness of clients, partners and guarantors"),
    "client_relationship": _("Managing client relationships"),
    "aml": _("Anti-money-laundering and acceptance checks"),
    "bookkeeping": _("Bookkeeping and invoicing"),
    "marketing": _("Business development, analysis and marketing"),
    "newsletter": _("Newsletter"),
    "security": _("Security: access control and the audit log"),
}

SUBJECTS: dict[str, Promise] = {
    "debtor": _("Debtors"),
    "co_liable_party": _("Co-liable parties and guarantors"),
    "representative": _("Representatives of debtors"),
    "obliged_party": _("Parties obliged to perform"),
    "payer": _("Payers"),
    "client_sole_trader": _("Clients that are sole traders or partnerships"),
    "client_contact": _("Contacts at clients"),
    "prospect_contact": _("Contacts at prospective clients"),
    "partner_contact": _("Contacts at partners, suppliers and authorities"),
    "staff_user": _("Staff"),
    "client_user": _("Client users"),
    "newsletter_subscriber": _("Newsletter subscribers"),
    "website_visitor": _("Website visitors"),
}

ROLES: dict[str, Promise] = {"controller": _("controller"), "processor": _("processor")}

RECIPIENTS: dict[str, Promise] = {
    "clients": _("The client (creditor) and its employees"),
    "print_house": _("Postal companies and print houses"),
    "it_suppliers": _("IT support and system suppliers"),
    "process_servers": _("Companies that serve legal documents"),
    "bailiffs": _("Bailiffs"),
    "lawyers": _("Lawyers and legal advisers"),
    "accountants": _("Accountants"),
    "courts": _("Courts"),
    "authorities": _("Regulators, tax and investigative authorities, when the law requires it"),
    "partner_agencies_abroad": _("Collection agencies in the country where the debtor lives or moved to"),
    "address_services": _("Address-update services"),
    "credit_bureaus": _("Credit information bureaus and government sources"),
    "insolvency_register": _("The central insolvency register and the Chamber of Commerce"),
    "banks": _("Banks and payment service providers"),
}

MEASURES: dict[str, Promise] = {
    "access_control": _("Log-in for every user; roles limit who sees what (need to know)"),
    "passwords": _("Strong passwords, hashed with Argon2"),
    "audit_log": _("Append-only, hash-chained audit log of access to personal data"),
    "transport_encryption": _("E-mail and web traffic encrypted in transit (TLS)"),
    "append_only_records": _("The ledger and the audit log cannot be changed, only added to"),
    "minimisation": _("Only the data a purpose needs; statistics on anonymised data"),
    "second_factor": _("A second log-in factor for staff"),
    "field_encryption": _("Personal data encrypted per field with keys per data subject"),
    "retention": _("Data deleted or anonymised when its retention period ends"),
    "retention_other_purposes": _("Retention sweeps for client-relationship and credit-assessment data"),
    "monitoring": _("Alerts on unusual access: mass reads, failed log-ins"),
    "confidentiality": _("Staff and suppliers bound to secrecy; processor agreements"),
    "backups": _("Encrypted backups with a tested restore"),
}

DATA_CATEGORIES: dict[str, Promise] = {
    "user.name": _("Names"),
    "user.contact.address": _("Postal addresses"),
    "user.contact.email": _("E-mail addresses"),
    "user.contact.phone_number": _("Phone numbers"),
    "user.unique_id": _("Customer, case and invoice numbers and payment references"),
    "user.government_id": _("Chamber of Commerce numbers of sole traders"),
    "user.demographic.date_of_birth": _("Dates of birth"),
    "user.demographic": _("Legal form and preferred language"),
    "user.professional": _("Job titles"),
    "user.financial.bank_account": _("Bank account numbers"),
    "user.financial.debt": _("Claims, amounts and the progress of cases"),
    "user.financial.payment": _("Payments"),
    "user.financial.income": _("Income, living situation and other debts"),
    "user.relationship": _("Roles in a case (co-liable party, guarantor, representative)"),
    "user.legal.proceedings": _("Disputes, insolvency and legal steps"),
    "user.legal.rights_request": _("Requests under data protection rights"),
    "user.behavior": _("Payment behaviour used in automated decisions"),
    "user.derived.decision": _("Automated decisions and their review"),
    "user.correspondence": _("Letters, e-mails and calls"),
    "user.notes": _("Notes by staff"),
    "user.account": _("Log-in names and account details"),
    "user.account.credentials": _("Password and code hashes, session data"),
    "user.activity": _("Activity in the system (audit log)"),
    "user.device.ip_address": _("IP addresses"),
    "user.health": _("Health data"),
    "user.criminal_record": _("Criminal-law data"),
}

TRIGGERS: dict[str, Promise] = {
    "the case is closed": _("the case is closed"),
    "the relationship and all mutual claims ended": _("the relationship and all mutual claims ended"),
    "the transaction, or the end of the business relationship": _(
        "the transaction, or the end of the business relationship"
    ),
    "the last contact": _("the last contact"),
    "the person unsubscribed": _("the person unsubscribed"),
    "the end of the financial year the record belongs to": _("the end of the financial year the record belongs to"),
}


def label(names: dict[str, Promise], code: str) -> str:
    return str(names.get(code, code))
