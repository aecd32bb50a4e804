# The access log and the record of anonymisations (issue 23).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("kierratys", "0009_notice_kinds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Anonymisation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="anonymised"
                    ),
                ),
                (
                    "by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="anonymised by",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="anonymisation",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="person",
                    ),
                ),
            ],
            options={
                "verbose_name": "anonymisation",
                "verbose_name_plural": "anonymisations",
                "ordering": ["-at"],
            },
        ),
        migrations.CreateModel(
            name="PersonalDataAccess",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "subject_description",
                    models.CharField(blank=True, max_length=200, verbose_name="details shown"),
                ),
                (
                    "what",
                    models.CharField(
                        choices=[
                            ("reservation_contact", "Reservation contact"),
                            ("pickup_slip", "Pickup slip"),
                            ("task_contact", "Warehouse task contact"),
                            ("run_sheet", "Run sheet"),
                            ("export", "Personal data export"),
                        ],
                        max_length=30,
                        verbose_name="where",
                    ),
                ),
                ("ref", models.CharField(blank=True, max_length=100, verbose_name="object")),
                (
                    "at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="time"),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="kierratys.organisation",
                        verbose_name="viewer's organisation",
                    ),
                ),
                (
                    "subject",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="whose data",
                    ),
                ),
                (
                    "subject_organisation",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="kierratys.organisation",
                        verbose_name="subject's organisation",
                    ),
                ),
                (
                    "viewer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="viewed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "personal data access",
                "verbose_name_plural": "personal data accesses",
                "ordering": ["-at", "-pk"],
                "indexes": [
                    models.Index(fields=["organisation", "-at"], name="pda_org_time_idx"),
                    models.Index(
                        fields=["subject_organisation", "-at"], name="pda_subject_org_time_idx"
                    ),
                    models.Index(fields=["subject", "-at"], name="pda_subject_time_idx"),
                    models.Index(fields=["at"], name="pda_time_idx"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("subject__isnull", False),
                            models.Q(("subject_description", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="personaldataaccess_has_subject",
                    )
                ],
            },
        ),
    ]
