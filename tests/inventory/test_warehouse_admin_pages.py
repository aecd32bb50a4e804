"""Coordinators set up warehouses, delivery slots and shelves on their own pages, no superuser
needed (issue 15, item 17). Bad input is a 400 with the message and nothing written; a slot
taken out of use is offered for no new booking, and what was booked in it is kept."""

from datetime import time
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import translation

from inventory import selectors, services
from inventory.models import SlotDay, StorageLocation, Task, TimeSlot, Warehouse
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from kierratys.common.errors import ServiceError
from kierratys.common.submissions import new_token
from reservations.models import Reservation

from ..conftest import needs_postgres
from ..factories import (
    ListingFactory,
    StorageLocationFactory,
    TimeSlotFactory,
    UserFactory,
    WarehouseFactory,
    book_delivery,
    next_working_day,
    reserve,
)
from ..support.threads import race

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def coordinator_client(client):
    client.force_login(UserFactory(roles=[COORDINATOR]))
    return client


def post(client, url, data):
    return client.post(url, {**data, "submission": new_token()}, **EN)


def slot_data(**changes):
    data = {
        "weekday": "0",
        "start": "07:15",
        "end": "08:45",
        "delivery_capacity": "4",
        "pickup_capacity": "2",
    }
    return {**data, **changes}


def warehouse_data(**changes):
    data = {
        "name": "Pansion varasto",
        "street_address": "Pansiontie 40",
        "postal_code": "20240",
        "city": "Turku",
        "opening_hours": "ma–pe 7–15",
        "phone": "02 262 1234",
    }
    return {**data, **changes}


def slot_url(name, slot, *rest):
    return reverse(f"inventory:{name}", args=[slot.warehouse_id, slot.pk, *rest])


def errors_of(response) -> list[str]:
    return [str(e) for errors in response.context["form"].errors.values() for e in errors]


# --- warehouses -------------------------------------------------------------------------------


def test_a_coordinator_adds_a_warehouse_from_their_tools(coordinator_client):
    tools = coordinator_client.get(reverse("organisation_hub"), **EN)
    assert reverse("inventory:warehouses") in tools.text  # the "Organisation" page

    response = post(coordinator_client, reverse("inventory:warehouse_create"), warehouse_data())

    warehouse = Warehouse.objects.get(name="Pansion varasto")
    assert response.status_code == 302
    assert response.url == reverse("inventory:warehouse", args=[warehouse.pk])
    assert (warehouse.opening_hours, warehouse.phone, warehouse.is_active) == (
        "ma–pe 7–15",
        "02 262 1234",
        True,
    )
    page = coordinator_client.get(response.url, **EN)
    assert "Warehouse added." in page.text
    assert "ma–pe 7–15" in page.text and "Pansiontie 40, 20240 Turku" in page.text
    listed = coordinator_client.get(reverse("inventory:warehouses"), **EN)
    assert "Pansion varasto" in listed.text


def test_a_coordinator_edits_a_warehouse_and_takes_it_out_of_use(coordinator_client):
    warehouse = WarehouseFactory(opening_hours="")
    url = reverse("inventory:warehouse_edit", args=[warehouse.pk])
    assert coordinator_client.get(url, **EN).status_code == 200

    response = post(coordinator_client, url, warehouse_data(opening_hours="ma–to 8–14"))

    assert response.status_code == 302
    warehouse.refresh_from_db()
    # The box was not ticked: the warehouse is out of use, so it takes no new bookings.
    assert (warehouse.name, warehouse.opening_hours, warehouse.is_active) == (
        "Pansion varasto",
        "ma–to 8–14",
        False,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"postal_code": "2024"}, "Enter a postal code of five digits, for example 20360."),
        ({"name": "varasto 1"}, "There is already a warehouse with this name."),
        ({"name": "   "}, "This field is required."),
        ({"phone": "call me"}, "Enter a phone number"),
    ],
)
def test_bad_warehouse_details_are_refused_and_nothing_is_written(
    coordinator_client, changes, message
):
    WarehouseFactory(name="Varasto 1")
    before = list(Warehouse.objects.values_list("pk", "name"))

    response = post(
        coordinator_client, reverse("inventory:warehouse_create"), warehouse_data(**changes)
    )

    assert response.status_code == 400
    assert any(error.startswith(message) for error in errors_of(response))
    assert list(Warehouse.objects.values_list("pk", "name")) == before


