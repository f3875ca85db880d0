"""Seed a demo recipients register: one recipient per category the privacy statements name, with agreements.

Values are written out (no app imports, as migrations must). Fictitious names. The partner agency in Colombia has
no safeguards on file on purpose: it shows a refused transfer. Reversing removes the seeded rows that were never
used for a disclosure.
"""

from __future__ import annotations

import datetime

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

SIGNED = datetime.date(2024, 1, 1)

# name, category, country, contact e-mail, [(agreement kind, document reference)]
RECIPIENTS: list[tuple[str, str, str, str, list[tuple[str, str]]]] = [
    ("Drukkerij De Letterbak B.V.", "print_house", "NL", "privacy@letterbak.example", [("processor_agreement", "VWO-2024-001")]),
    ("Hosting Noord B.V.", "it_suppliers", "NL", "dpo@hostingnoord.example", [("processor_agreement", "VWO-2024-002")]),
    ("Cloud Mail Inc.", "it_suppliers", "US", "privacy@cloudmail.example", [("processor_agreement", "DPA-2024-003"), ("scc", "SCC-2021/914-M3-003")]),
    ("Betekening Direct B.V.", "process_servers", "NL", "", [("processor_agreement", "VWO-2024-004")]),
    ("Gerechtsdeurwaarderskantoor Jansen", "bailiffs", "NL", "", [("none", "own statutory task (Gerechtsdeurwaarderswet)")]),
    ("Advocatenkantoor De Vries", "lawyers", "NL", "", [("none", "professional secrecy (Advocatenwet)")]),
    ("Accountantskantoor Bakker", "accountants", "NL", "", [("none", "statutory audit")]),
    ("Rechtbank Amsterdam", "courts", "NL", "", []),
    ("Autoriteit Persoonsgegevens", "authorities", "NL", "", []),
    ("Belastingdienst", "authorities", "NL", "", []),
    ("Inkasso Partner Berlin GmbH", "partner_agencies_abroad", "DE", "", [("joint_controller", "JCA-2024-010")]),
    ("Swiss Collect AG", "partner_agencies_abroad", "CH", "", [("none", "adequacy decision 2000/518/EC")]),
    ("Collect UK Ltd", "partner_agencies_abroad", "GB", "", [("none", "adequacy decision (EU) 2021/1772")]),
    ("US Recovery Partners Inc.", "partner_agencies_abroad", "US", "", [("scc", "SCC-2021/914-M1-013")]),
    ("Cobranzas Andinas S.A.S.", "partner_agencies_abroad", "CO", "", []),
    ("Adrescheck B.V.", "address_services", "NL", "", [("processor_agreement", "VWO-2024-016")]),
    ("Kredietinformatie Nederland B.V.", "credit_bureaus", "NL", "", [("none", "own controller")]),
    ("Centraal Insolventieregister / KvK", "insolvency_register", "NL", "", []),
    ("Demobank N.V.", "banks", "NL", "", [("none", "payment services (PSD2)")]),
]


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Recipient = apps.get_model("disclosures", "Recipient")
    Agreement = apps.get_model("disclosures", "Agreement")
    for name, category, country, email, agreements in RECIPIENTS:
        recipient, created = Recipient.objects.get_or_create(
            name=name, country=country, defaults={"category": category, "contact_email": email}
        )
        if created:
            Agreement.objects.bulk_create(
                [
                    Agreement(recipient=recipient, kind=kind, signed_on=SIGNED, document_reference=reference)
                    for kind, reference in agreements
                ]
            )


def unseed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Recipient = apps.get_model("disclosures", "Recipient")
    Agreement = apps.get_model("disclosures", "Agreement")
    unused = Recipient.objects.filter(
        name__in=[row[0] for row in RECIPIENTS], disclosures__isnull=True, refusals__isnull=True
    )
    Agreement.objects.filter(recipient__in=unused).delete()
    Recipient.objects.filter(pk__in=list(unused.values_list("pk", flat=True))).delete()


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0001_create_recipients_disclosures_and_breaches")]

    operations = [migrations.RunPython(seed, unseed)]
