"""The Celery application: distributed jobs on Redis when ``CELERY_BROKER_URL`` is set.

Without a broker (the embedded default) nothing here runs: the jobs execute in-process, so one machine needs no
broker and no worker. Start workers with ``.venv/bin/celery -A config worker``.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("incasso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic jobs (``celery -A config beat``). Without a broker, run the same from cron:
#   */5 * * * *  incasso integrations retry
#   30 4 * * *   incasso addresses refresh
#   */30 * * * * incasso handover poll
#   */15 * * * * incasso letters-email
#   0 * * * *    incasso instalment-reminders
#   0 6 * * *    incasso daily-run   (the daily run itself is started from cron; its chunks go to Celery workers)
app.conf.beat_schedule = {
    "integrations-retry": {"task": "incasso.integrations.retry", "schedule": 300.0},
    "addresses-refresh": {"task": "incasso.integrations.addresses_refresh", "schedule": crontab(hour=4, minute=30)},
    "handover-poll": {"task": "incasso.integrations.handover_poll", "schedule": 1800.0},
    # Outside the contact hours (Wki) the task sends nothing; the first run after 07:00 sends what waited.
    "letters-email": {"task": "incasso.communications.letters_email", "schedule": 900.0},
    "instalment-reminders": {"task": "incasso.arrangements.instalment_reminders", "schedule": 3600.0},
}
