"""An installation from before audiences: its listings keep being seen by the whole
organisation they already were, and its warehouses become that organisation's."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_listings_and_warehouses_belong_to_their_organisation():
    before = [
        ("listings", "0009_quantity_disposed"),
        ("inventory", "0005_task_done_at_completed_by"),
        ("kierratys", "0007_organisations"),
    ]
    old = _migrate(before)
    organisation = old.get_model("kierratys", "Organisation").objects.create(
        name="Turku", slug="turku-old", kind="municipality", business_id="0204819-8"
    )
    department = old.get_model("kierratys", "Department").objects.create(
        name="Kasvatus", code="KASVO", organisation=organisation
    )
    unit = old.get_model("kierratys", "Unit").objects.create(
        department=department,
        name="Koulu",
        street_address="Katu 1",
        postal_code="20100",
        city="Turku",
    )
    user = old.get_model("kierratys", "User").objects.create(email="a@b.example", unit=unit)
    category = old.get_model("listings", "Category").objects.create(
        slug="old-chairs", name_fi="Tuolit", name_sv="Stolar", name_en="Chairs"
    )
    listings = old.get_model("listings", "Listing").objects
    common = {"category": category, "condition": "good", "owner_unit": unit, "created_by": user}
    published = listings.create(
        title="Tuoli", status="published", published_at=timezone.now(), **common
    )
    draft = listings.create(title="Luonnos", **common)
    old.get_model("inventory", "Warehouse").objects.create(
        name="Varasto", street_address="Katu 2", postal_code="20100", city="Turku"
    )

    new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    Listing = new.get_model("listings", "Listing")
    published, draft = Listing.objects.get(pk=published.pk), Listing.objects.get(pk=draft.pk)
    assert (published.organisation_id, published.department_id) == (organisation.pk, department.pk)
    assert published.audience == "organisation" and published.audience_widens_at > timezone.now()
    assert draft.audience == "department" and draft.organisation_id == organisation.pk
    warehouse = new.get_model("inventory", "Warehouse").objects.get(name="Varasto")
    assert warehouse.organisation_id == organisation.pk
