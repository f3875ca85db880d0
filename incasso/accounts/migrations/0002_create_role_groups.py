"""Create one group per role. The names are spelled out here, not imported, so this migration never changes."""

from django.db import migrations

ROLE_GROUPS = [
    "collector",
    "legal_officer",
    "privacy_officer",
    "finance",
    "administrator",
    "auditor",
    "client_user",
]


def create_role_groups(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    existing = set(group_model.objects.filter(name__in=ROLE_GROUPS).values_list("name", flat=True))
    group_model.objects.bulk_create([group_model(name=name) for name in ROLE_GROUPS if name not in existing])


def delete_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_role_groups, delete_role_groups)]
