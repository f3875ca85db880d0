"""What the backup tests share: `incasso backup` as a function, and reads that go around the field encryption."""

import json
from io import StringIO

from django.core.management import call_command

from incasso.audit.models import AuditEvent
from incasso.parties.models import Debtor


def backup(*args):
    out = StringIO()
    call_command("backup", *map(str, args), stdout=out)
    return json.loads(out.getvalue())


def surname(debtor):
    return Debtor.objects.get(pk=debtor.pk).surname


def restores_recorded():
    return AuditEvent.objects.filter(actor_label="backup restore", subject_type="").count()
