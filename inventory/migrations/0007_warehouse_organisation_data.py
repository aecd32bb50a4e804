"""Until now there was one organisation: its warehouses are its own (a migration of its
own, so that PostgreSQL alters no table with the update's checks pending)."""

from django.db import migrations


def belong_to_the_first_organisation(apps, schema_editor):
    """Until now there was one organisation: its warehouses are its own."""
    Organisation = apps.get_model("kierratys", "Organisation")
    Warehouse = apps.get_model("inventory", "Warehouse")
    first = Organisation.objects.order_by("pk").first()
    if first is not None:
        Warehouse.objects.update(organisation=first)
    elif Warehouse.objects.exists():
        first = Organisation.objects.create(
            name="Organisation", slug="organisation", kind="municipality", business_id="0204819-8"
        )
        Warehouse.objects.update(organisation=first)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0006_warehouse_organisation"),
    ]

    operations = [
        migrations.RunPython(belong_to_the_first_organisation, migrations.RunPython.noop),
    ]
