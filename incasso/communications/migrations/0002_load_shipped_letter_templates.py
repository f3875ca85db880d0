"""Load the Typst letter templates shipped in incasso/communications/letters/ as version 1, active.

Reads the files directly (no app imports, as migrations must): a later change to a shipped file does not alter
the version stored here; it comes as a new version, by a new migration or by an administrator.
"""

from pathlib import Path

from django.db import migrations

LETTERS_DIR = Path(__file__).resolve().parent.parent / "letters"
KINDS = ("reminder_letter", "fourteen_day_letter", "demand_letter", "arrangement_confirmation", "legal_notice")
LANGUAGES = ("nl", "en")


def load_templates(apps, schema_editor):
    LetterTemplate = apps.get_model("communications", "LetterTemplate")
    for kind in KINDS:
        for language in LANGUAGES:
            if LetterTemplate.objects.filter(kind=kind, language=language).exists():
                continue  # re-runnable: never a second version 1
            LetterTemplate.objects.create(
                kind=kind,
                language=language,
                version=1,
                source=(LETTERS_DIR / f"{kind}.{language}.typ").read_text(encoding="utf-8"),
                active=True,
                notes="shipped with the code",
            )


def unload_templates(apps, schema_editor):
    LetterTemplate = apps.get_model("communications", "LetterTemplate")
    LetterTemplate.objects.filter(version=1, notes="shipped with the code", letters__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("communications", "0001_letters_templates_batches_contact_log_portal_codes")]

    operations = [migrations.RunPython(load_templates, unload_templates)]
