"""Two fewer indexes written per audit row: the actor's own index (``audit_actor_idx`` on actor and sequence serves
every lookup by actor) and PostgreSQL's pattern-matching copy of the hash index, which ``unique=True`` on a
character column adds and no query uses; the hash stays unique through a constraint. An append of thousands of
entries (the retention sweep, a claim import) writes every index once per row.

On SQLite, altering the hash column rebuilds the table, which drops the append-only triggers of migration 0002: they
are made again after the rebuild, in both directions. It imports no app code.
"""

from django.conf import settings
from django.db import migrations, models

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS audit_event_no_{op.lower()} BEFORE {op} ON audit_auditevent BEGIN "
    f"SELECT RAISE(ABORT, '{op} on audit_auditevent refused: the audit log is append-only'); "
    "END"
    for op in ("UPDATE", "DELETE")
]


def sqlite_triggers_make(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_recent_reads_and_failed_logins_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Backwards this runs last, after the rebuilds that undo the changes below.
        migrations.RunPython(migrations.RunPython.noop, sqlite_triggers_make, elidable=False),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(max_length=64, verbose_name="hash"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("hash",), name="audit_hash_unique"),
        ),
        migrations.RunPython(sqlite_triggers_make, migrations.RunPython.noop, elidable=False),
    ]
