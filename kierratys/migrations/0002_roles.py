"""Create the role groups with their permissions."""

from django.db import migrations

from kierratys.migration_utils import grant_role_permissions

ROLE_PERMISSIONS = {
    "staff": [],
    "warehouse": [],
    "coordinator": [
        "kierratys.view_department",
        "kierratys.add_department",
        "kierratys.change_department",
        "kierratys.view_unit",
        "kierratys.add_unit",
        "kierratys.change_unit",
        "kierratys.view_user",
        "kierratys.change_user",
    ],
}


def create_roles(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("kierratys", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
