"""Transfers between warehouses of one organisation (issue 21, item 3): asked for from the
listing's page, worked on the task board like other tasks, started by scanning the label,
finished on a shelf of the other warehouse; counted as in transit by stock-takes."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from inventory import services
from inventory.models import StockTakeLine, Task
from kierratys import live
from kierratys.accounts.roles import WAREHOUSE
from kierratys.common.errors import NotFound
from kierratys.common.submissions import new_token
from listings.models import ListingEvent

from ..factories import (
    ListingFactory,
    StorageLocationFactory,
    TimeSlotFactory,
    UserFactory,
    WarehouseFactory,
    member_of,
    next_working_day,
    other_organisation,
    reserve,
)
from ..support.live import capture_published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    """The messages are asserted in English, pages and services alike."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    north = WarehouseFactory(name="Pohjoinen varasto", street_address="Pohjoiskatu 1")
    south = WarehouseFactory(name="Eteläinen varasto", street_address="Eteläkatu 9")
    shelf_a = StorageLocationFactory(warehouse=north, code="A-01-1")
    shelf_b = StorageLocationFactory(warehouse=south, code="B-07-2")
    driver = UserFactory(roles=[WAREHOUSE])
    chairs = ListingFactory(title="Pinottava tuoli", quantity=6, storage_location=shelf_a)
    return {
        "north": north,
        "south": south,
        "shelf_a": shelf_a,
        "shelf_b": shelf_b,
        "driver": driver,
        "chairs": chairs,
    }


def request(world, **kwargs):
    return services.transfer_request(
        actor=kwargs.get("actor", world["driver"]),
        listing_id=kwargs.get("listing", world["chairs"]).pk,
        to_warehouse_id=kwargs.get("to", world["south"]).pk,
    )


def started(world):
    task = request(world)
    day = next_working_day()
    services.task_schedule(actor=world["driver"], task_id=task.pk, day=day)
    services.task_start(actor=world["driver"], task_id=task.pk, scanned_code=world["chairs"].code)
    task.refresh_from_db()
    return task


