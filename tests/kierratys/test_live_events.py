"""Every live event type, from the real services, through a real consumer."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from inventory import services as inventory_services
from kierratys.accounts.roles import WAREHOUSE
from kierratys.consumers import LiveConsumer
from listings import services as listing_services
from reservations import services as reservation_services

from ..factories import (
    CategoryFactory,
    ListingFactory,
    UserFactory,
    next_working_day,
    reserve,
    warehouse_with_slots,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("close_thread_connections"),
]


async def socket_for(user):
    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), "/ws/live/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def events(communicator, timeout=1.0) -> list[dict]:
    """Everything that arrives until the socket is quiet."""
    received = []
    while not await communicator.receive_nothing(timeout=timeout):
        received.append(await communicator.receive_json_from())
        timeout = 0.3
    return received


def publish_listing(author, title="Harmaa tuoli"):
    return listing_services.listing_create(
        actor=author,
        unit=author.unit,
        fields={"title": title, "category": CategoryFactory(), "condition": "good", "quantity": 2},
        publish=True,
    )


async def test_listing_published_reaches_every_catalogue():
    watcher = await sync_to_async(UserFactory)()
    author = await sync_to_async(UserFactory)()
    socket = await socket_for(watcher)
    listing = await sync_to_async(publish_listing)(author)
    assert await events(socket) == [
        {
            "event": "listing.published",
            "data": {"id": listing.pk, "status": "published", "quantity_available": 2},
        }
    ]
    await socket.disconnect()


async def test_reserving_tells_the_catalogue_and_both_units_only():
    listing = await sync_to_async(ListingFactory)(quantity=2)
    owner = await sync_to_async(UserFactory)(unit=listing.owner_unit)
    reserver = await sync_to_async(UserFactory)()
    bystander = await sync_to_async(UserFactory)()
    sockets = [await socket_for(u) for u in (owner, reserver, bystander)]
    reservation = await sync_to_async(reserve)(listing, user=reserver, quantity=2)
    owner_events, reserver_events, bystander_events = [await events(s) for s in sockets]
    removed = {
        "event": "listing.removed",
        "data": {"id": listing.pk, "status": "published", "quantity_available": 0},
    }
    changed = {
        "event": "reservation.changed",
        "data": {"id": reservation.pk, "listing": listing.pk, "status": "active", "quantity": 2},
    }
    assert sorted(owner_events, key=str) == sorted([removed, changed], key=str)
    assert sorted(reserver_events, key=str) == sorted([removed, changed], key=str)
    assert bystander_events == [removed]  # no other unit's reservation data leaks
    for socket in sockets:
        await socket.disconnect()


async def test_cancelling_gives_back_and_tells_both_units():
    listing = await sync_to_async(ListingFactory)(quantity=3)
    reserver = await sync_to_async(UserFactory)()
    reservation = await sync_to_async(reserve)(listing, user=reserver, quantity=1)
    socket = await socket_for(reserver)
    await sync_to_async(reservation_services.reservation_cancel)(
        actor=reserver, reservation_id=reservation.pk
    )
    received = await events(socket)
    assert {
        "event": "listing.changed",
        "data": {"id": listing.pk, "status": "published", "quantity_available": 3},
    } in received
    assert any(
        e["event"] == "reservation.changed" and e["data"]["status"] == "cancelled" for e in received
    )
    await socket.disconnect()


async def test_withdrawing_removes_from_catalogues():
    listing = await sync_to_async(ListingFactory)()
    owner = await sync_to_async(UserFactory)(unit=listing.owner_unit)
    socket = await socket_for(await sync_to_async(UserFactory)())
    await sync_to_async(listing_services.listing_withdraw)(actor=owner, listing_id=listing.pk)
    assert await events(socket) == [
        {
            "event": "listing.removed",
            "data": {"id": listing.pk, "status": "withdrawn", "quantity_available": 5},
        }
    ]
    await socket.disconnect()


async def test_editing_the_quantity_updates_every_catalogue():
    listing = await sync_to_async(ListingFactory)(quantity=5)
    owner = await sync_to_async(UserFactory)(unit=listing.owner_unit)
    await sync_to_async(reserve)(listing, quantity=2)
    socket = await socket_for(await sync_to_async(UserFactory)())
    await sync_to_async(listing_services.listing_update)(
        actor=owner, listing_id=listing.pk, fields={"quantity": 8}
    )
    # The two reserved stay reserved: six of the eight are on offer.
    assert await events(socket) == [
        {
            "event": "listing.changed",
            "data": {"id": listing.pk, "status": "published", "quantity_available": 6},
        }
    ]
    await socket.disconnect()


async def test_disposing_of_the_last_ones_archives_and_removes_from_catalogues():
    listing = await sync_to_async(ListingFactory)(quantity=3)
    await sync_to_async(warehouse_with_slots)()
    driver = await sync_to_async(UserFactory)(roles=[WAREHOUSE])
    task = await sync_to_async(inventory_services.disposal_request)(
        actor=driver, listing_id=listing.pk, quantity=3, reason="broken"
    )
    socket = await socket_for(await sync_to_async(UserFactory)())
    await sync_to_async(inventory_services.disposal_complete)(actor=driver, task_id=task.pk)
    assert await events(socket) == [
        {
            "event": "listing.removed",
            "data": {"id": listing.pk, "status": "archived", "quantity_available": 0},
        }
    ]  # the warehouse task itself is not the catalogue's business
    await socket.disconnect()


async def test_a_booked_delivery_reaches_the_warehouse_and_both_units_only():
    warehouse, _shelves, slots = await sync_to_async(warehouse_with_slots)()
    listing = await sync_to_async(ListingFactory)(quantity=2)
    reserver = await sync_to_async(UserFactory)()
    reservation = await sync_to_async(reserve)(listing, user=reserver, handover="delivery")
    driver = await sync_to_async(UserFactory)(roles=[WAREHOUSE])
    colleague = await sync_to_async(UserFactory)(unit=reserver.unit)
    owner = await sync_to_async(UserFactory)(unit=listing.owner_unit)
    bystander = await sync_to_async(UserFactory)()
    sockets = [await socket_for(u) for u in (driver, colleague, owner, bystander)]
    day = await sync_to_async(next_working_day)()
    slot = next(s for s in slots if s.weekday == day.weekday())

    task = await sync_to_async(inventory_services.delivery_book)(
        actor=reserver, reservation_id=reservation.pk, slot_id=slot.pk, day=day
    )
    booked = {
        "event": "task.changed",
        "data": {
            "id": task.pk,
            "kind": "delivery",
            "status": "scheduled",
            "warehouse": warehouse.pk,
            "date": day.isoformat(),
        },
    }
    *concerned, unrelated = [await events(s) for s in sockets]
    assert concerned == [[booked]] * 3  # the warehouse, the receiving and the giving unit
    assert unrelated == []

    await sync_to_async(inventory_services.task_start)(actor=driver, task_id=task.pk)
    started = {**booked, "data": {**booked["data"], "status": "in_progress"}}
    *concerned, unrelated = [await events(s) for s in sockets]
    assert concerned == [[started]] * 3
    assert unrelated == []
    for socket in sockets:
        await socket.disconnect()


async def test_nothing_is_sent_for_a_rolled_back_transaction():
    listing = await sync_to_async(ListingFactory)(quantity=2)
    socket = await socket_for(await sync_to_async(UserFactory)())

    def reserve_then_fail():
        with transaction.atomic():
            reserve(listing, quantity=1)
            raise RuntimeError("the request failed later")

    with pytest.raises(RuntimeError):
        await sync_to_async(reserve_then_fail)()
    assert await events(socket) == []
    await socket.disconnect()


async def test_search_match_goes_to_the_searcher_only(settings):
    from listings import alerts

    searcher = await sync_to_async(UserFactory)()
    other = await sync_to_async(UserFactory)()
    author = await sync_to_async(UserFactory)()
    saved = await sync_to_async(listing_services.saved_search_create)(
        user=searcher, name="Kaikki", query=""
    )
    mine, theirs = await socket_for(searcher), await socket_for(other)
    listing = await sync_to_async(publish_listing)(author, title="Sininen sohva")
    await sync_to_async(alerts.match_saved_searches.call)(listing.pk)
    mine_events = await events(mine)
    assert {
        "event": "search.match",
        "data": {"search_id": saved.pk, "listing_id": listing.pk, "title": "Sininen sohva"},
    } in mine_events
    assert all(e["event"] != "search.match" for e in await events(theirs))
    await mine.disconnect()
    await theirs.disconnect()
