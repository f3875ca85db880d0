"""Seed the central insolvency register as a recipient under the name the CIR check looks up (INCASSO_CIR_RECIPIENT).

A search of the register sends the debtor's name and date of birth (or KvK number) to it: a disclosure (SPEC P-8).
The register is a public register kept under the Bankruptcy Act, so there is no agreement to sign; the row says so.
Values are written out (no app imports, as migrations must). Reversing removes it when it was never used.
"""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

NAME, COUNTRY = "Centraal Insolventieregister", "NL"
BASIS = "public register (Faillissementswet art. 19, 216, 293)"


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor | None) -> None:
    Recipient = apps.get_model("disclosures", "Recipient")
    Agreement = apps.get_model("disclosures", "Agreement")
    recipient, created = Recipient.objects.get_or_create(
        name=NAME, country=COUNTRY, defaults={"category": "insolvency_register"}
    )
    if created:
        Agreement.objects.create(recipient=recipient, kind="none", document_reference=BASIS)


def unseed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Recipient = apps.get_model("disclosures", "Recipient")
    Agreement = apps.get_model("disclosures", "Agreement")
    unused = Recipient.objects.filter(name=NAME, country=COUNTRY, disclosures__isnull=True, refusals__isnull=True)
    Agreement.objects.filter(recipient__in=unused).delete()
    Recipient.objects.filter(pk__in=list(unused.values_list("pk", flat=True))).delete()


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0002_seed_demo_recipients_and_agreements")]

    operations = [migrations.RunPython(seed, unseed)]
