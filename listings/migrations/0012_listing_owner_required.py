"""Once 0011 has filled them, the owner's organisation and department are required."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0011_listing_owner_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="listing",
            name="department",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="kierratys.department",
                verbose_name="department",
            ),
        ),
        migrations.AlterField(
            model_name="listing",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="listings",
                to="kierratys.organisation",
                verbose_name="organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                condition=models.Q(("quantity_available__gt", 0), ("status", "published")),
                fields=["organisation", "-published_at"],
                name="listing_org_catalogue_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                condition=models.Q(("audience_widens_at__isnull", False)),
                fields=["audience_widens_at"],
                name="listing_widens_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="listing",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("audience__in", ["department", "organisation", "partners", "ended"])
                ),
                name="listing_audience_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="listing",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("audience", "ended"), _negated=True),
                    ("audience_widens_at__isnull", True),
                    _connector="OR",
                ),
                name="listing_ended_widens_no_more",
            ),
        ),
    ]
