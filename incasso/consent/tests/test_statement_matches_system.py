"""The published privacy statement says what the system enforces: its retention periods are the policy rows the
sweep applies, and every category of recipient the register names is one the statement tells people about.

A policy changed without a new statement (or the other way round) fails here, before the two drift apart.
"""

from __future__ import annotations

import re

import pytest

from incasso.consent.models import DocumentKind
from incasso.consent.selectors import document_current
from incasso.privacy.models import RetentionPolicy, TriggerEvent
from incasso.privacy.recipients import RECIPIENT_CATEGORIES

pytestmark = pytest.mark.django_db

WORDS = {"five": 5, "seven": 7}

# purpose -> (the sentence of the English statement that states its period, the trigger it names)
STATED = {
    "debt_collection": (r"Data from a collection case: up to (\d+) months after the case is closed", "case_closed"),
    "client_relationship": (
        r"creditworthiness of, a client, partner or guarantor: up to (\d+) months after the relationship",
        "relationship_ended",
    ),
    "credit_assessment": (
        r"creditworthiness of, a client, partner or guarantor: up to (\d+) months after the relationship",
        "relationship_ended",
    ),
    "aml": (r"anti-money-laundering checks: (\w+) years after the transaction", "transaction"),
    "marketing": (r"marketing: (\d+) months after the last contact", "last_contact"),
    "newsletter": (r"Newsletter data: erased at once when you unsubscribe()", "unsubscribe"),
    "bookkeeping": (
        r"invoicing and bookkeeping: (\w+) years after the end of the calendar year in which the financial year",
        "fiscal_year_end",
    ),
}

# recipient category -> how the statement names it
NAMED = {
    "clients": "the client and its employees",
    "print_house": "postal and print companies",
    "it_suppliers": "IT and system suppliers",
    "process_servers": "process servers",
    "bailiffs": "bailiffs",
    "lawyers": "lawyers",
    "accountants": "accountants",
    "courts": "public authorities",
    "authorities": "regulators, the tax authorities and investigative authorities",
    "partner_agencies_abroad": "collection agencies abroad",
    "address_services": "address, credit and insolvency information services",
    "credit_bureaus": "address, credit and insolvency information services",
    "insolvency_register": "address, credit and insolvency information services",
    "banks": "banks and payment service providers",
}


def _months(stated: str, years: bool) -> int:
    if stated == "":
        return 0
    number = int(stated) if stated.isdigit() else WORDS[stated]
    return number * 12 if years else number


def test_every_retention_period_in_the_statement_is_the_policy_the_sweep_enforces():
    body = document_current(kind=DocumentKind.PRIVACY_STATEMENT).body_en
    policies = {p.purpose: p for p in RetentionPolicy.objects.filter(active=True)}
    assert set(policies) == set(STATED)
    for purpose, (pattern, trigger) in STATED.items():
        found = re.search(pattern, body)
        assert found is not None, f"the statement no longer states the {purpose} period"
        policy = policies[purpose]
        assert _months(found.group(1), "years" in pattern) == policy.years * 12 + policy.months, purpose
        assert policy.trigger == TriggerEvent(trigger)
        assert policy.end_of_calendar_year == ("calendar year" in pattern)


def test_every_recipient_category_of_the_register_is_named_in_the_statement():
    body = document_current(kind=DocumentKind.PRIVACY_STATEMENT).body_en
    assert set(NAMED) == {category.code for category in RECIPIENT_CATEGORIES}
    for code, name in NAMED.items():
        assert name in body, code
    outside = [c for c in RECIPIENT_CATEGORIES if c.outside_eea]
    assert outside and "adequacy decision or appropriate safeguards" in body
