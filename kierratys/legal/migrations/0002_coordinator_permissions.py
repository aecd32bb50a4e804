"""Coordinators edit their organisation's statement and notice in the admin."""

from django.db import migrations

from kierratys.migration_utils import grant_role_permissions

ROLE_PERMISSIONS = {
    "coordinator": [
        "legal.view_accessibilitystatement",
        "legal.add_accessibilitystatement",
        "legal.change_accessibilitystatement",
        "legal.view_privacynotice",
        "legal.add_privacynotice",
        "legal.change_privacynotice",
    ],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("legal", "0001_initial"),
        ("kierratys", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