# --- delivery slots ---------------------------------------------------------------------------


def test_an_added_slot_is_offered_in_the_delivery_picker(coordinator_client):
    warehouse = WarehouseFactory()
    day = next_working_day()

    response = post(
        coordinator_client,
        reverse("inventory:slot_create", args=[warehouse.pk]),
        slot_data(weekday=str(day.weekday())),
    )

    assert response.status_code == 302
    slot = TimeSlot.objects.get(warehouse=warehouse)
    assert (slot.start, slot.end, slot.delivery_capacity, slot.pickup_capacity) == (
        time(7, 15),
        time(8, 45),
        4,
        2,
    )
    settings_page = coordinator_client.get(reverse("inventory:warehouse", args=[warehouse.pk]))
    assert "07:15–08:45" in settings_page.text

    reserver = UserFactory()
    reservation = reserve(ListingFactory(), user=reserver, handover=Reservation.Handover.DELIVERY)
    client = Client()  # the reserving unit, beside the coordinator
    client.force_login(reserver)
    picker = client.get(reverse("inventory:book_delivery", args=[reservation.pk]), **EN)
    assert f'value="{slot.pk}:{day.isoformat()}"' in picker.text
    assert "07:15" in picker.text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end": "07:00"}, "end", "The slot must end after it starts."),
        ({"end": "07:15"}, "end", "The slot must end after it starts."),
        ({"delivery_capacity": "0"}, "delivery_capacity", "Enter a whole number from 1 to 999."),
        ({"pickup_capacity": "1000"}, "pickup_capacity", "Enter a whole number from 1 to 999."),
        ({"start": "25:00"}, "start", "Enter a valid time."),
        ({"weekday": "9"}, "weekday", "Select a valid choice."),
        (
            {"start": "09:00", "end": "11:00"},
            "start",
            "This time overlaps the slot 08:00–10:00 on the same day.",
        ),
    ],
)
def test_bad_slots_are_refused_with_a_message_and_nothing_is_written(
    coordinator_client, changes, field, message
):
    existing = TimeSlotFactory(weekday=0, start=time(8), end=time(10))
    url = reverse("inventory:slot_create", args=[existing.warehouse_id])

    response = post(coordinator_client, url, slot_data(**changes))

    assert response.status_code == 400
    assert any(str(e).startswith(message) for e in response.context["form"].errors[field])
    assert message in response.text
    assert list(TimeSlot.objects.values_list("pk", flat=True)) == [existing.pk]


def test_slots_may_meet_end_to_start_and_another_day_is_free(coordinator_client):
    existing = TimeSlotFactory(weekday=0, start=time(8), end=time(10))
    url = reverse("inventory:slot_create", args=[existing.warehouse_id])

    after = post(coordinator_client, url, slot_data(start="10:00", end="12:00"))
    other_day = post(coordinator_client, url, slot_data(weekday="1", start="09:00", end="11:00"))

    assert (after.status_code, other_day.status_code) == (302, 302)
    assert TimeSlot.objects.filter(warehouse_id=existing.warehouse_id).count() == 3


def test_a_double_click_adds_the_slot_once(coordinator_client):
    warehouse = WarehouseFactory()
    url = reverse("inventory:slot_create", args=[warehouse.pk])
    data = {**slot_data(), "submission": new_token()}

    first = coordinator_client.post(url, data, **EN)
    second = coordinator_client.post(url, data, **EN)

    assert (first.status_code, second.status_code) == (302, 302)
    assert TimeSlot.objects.filter(warehouse=warehouse).count() == 1


def booked_slot():
    """A slot on the next working day with one delivery booked in it."""
    day = next_working_day()
    slot = TimeSlotFactory(weekday=day.weekday(), delivery_capacity=2)
    reservation = reserve(ListingFactory(), handover=Reservation.Handover.DELIVERY)
    task = book_delivery(reservation, [slot], day)
    return slot, day, task


