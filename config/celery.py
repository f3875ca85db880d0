"""The Celery application: distributed jobs on Redis when ``CELERY_BROKER_URL`` is set.

Without a broker (the embedded default) nothing here runs: the jobs execute in-process, so one machine needs no
broker and no worker. Start workers with ``.venv/bin/celery -A config worker``.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("incasso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
