"""Load the default strategy "standard", version 1, from ``incasso/decisions/strategies/standard.json``.

The migration reads the file next to the app rather than importing app code, so it runs the same at any later
state of the code. ``standard.json`` is therefore version 1 for good: a changed strategy ships as a new version
(``incasso strategy load``), never as an edit of this file.
"""

import json
from pathlib import Path

from django.db import migrations
from django.utils import timezone

STANDARD = Path(__file__).resolve().parent.parent / "strategies" / "standard.json"


def load_standard(apps, schema_editor):
    Strategy = apps.get_model("decisions", "Strategy")
    StrategyVersion = apps.get_model("decisions", "StrategyVersion")
    strategy, _ = Strategy.objects.get_or_create(code="standard", defaults={"name": "Standard collection strategy"})
    if StrategyVersion.objects.filter(strategy=strategy, version=1).exists():
        return
    StrategyVersion.objects.create(
        strategy=strategy,
        version=1,
        document=json.loads(STANDARD.read_text(encoding="utf-8")),
        status="active",
        activated_at=timezone.now(),
        notes="Shipped with Incasso.",
    )


def unload_standard(apps, schema_editor):
    Strategy = apps.get_model("decisions", "Strategy")
    StrategyVersion = apps.get_model("decisions", "StrategyVersion")
    StrategyVersion.objects.filter(strategy__code="standard", version=1).delete()
    Strategy.objects.filter(code="standard", versions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_strategies_decisions_objections")]

    operations = [migrations.RunPython(load_standard, unload_standard)]
