"""The actor index holds users' entries only: the system's entries (no actor; most rows) cost it no write.

Lookups by user (``actor_id = n``, which implies the index's ``actor_id IS NOT NULL``) use it as before; the system's
entries are found by their label.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0005_events_fewer_indexes_written_per_row'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='auditevent',
            name='audit_actor_idx',
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('actor__isnull', False)), fields=['actor', 'sequence'], name='audit_actor_idx'),
        ),
    ]
