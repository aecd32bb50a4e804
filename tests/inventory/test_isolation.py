"""Warehouses belong to an organisation (issue 17): its staff work its tasks only, its
coordinators set up its warehouses only, and items are fetched and delivered by a
warehouse of the listing's organisation (or a partner's that serves partners)."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from inventory import selectors, services
from inventory.models import Task, Warehouse
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from kierratys.common.errors import NotFound, ServiceError
from kierratys.common.submissions import new_token

from ..factories import (
    ListingFactory,
    OrganisationFactory,
    StorageLocationFactory,
    TaskFactory,
    TimeSlotFactory,
    UserFactory,
    WarehouseFactory,
    next_working_day,
    other_organisation,
    reserve,
    running_partnership,
    unit_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two():
    """Turku (the default organisation) and Kunta 1, each with a warehouse."""
    turku, kunta = OrganisationFactory(), other_organisation(1)
    return {
        "turku": turku,
        "kunta": kunta,
        "turku_warehouse": WarehouseFactory(organisation=turku, name="Turun varasto"),
        "kunta_warehouse": WarehouseFactory(organisation=kunta, name="Kunnan varasto"),
    }


def test_intake_goes_to_a_warehouse_of_the_listings_organisation(two):
    listing = ListingFactory(owner_unit=unit_of(two["kunta"]))
    task = services.intake_request(actor=listing.created_by, listing_id=listing.pk)
    assert task.warehouse == two["kunta_warehouse"]


def test_without_a_warehouse_of_its_own_a_partners_that_serves_partners_fetches(two):
    lonely = other_organisation(2)
    listing = ListingFactory(owner_unit=unit_of(lonely))
    with translation.override("en"), pytest.raises(ServiceError, match="no warehouse in use"):
        services.intake_request(actor=listing.created_by, listing_id=listing.pk)
    running_partnership(lonely, two["kunta"])
    with pytest.raises(ServiceError):  # a partner's warehouse only when it serves partners
        services.intake_request(actor=listing.created_by, listing_id=listing.pk)
    Warehouse.objects.filter(pk=two["kunta_warehouse"].pk).update(serves_partners=True)
    task = services.intake_request(actor=listing.created_by, listing_id=listing.pk)
    assert task.warehouse == two["kunta_warehouse"]  # never Turku's: not a partner


def test_the_board_and_run_sheet_show_only_the_own_organisations_tasks(client, two):
    ours = TaskFactory(
        warehouse=two["turku_warehouse"], listing=ListingFactory(title="Meidän tuoli")
    )
    theirs = TaskFactory(
        warehouse=two["kunta_warehouse"],
        listing=ListingFactory(title="Heidän tuoli", owner_unit=unit_of(two["kunta"])),
    )
    staff = UserFactory(roles=[WAREHOUSE])  # Turku's
    client.force_login(staff)
    board = client.get(reverse("inventory:board")).text
    assert "Meidän tuoli" in board and "Heidän tuoli" not in board
    assert "Kunnan varasto" not in board  # nor in the warehouse filter
    sheet = client.get(reverse("inventory:run_sheet"), {"warehouse": two["kunta_warehouse"].pk})
    assert sheet.status_code == 404
    assert client.get(reverse("inventory:task", args=[theirs.pk])).status_code == 404
    assigned = client.post(reverse("inventory:task_action", args=[theirs.pk, "assign"]))
    assert assigned.status_code == 404
    assert client.get(reverse("inventory:task", args=[ours.pk])).status_code == 200
    theirs.refresh_from_db()
    assert theirs.assigned_to is None


def test_only_the_own_organisations_warehouse_staff_are_offered_for_tasks(two):
    own = UserFactory(roles=[WAREHOUSE], full_name="Oma Kuski")
    UserFactory(roles=[WAREHOUSE], unit=unit_of(two["kunta"]), full_name="Vieras Kuski")
    assert [u.full_name for u in selectors.warehouse_staff(user=own)] == ["Oma Kuski"]


def test_a_unit_that_gets_a_delivery_sees_the_task_but_cannot_work_it(client, two):
    """A partner's unit sees the delivery coming to it; working it is the warehouse's."""
    receiver = UserFactory(unit=unit_of(two["kunta"]), roles=[WAREHOUSE])
    task = TaskFactory(
        warehouse=two["turku_warehouse"], kind=Task.Kind.DELIVERY, to_unit=receiver.unit
    )
    client.force_login(receiver)
    assert client.get(reverse("inventory:task", args=[task.pk])).status_code == 200
    started = client.post(reverse("inventory:task_action", args=[task.pk, "start"]))
    assert started.status_code == 404
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_a_shelf_of_another_organisations_warehouse_is_refused_at_intake(two):
    staff = UserFactory(roles=[WAREHOUSE])
    task = TaskFactory(warehouse=two["turku_warehouse"])
    foreign = StorageLocationFactory(warehouse=two["kunta_warehouse"])
    with translation.override("en"), pytest.raises(ServiceError, match="Choose a shelf"):
        services.intake_shelve(actor=staff, task_id=task.pk, location_id=foreign.pk)
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_delivery_times_come_from_the_owners_warehouse_not_an_unrelated_one(client, two):
    TimeSlotFactory(warehouse=two["turku_warehouse"], weekday=0)
    TimeSlotFactory(warehouse=two["turku_warehouse"], weekday=2)
    for weekday in range(7):
        TimeSlotFactory(
            warehouse=two["kunta_warehouse"], weekday=weekday, start=time(11), end=time(12)
        )
    listing = ListingFactory()  # Turku's, at its unit
    options = selectors.delivery_options(listing=listing)
    assert options and {o["warehouse"] for o in options} == {"Turun varasto"}
    reservation = reserve(listing, handover="delivery")
    client.force_login(reservation.requested_by)
    page = client.get(reverse("inventory:book_delivery", args=[reservation.pk]))
    assert page.status_code == 200
    assert "Turun varasto" in page.text and "Kunnan varasto" not in page.text
    foreign = two["kunta_warehouse"].slots.first()
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() != foreign.weekday:
        day += timedelta(days=1)
    booked = client.post(
        reverse("inventory:book_delivery", args=[reservation.pk]),
        {"choice": f"{foreign.pk}:{day.isoformat()}", "submission": new_token()},
    )
    assert booked.status_code == 400
    assert not Task.objects.filter(reservation=reservation).exists()


def test_coordinators_set_up_only_their_own_warehouses(client, two):
    coordinator = UserFactory(roles=[COORDINATOR])  # Turku's
    client.force_login(coordinator)
    listed = client.get(reverse("inventory:warehouses")).text
    assert "Turun varasto" in listed and "Kunnan varasto" not in listed
    foreign = two["kunta_warehouse"]
    assert client.get(reverse("inventory:warehouse", args=[foreign.pk])).status_code == 404
    with pytest.raises(NotFound):
        services.warehouse_update(
            actor=coordinator,
            warehouse_id=foreign.pk,
            name="Vallattu",
            street_address="Katu 1",
            postal_code="20100",
            city="Turku",
        )
    with pytest.raises(NotFound):
        services.shelf_create(actor=coordinator, warehouse_id=foreign.pk, code="X-1")
    foreign.refresh_from_db()
    assert foreign.name == "Kunnan varasto" and not foreign.locations.exists()


def test_the_warehouse_form_sets_serves_partners(client, two):
    warehouse = two["turku_warehouse"]
    client.force_login(UserFactory(roles=[COORDINATOR]))
    url = reverse("inventory:warehouse_edit", args=[warehouse.pk])
    with translation.override("en"):
        form = client.get(url, HTTP_ACCEPT_LANGUAGE="en").text
    assert 'name="serves_partners"' in form and "Serves partner organisations" in form
    saved = client.post(
        url,
        {
            "name": warehouse.name,
            "street_address": "Ajurinkatu 12",
            "postal_code": "20360",
            "city": "Turku",
            "is_active": "on",
            "serves_partners": "on",
            "submission": new_token(),
        },
    )
    assert saved.status_code == 302
    warehouse.refresh_from_db()
    assert warehouse.serves_partners and warehouse.organisation == two["turku"]
    created = client.post(
        reverse("inventory:warehouse_create"),
        {
            "name": "Uusi varasto",
            "street_address": "Katu 2",
            "postal_code": "20100",
            "city": "Turku",
            "submission": new_token(),
        },
    )
    assert created.status_code == 302
    new = Warehouse.objects.get(name="Uusi varasto")
    assert new.organisation == two["turku"] and not new.serves_partners


def test_shelves_and_stock_takes_stay_within_the_organisation(client, two):
    ours = StorageLocationFactory(warehouse=two["turku_warehouse"], code="T-01")
    theirs = StorageLocationFactory(warehouse=two["kunta_warehouse"], code="K-01")
    staff = UserFactory(roles=[WAREHOUSE])
    assert list(selectors.shelves_for_listing_form(user=staff)) == [ours]
    client.force_login(staff)
    listed = client.get(reverse("inventory:locations")).text
    assert "T-01" in listed and "K-01" not in listed
    assert client.get(reverse("inventory:location", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("inventory:location", args=[theirs.pk])).status_code == 404
    assert not theirs.stocktakes.exists()


def test_a_task_is_never_scheduled_into_another_organisations_slot(two):
    staff = UserFactory(roles=[WAREHOUSE])
    task = TaskFactory(warehouse=two["turku_warehouse"])
    day = next_working_day()
    foreign = TimeSlotFactory(warehouse=two["kunta_warehouse"], weekday=day.weekday())
    with translation.override("en"), pytest.raises(ServiceError, match="not available"):
        services.task_schedule(actor=staff, task_id=task.pk, day=day, slot_id=foreign.pk)
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN and task.slot_day is None


def test_the_task_services_themselves_refuse_another_organisations_warehouse_staff(two):
    """Not only the pages: a service called with another organisation's task, shelf or
    listing finds nothing, whatever the caller's role."""
    task = TaskFactory(warehouse=two["turku_warehouse"])
    shelf = StorageLocationFactory(warehouse=two["turku_warehouse"])
    stranger = UserFactory(unit=unit_of(two["kunta"]), roles=[WAREHOUSE])
    for attempt in (
        lambda: services.task_assign(actor=stranger, task_id=task.pk),
        lambda: services.task_start(actor=stranger, task_id=task.pk),
        lambda: services.task_report_problem(actor=stranger, task_id=task.pk, problem="x"),
        lambda: services.task_cancel(actor=stranger, task_id=task.pk),
        lambda: services.intake_shelve(actor=stranger, task_id=task.pk, location_id=shelf.pk),
        lambda: services.stocktake_record(actor=stranger, location_id=shelf.pk, counts={}),
        lambda: services.disposal_request(
            actor=stranger, listing_id=task.listing_id, quantity=1, reason="broken"
        ),
    ):
        with pytest.raises(NotFound):
            attempt()
    task.refresh_from_db()
    assert (task.status, task.assigned_to_id) == (Task.Status.OPEN, None)
    own = UserFactory(unit=unit_of(two["turku"]), roles=[WAREHOUSE])
    assert services.task_assign(actor=own, task_id=task.pk).assigned_to == own


