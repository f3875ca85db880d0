"""Seed one retention policy per purpose with the periods of SPEC P-2 (``domain.retention.DEFAULT_PERIODS``).

The values are written out here rather than imported, so that this migration keeps meaning what it meant when
it was written. Re-runnable: an existing policy (perhaps changed since) is left alone.
"""

from django.db import migrations

# purpose, trigger, months, years, end_of_calendar_year, action, source
DEFAULTS = [
    ("debt_collection", "case_closed", 36, 0, False, "anonymise", "SPEC P-2, LEGAL.md §7: 36 months after the case is closed"),
    ("client_relationship", "relationship_ended", 36, 0, False, "delete", "SPEC P-2, LEGAL.md §7: 36 months after the relationship and all mutual claims ended"),
    ("credit_assessment", "relationship_ended", 36, 0, False, "delete", "SPEC P-2, LEGAL.md §7: 36 months after the relationship and all mutual claims ended"),
    ("aml", "transaction", 0, 5, False, "delete", "Wwft art. 33 lid 3: 5 years after the transaction or the end of the relationship"),
    ("marketing", "last_contact", 36, 0, False, "delete", "SPEC P-2, LEGAL.md §7: 36 months after the last contact"),
    ("newsletter", "unsubscribe", 0, 0, False, "delete", "SPEC P-2, LEGAL.md §7: deleted at once on unsubscribe"),
    ("bookkeeping", "fiscal_year_end", 0, 7, True, "anonymise", "AWR art. 52 lid 4: 7 years after the end of the calendar year in which the financial year ended"),
]


def seed(apps, schema_editor):
    policy = apps.get_model("privacy", "RetentionPolicy")
    for purpose, trigger, months, years, end_of_year, action, source in DEFAULTS:
        policy.objects.get_or_create(
            purpose=purpose,
            defaults={
                "trigger": trigger,
                "months": months,
                "years": years,
                "end_of_calendar_year": end_of_year,
                "action": action,
                "source": source,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_retention_policies_holds_sweeps")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
