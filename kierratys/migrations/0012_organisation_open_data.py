# Open impact data (issue 19): an organisation's coordinator publishes its monthly figures.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kierratys", "0011_notice_wanted_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="open_data_since",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="impact published as open data since"
            ),
        ),
    ]
