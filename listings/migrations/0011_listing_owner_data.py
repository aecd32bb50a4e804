"""Every listing so far belongs to its owner unit's organisation and department. Its own
migration (transaction): PostgreSQL creates no index on a table with the updates' checks
still pending."""

from django.db import migrations


def copy_owner_and_open_to_organisation(apps, schema_editor):
    """Every listing so far was seen by its whole (single) organisation: it stays so, and
    widens on the organisation's timer from now on."""
    from datetime import timedelta

    from django.db.models import OuterRef, Subquery
    from django.utils import timezone

    Listing = apps.get_model("listings", "Listing")
    Unit = apps.get_model("kierratys", "Unit")
    Organisation = apps.get_model("kierratys", "Organisation")
    units = Unit.objects.filter(pk=OuterRef("owner_unit_id"))
    Listing.objects.update(
        department_id=Subquery(units.values("department_id")[:1]),
        organisation_id=Subquery(units.values("department__organisation_id")[:1]),
    )
    now = timezone.now()
    for organisation in Organisation.objects.all():
        Listing.objects.filter(organisation=organisation).exclude(status="draft").update(
            audience="organisation",
            audience_widens_at=now + timedelta(days=organisation.organisation_days),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0010_audience"),
    ]

    operations = [
        migrations.RunPython(copy_owner_and_open_to_organisation, migrations.RunPython.noop),
    ]