def post_transfer(client, listing, to):
    return client.post(
        reverse("inventory:transfer", args=[listing.pk]),
        {"to_warehouse": to.pk, "submission": new_token()},
        follow=True,
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- the whole move ---------------------------------------------------------------------------


def test_staff_move_the_chairs_from_the_listing_page_to_the_other_warehouse(client, world):
    chairs, driver = world["chairs"], world["driver"]
    client.force_login(driver)
    page = client.get(chairs.get_absolute_url()).content.decode()
    assert "Move to another warehouse" in page and "Eteläinen varasto" in page
    assert f'<option value="{world["north"].pk}">' not in page

    response = post_transfer(client, chairs, world["south"])
    task = Task.objects.get(kind=Task.Kind.TRANSFER)
    assert response.redirect_chain[-1][0] == task.get_absolute_url()
    assert "Transfer task created. It is on the task board of both warehouses." in messages_of(
        response
    )
    assert (task.status, task.quantity, task.warehouse, task.to_warehouse) == (
        Task.Status.OPEN,
        6,
        world["north"],
        world["south"],
    )
    assert task.from_location == world["shelf_a"]
    page = response.content.decode()
    assert "Pohjoinen varasto A-01-1" in page and "Eteläinen varasto, Eteläkatu 9" in page

    # On the board of either warehouse, with its route.
    for warehouse in (world["north"], world["south"]):
        board = client.get(reverse("inventory:board"), {"warehouse": warehouse.pk}).content
        assert f'data-task-id="{task.pk}"' in board.decode()
        assert "Pohjoinen varasto A-01-1 → Eteläinen varasto" in board.decode()

    day = next_working_day()
    client.post(reverse("inventory:task_action", args=[task.pk, "schedule"]), {"date": day})
    wrong = client.post(
        reverse("inventory:task_action", args=[task.pk, "start"]),
        {"scanned_code": "K-999999"},
        follow=True,
    )
    task.refresh_from_db()
    assert task.status == Task.Status.SCHEDULED and messages_of(wrong) != ["Task updated."]
    client.post(
        reverse("inventory:task_action", args=[task.pk, "start"]), {"scanned_code": chairs.code}
    )
    task.refresh_from_db()
    assert task.status == Task.Status.IN_PROGRESS and task.assigned_to == driver
    assert (
        "On its way to Eteläinen varasto: stored there on arrival."
        in client.get(chairs.get_absolute_url()).content.decode()
    )

    # The shelve step offers the shelves of the warehouse it goes to, and only those.
    page = client.get(task.get_absolute_url()).content.decode()
    assert "Eteläinen varasto B-07-2" in page
    assert f'value="{world["shelf_a"].pk}"' not in page
    client.post(
        reverse("inventory:task_action", args=[task.pk, "shelve"]),
        {"location": world["shelf_b"].pk},
    )
    task.refresh_from_db()
    chairs.refresh_from_db()
    assert task.status == Task.Status.DONE and task.completed_by == driver
    assert chairs.storage_location == world["shelf_b"]
    assert chairs.quantity_available == 6

    event = chairs.events.get(kind="transferred")
    assert event.changes["location"] == ["Pohjoinen varasto A-01-1", "Eteläinen varasto B-07-2"]
    history = client.get(chairs.get_absolute_url()).content.decode()
    assert "Moved to another warehouse" in history
    assert "In Eteläinen varasto, shelf B-07-2." in history


def test_a_transfer_ends_on_a_shelf_of_the_warehouse_it_goes_to(world):
    task = started(world)
    other_a = StorageLocationFactory(warehouse=world["north"], code="A-02-1")
    with pytest.raises(ValidationError) as refused:
        services.intake_shelve(actor=world["driver"], task_id=task.pk, location_id=other_a.pk)
    assert refused.value.message_dict["location"] == [
        "Choose a shelf in Eteläinen varasto, where this transfer goes."
    ]
    task.refresh_from_db()
    world["chairs"].refresh_from_db()
    assert task.status == Task.Status.IN_PROGRESS
    assert world["chairs"].storage_location == world["shelf_a"]


def test_an_item_on_its_way_is_delivered_from_the_warehouse_it_is_going_to(world):
    from reservations.models import Reservation

    task = started(world)
    day = next_working_day(after_days=2)
    north_slot = TimeSlotFactory(warehouse=world["north"], weekday=day.weekday())
    south_slot = TimeSlotFactory(warehouse=world["south"], weekday=day.weekday())
    reservation = reserve(world["chairs"], quantity=2, handover=Reservation.Handover.DELIVERY)
    with pytest.raises(ValidationError) as refused:
        services.delivery_book(
            actor=reservation.requested_by,
            reservation_id=reservation.pk,
            slot_id=north_slot.pk,
            day=day,
        )
    assert refused.value.message_dict["slot"] == ["This time slot is not available."]
    delivery = services.delivery_book(
        actor=reservation.requested_by,
        reservation_id=reservation.pk,
        slot_id=south_slot.pk,
        day=day,
    )
    assert delivery.warehouse == world["south"]
    assert task.status == Task.Status.IN_PROGRESS


# --- the rules --------------------------------------------------------------------------------


def test_one_open_transfer_per_listing_and_another_after_a_cancel(world):
    first = request(world)
    with pytest.raises(ValidationError) as refused:
        request(world)
    assert refused.value.messages == ["This item is already being moved to another warehouse."]
    services.task_cancel(actor=world["driver"], task_id=first.pk)
    assert request(world).status == Task.Status.OPEN


def test_the_database_holds_one_open_transfer_and_its_route(world):
    request(world)
    base = {
        "kind": Task.Kind.TRANSFER,
        "warehouse": world["north"],
        "listing": world["chairs"],
        "quantity": 1,
        "created_by": world["driver"],
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(**base, from_location=world["shelf_a"], to_warehouse=world["south"])
    other = ListingFactory(storage_location=world["shelf_a"])
    for route in (
        {"from_location": world["shelf_a"]},  # going nowhere
        {"to_warehouse": world["south"]},  # from nowhere
        {"from_location": world["shelf_a"], "to_warehouse": world["north"]},  # to itself
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Task.objects.create(**{**base, "listing": other}, **route)


def test_reserved_items_stay_where_they_are_collected(world):
    chairs = world["chairs"]
    reserve(chairs, quantity=2)
    with pytest.raises(ValidationError) as refused:
        request(world)
    assert refused.value.messages == [
        "2 of this item are reserved and are collected at Pohjoinen varasto or delivered "
        "from there. Move it once they have been handed over."
    ]
    assert not Task.objects.filter(kind=Task.Kind.TRANSFER).exists()


def test_a_reservation_made_before_loading_stops_the_start(world):
    task = request(world)
    services.task_schedule(actor=world["driver"], task_id=task.pk, day=next_working_day())
    reserve(world["chairs"], quantity=1)
    with pytest.raises(ValidationError) as refused:
        services.task_start(
            actor=world["driver"], task_id=task.pk, scanned_code=world["chairs"].code
        )
    assert refused.value.messages == [
        "1 of this item is reserved and is collected at Pohjoinen varasto or delivered "
        "from there. Move it once it has been handed over."
    ]
    task.refresh_from_db()
    assert task.status == Task.Status.SCHEDULED


def test_what_cannot_be_moved_is_refused_with_its_reason(world):
    driver = world["driver"]
    at_unit = ListingFactory()
    with pytest.raises(ValidationError) as refused:
        request(world, listing=at_unit)
    assert refused.value.messages == ["Only an item stored in a warehouse can be moved."]
    with pytest.raises(ValidationError) as refused:
        request(world, to=world["north"])
    assert refused.value.message_dict["to_warehouse"] == [
        "The item is already in Pohjoinen varasto."
    ]
    empty = WarehouseFactory(name="Tyhjä varasto")
    with pytest.raises(ValidationError) as refused:
        request(world, to=empty)
    assert refused.value.message_dict["to_warehouse"] == [
        "Tyhjä varasto has no shelf in use to take it."
    ]
    services.disposal_request(
        actor=driver, listing_id=world["chairs"].pk, quantity=1, reason="broken"
    )
    with pytest.raises(ValidationError) as refused:
        request(world)
    assert refused.value.messages == [
        "This item has an open disposal task. Finish or cancel it first."
    ]
    assert not Task.objects.filter(kind=Task.Kind.TRANSFER).exists()


def test_a_refusal_on_the_page_is_a_message_and_nothing_changes(client, world):
    reserve(world["chairs"], quantity=1)
    client.force_login(world["driver"])
    response = post_transfer(client, world["chairs"], world["south"])
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == world["chairs"].get_absolute_url()
    assert any("1 of this item is reserved" in m for m in messages_of(response))
    assert not Task.objects.filter(kind=Task.Kind.TRANSFER).exists()


# --- who may -------------------------------------------------------------------------------


def test_another_organisations_warehouse_or_item_is_not_found(client, world):
    espoo = other_organisation()
    theirs = WarehouseFactory(organisation=espoo, name="Espoon varasto")
    StorageLocationFactory(warehouse=theirs)
    client.force_login(world["driver"])
    # Our item to their warehouse: as if it did not exist.
    assert post_transfer(client, world["chairs"], theirs).status_code == 404
    with pytest.raises(NotFound):
        request(world, to=theirs)
    # Their staff: our item is not found, even to our own other warehouse.
    their_driver = member_of(espoo, roles=[WAREHOUSE])
    client.force_login(their_driver)
    assert post_transfer(client, world["chairs"], world["south"]).status_code == 404
    with pytest.raises(NotFound):
        request(world, actor=their_driver)
    # Unit staff of our own organisation do not move stock.
    client.force_login(UserFactory())
    assert post_transfer(client, world["chairs"], world["south"]).status_code == 404
    assert not Task.objects.filter(kind=Task.Kind.TRANSFER).exists()
    assert not ListingEvent.objects.filter(kind="transfer_requested").exists()


def test_their_staff_cannot_work_or_see_our_transfer(client, world):
    task = request(world)
    client.force_login(member_of(other_organisation(), roles=[WAREHOUSE]))
    assert client.get(task.get_absolute_url()).status_code == 404
    for step in ("assign", "start", "shelve", "cancel"):
        assert (
            client.post(reverse("inventory:task_action", args=[task.pk, step])).status_code == 404
        )
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN and task.assigned_to is None


# --- stock-takes --------------------------------------------------------------------------------


def test_a_count_during_the_move_expects_the_items_on_neither_shelf(client, world):
    chairs, driver = world["chairs"], world["driver"]
    neighbour = ListingFactory(quantity=2, storage_location=world["shelf_a"])
    task = request(world)
    # Not loaded yet: still on the old shelf.
    count = services.stocktake_record(actor=driver, location_id=world["shelf_a"].pk, counts={})
    assert count.lines.get(listing=chairs).expected == 6

    services.task_schedule(actor=driver, task_id=task.pk, day=next_working_day())
    services.task_start(actor=driver, task_id=task.pk, scanned_code=chairs.code)
    client.force_login(driver)
    page = client.get(reverse("inventory:location", args=[world["shelf_a"].pk])).content.decode()
    assert "6 in transit to Eteläinen varasto, not counted here." in page
    assert f'name="count_{chairs.pk}" value="0"' in page
    count = services.stocktake_record(
        actor=driver, location_id=world["shelf_a"].pk, counts={chairs.pk: 0}
    )
    assert count.lines.get(listing=chairs).expected == 0
    assert count.lines.get(listing=neighbour).expected == 2
    assert not chairs.events.filter(kind="stocktake").exists()  # no discrepancy
    # Nor on the new shelf until it is shelved there.
    assert not StockTakeLine.objects.filter(
        stocktake=services.stocktake_record(
            actor=driver, location_id=world["shelf_b"].pk, counts={}
        ),
        listing=chairs,
    ).exists()

    services.intake_shelve(actor=driver, task_id=task.pk, location_id=world["shelf_b"].pk)
    count = services.stocktake_record(actor=driver, location_id=world["shelf_b"].pk, counts={})
    assert count.lines.get(listing=chairs).expected == 6


# --- run sheet and live ---------------------------------------------------------------------


def test_the_run_sheets_of_both_warehouses_list_the_transfer(client, world):
    task = request(world)
    day = next_working_day()
    services.task_schedule(actor=world["driver"], task_id=task.pk, day=day)
    client.force_login(world["driver"])
    for warehouse in (world["north"], world["south"]):
        sheet = client.get(
            reverse("inventory:run_sheet"), {"warehouse": warehouse.pk, "date": day.isoformat()}
        ).content.decode()
        assert f"Transfer #{task.pk}" in sheet
        assert "Fetch from: Pohjoinen varasto, shelf A-01-1, Pohjoiskatu 1" in sheet
        assert "Take to: Eteläinen varasto, Eteläkatu 9" in sheet
        assert f"{world['chairs'].code} Pinottava tuoli" in sheet
    other_day = client.get(
        reverse("inventory:run_sheet"),
        {"warehouse": world["north"].pk, "date": (day.replace(year=day.year + 1)).isoformat()},
    ).content.decode()
    assert f"Transfer #{task.pk}" not in other_day


def test_every_step_is_heard_live_by_the_organisations_warehouse_staff(
    world, django_capture_on_commit_callbacks
):
    with capture_published() as sends, django_capture_on_commit_callbacks(execute=True):
        task = request(world)
    [(groups, event, data)] = sends[0]
    assert event == "task.changed"
    assert groups == [live.warehouse_group(world["north"].organisation_id)]
    assert (data["id"], data["kind"], data["status"]) == (task.pk, "transfer", "open")
    with capture_published() as sends, django_capture_on_commit_callbacks(execute=True):
        services.task_schedule(actor=world["driver"], task_id=task.pk, day=next_working_day())
        services.task_start(
            actor=world["driver"], task_id=task.pk, scanned_code=world["chairs"].code
        )
        services.intake_shelve(
            actor=world["driver"], task_id=task.pk, location_id=world["shelf_b"].pk
        )
    statuses = [
        data["status"] for send in sends for _, event, data in send if event == "task.changed"
    ]
    assert statuses[-1] == "done"  # the board hears where the task is now


def test_an_item_on_its_way_is_not_disposed_of_and_a_cancel_puts_it_back(world):
    driver, chairs = world["driver"], world["chairs"]
    task = started(world)
    with pytest.raises(ValidationError) as refused:
        services.disposal_request(actor=driver, listing_id=chairs.pk, quantity=1, reason="broken")
    assert refused.value.messages == [
        "This item is being moved to another warehouse. Finish or cancel that first."
    ]
    services.task_cancel(actor=driver, task_id=task.pk, reason="Auto hajosi")
    count = services.stocktake_record(actor=driver, location_id=world["shelf_a"].pk, counts={})
    assert count.lines.get(listing=chairs).expected == 6  # back on the old shelf
    chairs.refresh_from_db()
    assert chairs.storage_location == world["shelf_a"]


def test_the_task_page_offers_the_transfers_steps(client, world):
    task = request(world)
    client.force_login(world["driver"])

    def offered():
        page = client.get(task.get_absolute_url()).content.decode()
        steps = ("schedule", "start", "shelve", "deliver", "dispose", "cancel")
        return {s for s in steps if reverse("inventory:task_action", args=[task.pk, s]) in page}

    assert offered() == {"schedule", "cancel"}
    services.task_schedule(actor=world["driver"], task_id=task.pk, day=next_working_day())
    assert offered() == {"schedule", "start", "cancel"}
    services.task_start(actor=world["driver"], task_id=task.pk, scanned_code=world["chairs"].code)
    assert offered() == {"shelve", "cancel"}
