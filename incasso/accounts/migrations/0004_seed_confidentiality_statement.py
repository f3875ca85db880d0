"""Publish the first confidentiality statement staff accept before their first access (P-7, "bound to secrecy").

The text is written out here (not imported from app code) so that the migration means the same forever.
"""

from django.db import migrations
from django.utils import timezone

VERSION = "2026-1"
TEXT_NL = (
    "Ik ben gebonden aan geheimhouding. Ik gebruik persoonsgegevens van schuldenaren, opdrachtgevers en hun "
    "contactpersonen alleen voor het doel waarvoor ik ze nodig heb in mijn werk, ik bekijk alleen de dossiers "
    "waaraan ik werk, en ik geef niets door aan wie er geen recht op heeft. Deze plicht blijft ook na het einde "
    "van mijn dienstverband gelden. Ik weet dat elke inzage en wijziging wordt vastgelegd en dat ongebruikelijke "
    "toegang aan de functionaris gegevensbescherming wordt gemeld."
)
TEXT_EN = (
    "I am bound to secrecy. I use the personal data of debtors, clients and their contacts only for the purpose my "
    "work needs it for, I look only at the cases I work on, and I pass nothing to anyone not entitled to it. This "
    "duty continues after my employment ends. I know that every read and change is recorded and that unusual "
    "access is reported to the privacy officer."
)


def publish(apps, schema_editor):
    statement = apps.get_model("accounts", "ConfidentialityStatement")
    statement.objects.get_or_create(
        version=VERSION, defaults={"text_nl": TEXT_NL, "text_en": TEXT_EN, "published_at": timezone.now()}
    )


def withdraw(apps, schema_editor):
    statement = apps.get_model("accounts", "ConfidentialityStatement")
    statement.objects.filter(version=VERSION, acceptances__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_teams_confidentiality_security_alerts")]

    operations = [migrations.RunPython(publish, withdraw)]
