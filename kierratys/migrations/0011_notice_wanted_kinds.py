# Notice kinds for wanted requests (listings.wanted, issue 20).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kierratys", "0010_sign_ins"),
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
                    ("wanted_match", "Wanted request match"),
                    ("wanted_answer", "Wanted request answered"),
                ],
                max_length=40,
                verbose_name="kind",
            ),
        ),
    ]
