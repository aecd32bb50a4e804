"""Once 0007 has filled it, a warehouse's organisation is required."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0007_warehouse_organisation_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="warehouse",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="warehouses",
                to="kierratys.organisation",
                verbose_name="organisation",
            ),
        ),
    ]
