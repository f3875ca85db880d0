"""The reference data that data migrations seed: role groups, the standard strategy, the letter templates and
the confidentiality statement staff accept, the retention policies, the
recipients register and the first published privacy statement and consent texts.

Tests that run outside a transaction (``transaction=True``) end with a flush that empties every table, these
rows included; the test suite calls :func:`reference_data_ensure` to put them back. It runs the migrations' own
functions, which are idempotent, so there is one definition of the seed data.
"""

from __future__ import annotations

import importlib

from django.apps import apps

SEEDING_MIGRATIONS = (
    ("incasso.accounts.migrations.0002_create_role_groups", "create_role_groups"),
    ("incasso.decisions.migrations.0002_load_standard_strategy", "load_standard"),
    ("incasso.communications.migrations.0002_load_shipped_letter_templates", "load_templates"),
    ("incasso.accounts.migrations.0004_seed_confidentiality_statement", "publish"),
    ("incasso.privacy.migrations.0002_seed_default_retention_policies", "seed"),
    ("incasso.disclosures.migrations.0002_seed_demo_recipients_and_agreements", "seed"),
    ("incasso.disclosures.migrations.0003_seed_insolvency_register_recipient", "seed"),
    ("incasso.disclosures.migrations.0004_seed_payment_provider_recipient", "seed"),
    ("incasso.consent.migrations.0002_seed_first_published_versions", "seed"),
)


def reference_data_ensure() -> None:
    for module_name, function_name in SEEDING_MIGRATIONS:
        seed = getattr(importlib.import_module(module_name), function_name)
        seed(apps, None)