def test_a_delivery_is_booked_only_into_a_slot_of_a_warehouse_that_delivers_it(two):
    listing = ListingFactory(owner_unit=unit_of(two["turku"]))
    reservation = reserve(listing, handover="delivery")
    day = next_working_day()
    theirs = TimeSlotFactory(warehouse=two["kunta_warehouse"], weekday=day.weekday())
    with translation.override("en"), pytest.raises(ServiceError, match="not available"):
        services.delivery_book(
            actor=reservation.requested_by,
            reservation_id=reservation.pk,
            slot_id=theirs.pk,
            day=day,
        )
    assert not Task.objects.filter(reservation=reservation).exists()
    ours = TimeSlotFactory(warehouse=two["turku_warehouse"], weekday=day.weekday())
    stranger = UserFactory(unit=unit_of(two["kunta"]), roles=[WAREHOUSE])
    with pytest.raises(NotFound):  # a slot of the right warehouse, but not theirs to book
        services.delivery_book(
            actor=stranger, reservation_id=reservation.pk, slot_id=ours.pk, day=day
        )
    task = services.delivery_book(
        actor=reservation.requested_by, reservation_id=reservation.pk, slot_id=ours.pk, day=day
    )
    assert task.warehouse == two["turku_warehouse"]


def test_a_warehouse_name_is_unique_within_its_organisation_only(two):
    fields = {"street_address": "Katu 1", "postal_code": "20100", "city": "Turku"}
    kunta_coordinator = UserFactory(unit=unit_of(two["kunta"]), roles=[COORDINATOR])
    same_name = services.warehouse_create(actor=kunta_coordinator, name="Turun varasto", **fields)
    assert same_name.organisation == two["kunta"]  # Turku's name says nothing to Kunta 1
    with translation.override("en"), pytest.raises(ServiceError, match="already a warehouse"):
        services.warehouse_create(actor=kunta_coordinator, name="Turun varasto", **fields)
    assert Warehouse.objects.filter(name="Turun varasto").count() == 2


def test_a_partners_warehouse_staff_see_no_shelf_tasks_or_disposal_on_our_item(client, two):
    shelf = StorageLocationFactory(warehouse=two["turku_warehouse"], code="T-01-1")
    listing = ListingFactory(
        owner_unit=unit_of(two["turku"]), storage_location=shelf, audience="partners"
    )
    TaskFactory(warehouse=two["turku_warehouse"], listing=listing)
    running_partnership(two["turku"], two["kunta"])
    client.force_login(UserFactory(unit=unit_of(two["kunta"]), roles=[WAREHOUSE]))
    with translation.override("en"):
        page = client.get(reverse("listings:detail", args=[listing.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200  # the partner may see the item itself
    assert "T-01-1" not in page.text and "Dispose of" not in page.text
    client.force_login(UserFactory(unit=unit_of(two["turku"]), roles=[WAREHOUSE]))
    page = client.get(reverse("listings:detail", args=[listing.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "T-01-1" in page.text and "Dispose of" in page.text
