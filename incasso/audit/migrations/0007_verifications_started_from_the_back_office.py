"""Verifications of the audit chain started from the back office: who started one, when, how far it got, what it
found (the page shows the last ones)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0006_actor_index_of_users_only'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditVerification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField(verbose_name='started at')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                ('outcome', models.CharField(choices=[('running', 'Running'), ('whole', 'Whole'), ('broken', 'Broken'), ('failed', 'Stopped without a verdict')], default='running', max_length=10, verbose_name='outcome')),
                ('entries', models.PositiveBigIntegerField(default=0, verbose_name='entries verified')),
                ('last_sequence', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='verified up to entry')),
                ('last_hash', models.CharField(blank=True, max_length=64, verbose_name='hash of that entry')),
                ('broken_sequence', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='first broken entry')),
                ('broken_reason', models.CharField(blank=True, max_length=30, verbose_name='why it is broken')),
                ('broken_detail', models.CharField(blank=True, max_length=200, verbose_name='detail')),
                ('started_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'audit chain verification',
                'verbose_name_plural': 'audit chain verifications',
                'ordering': ['-started_at', '-pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('outcome__in', ['running', 'whole', 'broken', 'failed'])), name='audit_verification_outcome_valid')],
            },
        ),
    ]
