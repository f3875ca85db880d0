"""Seed the payment provider as a recipient under the name the payment links look up (INCASSO_PAYMENT_RECIPIENT).

A payment link sends the case number, its payment reference and the amount owed to the provider: a disclosure about
the debtor (SPEC P-8). A payment service provider carries out the payment under its own licence (PSD2), as a
controller of its own and not on the agency's instructions, so there is no processor agreement; the row says so.
Values are written out (no app imports, as migrations must). Reversing removes it when it was never used.
"""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

NAME, COUNTRY = "Payment provider", "NL"
BASIS = "own controller: payment services under its own licence (PSD2)"


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor | None) -> None:
    Recipient = apps.get_model("disclosures", "Recipient")
    Agreement = apps.get_model("disclosures", "Agreement")
    recipient, created = Recipient.objects.get_or_create(name=NAME, country=COUNTRY, defaults={"category": "banks"})
    if created:
        Agreement.objects.create(recipient=recipient, kind="none", document_reference=BASIS)


def unseed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Recipient = apps.get_model("disclosures", "Recipient")
    Agreement = apps.get_model("disclosures", "Agreement")
    unused = Recipient.objects.filter(name=NAME, country=COUNTRY, disclosures__isnull=True, refusals__isnull=True)
    Agreement.objects.filter(recipient__in=unused).delete()
    Recipient.objects.filter(pk__in=list(unused.values_list("pk", flat=True))).delete()


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0003_seed_insolvency_register_recipient")]

    operations = [migrations.RunPython(seed, unseed)]
