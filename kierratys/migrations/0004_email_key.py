"""Store every address in its one spelling (kierratys.accounts.identity.email_key); the table
that rate-limits password-reset requests.

Accounts are now found by exact match on that key instead of the database's
case-insensitive lookup. A row whose key another row already has is left as it was
(it could only have been made through a look-alike spelling) and logged.
"""

import logging
import unicodedata

import django.utils.timezone
from django.db import migrations, models

logger = logging.getLogger(__name__)


def email_key(address):  # a frozen copy of kierratys.accounts.identity.email_key
    folded = unicodedata.normalize("NFKC", address.strip())
    return unicodedata.normalize("NFKC", folded.upper().lower())


def normalise(apps, schema_editor):
    User = apps.get_model("kierratys", "User")
    taken = set(User.objects.values_list("email", flat=True))
    for user in User.objects.order_by("date_joined", "pk"):
        key = email_key(user.email)
        if key == user.email:
            continue
        if key in taken:
            logger.warning("User %s: %r collides with another account; left as is", user.pk, key)
            continue
        taken.discard(user.email)
        taken.add(key)
        User.objects.filter(pk=user.pk).update(email=key)


class Migration(migrations.Migration):
    dependencies = [("kierratys", "0003_notices")]

    operations = [
        migrations.RunPython(normalise, migrations.RunPython.noop),
        migrations.CreateModel(
            name="PasswordResetRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("address_hash", models.CharField(max_length=64)),
                ("client_hash", models.CharField(max_length=64)),
                ("requested_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["address_hash", "requested_at"], name="reset_address_idx"
                    ),
                    models.Index(fields=["client_hash", "requested_at"], name="reset_client_idx"),
                    models.Index(fields=["requested_at"], name="reset_time_idx"),
                ],
            },
        ),
    ]