def test_a_slot_taken_out_of_use_is_not_offered_but_its_booked_delivery_is_kept(
    coordinator_client,
):
    slot, day, task = booked_slot()

    response = coordinator_client.post(slot_url("slot_switch", slot, "deactivate"), **EN)

    assert response.status_code == 302
    page = coordinator_client.get(response.url, **EN)
    assert "The 1 delivery already booked in it is kept." in page.text
    slot.refresh_from_db()
    task.refresh_from_db()
    assert slot.is_active is False
    assert (task.status, task.slot_day.slot_id, task.date) == (Task.Status.SCHEDULED, slot.pk, day)
    assert SlotDay.objects.get(slot=slot, date=day).deliveries_booked == 1
    assert not [free for free in selectors.free_slots() if free["slot"].pk == slot.pk]

    reserver = UserFactory()
    other = reserve(ListingFactory(), user=reserver, handover=Reservation.Handover.DELIVERY)
    client = Client()  # the reserving unit, beside the coordinator
    client.force_login(reserver)
    picker = client.get(reverse("inventory:book_delivery", args=[other.pk]), **EN)
    assert f'value="{slot.pk}:' not in picker.text
    with pytest.raises(ServiceError, match="This time slot is not available."):
        book_delivery(other, [slot], day)

    again = coordinator_client.post(slot_url("slot_switch", slot, "activate"), **EN)
    assert again.status_code == 302
    slot.refresh_from_db()
    assert slot.is_active is True


def test_a_booked_slot_keeps_its_time_but_its_capacity_may_change(coordinator_client):
    slot, day, task = booked_slot()
    url = slot_url("slot_edit", slot)
    same_time = {"weekday": str(slot.weekday), "start": "08:00", "end": "10:00"}

    moved = post(coordinator_client, url, slot_data(**{**same_time, "start": "08:30"}))

    assert moved.status_code == 400
    assert "Deliveries are booked in this slot" in moved.text
    slot.refresh_from_db()
    assert slot.start == time(8)

    bigger = post(coordinator_client, url, slot_data(**same_time, delivery_capacity="5"))

    assert bigger.status_code == 302
    slot.refresh_from_db()
    # The day already counted takes the new capacity too.
    assert slot.delivery_capacity == SlotDay.objects.get(slot=slot, date=day).delivery_capacity == 5


def test_reactivating_a_slot_that_an_active_one_now_overlaps_is_refused(coordinator_client):
    old = TimeSlotFactory(weekday=0, start=time(8), end=time(10), is_active=False)
    TimeSlotFactory(warehouse=old.warehouse, weekday=0, start=time(9), end=time(11))

    response = coordinator_client.post(slot_url("slot_switch", old, "activate"), **EN)

    page = coordinator_client.get(response.url, **EN)
    assert "This slot overlaps the slot 09:00–11:00, which is in use on the same day." in page.text
    old.refresh_from_db()
    assert old.is_active is False


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_coordinators_adding_overlapping_slots_at_once_get_one_slot():
    warehouse = WarehouseFactory()
    coordinators = [UserFactory(roles=[COORDINATOR]) for _ in range(2)]
    calls = [
        partial(
            services.slot_create,
            actor=coordinators[n % 2],
            warehouse_id=warehouse.pk,
            weekday=2,
            start=time(8, 10 * n),
            end=time(9, 10 * n),
            delivery_capacity=2,
            pickup_capacity=2,
        )
        for n in range(6)  # every one overlaps every other
    ]

    def in_english(call):
        def run():
            with translation.override("en"):  # each thread starts in the default language
                return call()

        return run

    created, errors = race([in_english(call) for call in calls])

    assert len(created) == 1 and len(errors) == 5
    assert all("overlaps" in str(e.error_dict["start"][0].message) for e in errors)
    assert TimeSlot.objects.filter(warehouse=warehouse).count() == 1


# --- shelves ----------------------------------------------------------------------------------


