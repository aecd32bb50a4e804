from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kierratys", "0008_partnerships"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notice",
            name="kind",
            field=models.CharField(
                choices=[
                    ("search_match", "Saved search match"),
                    ("partnership", "Partnership"),
                    ("audience_ended", "Last audience stage ended"),
                ],
                max_length=40,
                verbose_name="kind",
            ),
        ),
    ]
