"""Promises keep the day they were settled (kept or broken), so the daily run can tell a settlement after a case's
last run from one before it. Promises settled before this migration get their due day: the old rule's stand-in."""

from django.db import migrations, models
from django.db.models import F


def settled_on_from_due_on(apps, schema_editor):
    # One set-based statement; only rows still empty, so it can run again. Promises are few per case.
    promise = apps.get_model("arrangements", "PromiseToPay")
    promise.objects.filter(status__in=("kept", "broken"), settled_on__isnull=True).update(settled_on=F("due_on"))


class Migration(migrations.Migration):

    dependencies = [
        ("arrangements", "0001_arrangements_instalments_promises_mandates"),
    ]

    operations = [
        migrations.AddField(
            model_name="promisetopay",
            name="settled_on",
            field=models.DateField(blank=True, null=True, verbose_name="settled on"),
        ),
        migrations.RunPython(settled_on_from_due_on, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="promisetopay",
            index=models.Index(fields=["settled_on"], name="promise_settled_idx"),
        ),
    ]