def test_a_coordinator_adds_renames_and_retires_a_shelf(coordinator_client):
    warehouse = WarehouseFactory()
    StorageLocationFactory(warehouse=warehouse, code="A-01-1")

    added = post(
        coordinator_client,
        reverse("inventory:shelf_create", args=[warehouse.pk]),
        {"code": "B-02-1", "description": "Tuolit"},
    )
    shelf = StorageLocation.objects.get(warehouse=warehouse, code="B-02-1")
    duplicate = post(
        coordinator_client,
        reverse("inventory:shelf_create", args=[warehouse.pk]),
        {"code": "a-01-1"},
    )
    renamed = post(
        coordinator_client,
        reverse("inventory:shelf_edit", args=[warehouse.pk, shelf.pk]),
        {"code": "B-03-1", "description": "Tuolit ja pöydät"},
    )
    retired = coordinator_client.post(
        reverse("inventory:shelf_switch", args=[warehouse.pk, shelf.pk, "deactivate"])
    )

    assert (added.status_code, duplicate.status_code, renamed.status_code) == (302, 400, 302)
    assert "This warehouse already has a shelf a-01-1." in duplicate.text
    assert retired.status_code == 302
    shelf.refresh_from_db()
    assert (shelf.code, shelf.description, shelf.is_active) == (
        "B-03-1",
        "Tuolit ja pöydät",
        False,
    )
    assert StorageLocation.objects.filter(warehouse=warehouse).count() == 2
    # Nothing new is put on a shelf out of use.
    staff = UserFactory(roles=[WAREHOUSE])
    in_use = StorageLocation.objects.get(warehouse=warehouse, code="A-01-1")
    assert in_use in selectors.shelves_for_listing_form(user=staff)
    assert shelf not in selectors.shelves_for_listing_form(user=staff)
    assert shelf not in selectors.locations(user=staff)


def test_a_shelf_with_items_on_it_stays_in_use(coordinator_client):
    shelf = StorageLocationFactory()
    ListingFactory(storage_location=shelf)

    response = coordinator_client.post(
        reverse("inventory:shelf_switch", args=[shelf.warehouse_id, shelf.pk, "deactivate"]),
        **EN,
    )

    page = coordinator_client.get(response.url, **EN)
    assert "Items are still on this shelf. Move them to another shelf first." in page.text
    shelf.refresh_from_db()
    assert shelf.is_active is True


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("roles", [[], [WAREHOUSE]])
def test_anyone_but_a_coordinator_is_refused_and_nothing_is_written(client, roles):
    slot = TimeSlotFactory()
    user = UserFactory(roles=roles)
    client.force_login(user)

    pages = [
        client.get(reverse("inventory:warehouses"), **EN),
        client.get(reverse("inventory:warehouse", args=[slot.warehouse_id]), **EN),
        post(client, reverse("inventory:warehouse_create"), warehouse_data()),
        post(client, reverse("inventory:slot_create", args=[slot.warehouse_id]), slot_data()),
        client.post(slot_url("slot_switch", slot, "deactivate")),
    ]

    assert [page.status_code for page in pages] == [403] * 5
    assert Warehouse.objects.count() == 1 and TimeSlot.objects.get().is_active
    home = client.get(reverse("listings:catalogue"), **EN)
    assert reverse("inventory:warehouses") not in home.text
    with pytest.raises(PermissionDenied):
        services.slot_create(
            actor=user,
            warehouse_id=slot.warehouse_id,
            weekday=1,
            start=time(8),
            end=time(9),
            delivery_capacity=1,
            pickup_capacity=1,
        )


def test_another_warehouses_slot_or_shelf_is_not_found(coordinator_client):
    slot = TimeSlotFactory()
    shelf = StorageLocationFactory()
    other = WarehouseFactory()

    assert (
        coordinator_client.get(reverse("inventory:slot_edit", args=[other.pk, slot.pk])).status_code
        == 404
    )
    assert (
        coordinator_client.get(
            reverse("inventory:shelf_edit", args=[other.pk, shelf.pk])
        ).status_code
        == 404
    )
    assert coordinator_client.get(reverse("inventory:warehouse", args=[999999])).status_code == 404
