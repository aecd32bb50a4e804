"""Live events reach only the sockets of those who may see what they are about (issue 17).

A listing's events go to the groups of its audience stage (listings.audience.groups_for),
a task's to its warehouse's organisation's staff and the units concerned; every socket is
joined by the server to the groups of the account (kierratys.consumers). Through the real
services and a real consumer, as tests/kierratys/test_live_events.py does.
"""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from inventory import services as inventory_services
from kierratys import live
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from kierratys.consumers import CLOSE_REGROUP, LiveConsumer
from listings import services as listing_services
from listings.events import listing_announce
from listings.models import Listing

from ..factories import (
    ListingFactory,
    OrganisationFactory,
    UnitFactory,
    UserFactory,
    WarehouseFactory,
    member_of,
    other_organisation,
    reserve,
    running_partnership,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("close_thread_connections"),
]

Audience = Listing.Audience


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


async def heard(sockets) -> list[set[str]]:
    """The event names each socket got, in the order of the sockets."""
    return [{e["event"] for e in await events(socket)} for socket in sockets]


async def close_all(sockets) -> None:
    for socket in sockets:
        await socket.disconnect()


def change_quantity(listing, quantity=7):
    owner = UserFactory(unit=listing.owner_unit)
    listing_services.listing_update(
        actor=owner, listing_id=listing.pk, fields={"quantity": quantity}
    )


async def test_another_organisation_hears_nothing_of_a_listing_at_the_organisation_stage():
    listing = await sync_to_async(ListingFactory)(audience=Audience.ORGANISATION)
    colleague = await sync_to_async(member_of)()  # same organisation, another department
    outsider = await sync_to_async(member_of)(await sync_to_async(other_organisation)(1))
    sockets = [await socket_for(u) for u in (colleague, outsider)]
    await sync_to_async(change_quantity)(listing)
    assert await heard(sockets) == [{"listing.changed"}, set()]
    await close_all(sockets)


async def test_a_partner_hears_of_a_listing_once_it_reaches_the_partners_stage():
    home = await sync_to_async(OrganisationFactory)()
    partner, stranger = [await sync_to_async(other_organisation)(n) for n in (1, 2)]
    await sync_to_async(running_partnership)(home, partner)
    listing = await sync_to_async(ListingFactory)(audience=Audience.ORGANISATION)
    people = [await sync_to_async(member_of)(o) for o in (home, partner, stranger)]
    sockets = [await socket_for(u) for u in people]

    await sync_to_async(change_quantity)(listing, 7)  # still the organisation's own
    assert await heard(sockets) == [{"listing.changed"}, set(), set()]

    await Listing.objects.filter(pk=listing.pk).aupdate(audience=Audience.PARTNERS)
    await sync_to_async(change_quantity)(listing, 8)
    assert await heard(sockets) == [{"listing.changed"}, {"listing.changed"}, set()]
    await close_all(sockets)


async def test_a_partnership_that_starts_is_picked_up_by_the_recheck(settings):
    settings.LIVE_RECHECK_SECONDS = 0.2
    home = await sync_to_async(OrganisationFactory)()
    partner = await sync_to_async(other_organisation)(1)
    listing = await sync_to_async(ListingFactory)(audience=Audience.PARTNERS)
    outsider = await sync_to_async(member_of)(partner)
    socket = await socket_for(outsider)
    await sync_to_async(change_quantity)(listing, 7)
    assert await events(socket) == []  # not yet a partner

    await sync_to_async(running_partnership)(home, partner)
    # Its groups are no longer the account's: closed so that the page reconnects.
    assert await socket.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": CLOSE_REGROUP,
    }
    socket = await socket_for(outsider)
    await sync_to_async(change_quantity)(listing, 8)
    assert [e["event"] for e in await events(socket)] == ["listing.changed"]
    await socket.disconnect()


async def test_regrouping_an_organisation_closes_its_sockets_at_once():
    partner = await sync_to_async(other_organisation)(1)
    member, bystander = await sync_to_async(member_of)(partner), await sync_to_async(member_of)()
    sockets = [await socket_for(u) for u in (member, bystander)]
    await sync_to_async(live.regroup_organisation)(partner.pk)
    assert await sockets[0].receive_output() == {"type": "websocket.close", "code": CLOSE_REGROUP}
    assert await sockets[1].receive_nothing(timeout=0.3)
    await sockets[1].disconnect()


async def test_a_listing_at_the_department_stage_reaches_its_own_department_only():
    """Reserving it (the one-statement path on PostgreSQL) tells the department only."""
    listing = await sync_to_async(ListingFactory)(audience=Audience.DEPARTMENT)
    neighbour_unit = await sync_to_async(UnitFactory)(department=listing.owner_unit.department)
    reserver = await sync_to_async(UserFactory)(unit=neighbour_unit)
    same_department = await sync_to_async(UserFactory)(unit=neighbour_unit)
    other_department = await sync_to_async(member_of)()
    sockets = [await socket_for(u) for u in (same_department, other_department)]
    await sync_to_async(reserve)(listing, user=reserver, quantity=2)
    # The colleague also hears of the unit's reservation; the other department of nothing.
    assert await heard(sockets) == [{"listing.changed", "reservation.changed"}, set()]
    await close_all(sockets)


async def test_an_ended_listing_is_heard_of_by_its_owners_only():
    listing = await sync_to_async(ListingFactory)(audience=Audience.ENDED)
    owner = await sync_to_async(UserFactory)(unit=listing.owner_unit)
    warehouse = await sync_to_async(member_of)(roles=[WAREHOUSE])
    coordinator = await sync_to_async(member_of)(roles=[COORDINATOR])
    neighbour_unit = await sync_to_async(UnitFactory)(department=listing.owner_unit.department)
    same_department = await sync_to_async(UserFactory)(unit=neighbour_unit)
    outsiders_warehouse = await sync_to_async(member_of)(
        await sync_to_async(other_organisation)(1), roles=[WAREHOUSE]
    )
    people = [owner, warehouse, coordinator, same_department, outsiders_warehouse]
    sockets = [await socket_for(u) for u in people]
    await sync_to_async(listing_services.listing_withdraw)(actor=owner, listing_id=listing.pk)
    assert await heard(sockets) == [{"listing.removed"}] * 3 + [set(), set()]
    await close_all(sockets)


async def test_a_stage_that_ends_tells_those_who_saw_it_that_it_is_gone():
    listing = await sync_to_async(ListingFactory)(audience=Audience.ENDED)
    colleague = await sync_to_async(member_of)()
    stranger = await sync_to_async(member_of)(await sync_to_async(other_organisation)(1))
    sockets = [await socket_for(u) for u in (colleague, stranger)]
    await sync_to_async(listing_announce)(listing, audience_before=Audience.PARTNERS)
    assert await heard(sockets) == [{"listing.removed"}, set()]
    await close_all(sockets)


async def test_a_stage_that_widens_is_a_new_item_to_those_who_see_it_now():
    listing = await sync_to_async(ListingFactory)(audience=Audience.ORGANISATION)
    neighbour_unit = await sync_to_async(UnitFactory)(department=listing.owner_unit.department)
    same_department = await sync_to_async(UserFactory)(unit=neighbour_unit)
    other_department = await sync_to_async(member_of)()
    sockets = [await socket_for(u) for u in (same_department, other_department)]
    await sync_to_async(listing_announce)(listing, audience_before=Audience.DEPARTMENT)
    # Nobody is told it is gone; the other department's open catalogues add its card (the
    # department hears of it as new too, being in the organisation's group: a card already
    # on the page is not added twice, static/js/live-cards.js).
    assert await heard(sockets) == [{"listing.changed", "listing.published"}] * 2
    await close_all(sockets)


async def test_another_organisations_warehouse_hears_nothing_of_our_tasks():
    await sync_to_async(WarehouseFactory)()  # the default organisation's
    listing = await sync_to_async(ListingFactory)()
    owner = await sync_to_async(UserFactory)(unit=listing.owner_unit)
    ours = await sync_to_async(member_of)(roles=[WAREHOUSE])
    theirs = await sync_to_async(member_of)(
        await sync_to_async(other_organisation)(1), roles=[WAREHOUSE]
    )
    sockets = [await socket_for(u) for u in (ours, theirs)]
    await sync_to_async(inventory_services.intake_request)(actor=owner, listing_id=listing.pk)
    assert await heard(sockets) == [{"task.changed"}, set()]
    await close_all(sockets)


async def test_a_warehouse_serving_partners_tells_its_own_staff_and_the_partners_unit():
    home = await sync_to_async(OrganisationFactory)()
    partner = await sync_to_async(other_organisation)(1)
    await sync_to_async(running_partnership)(home, partner)
    await sync_to_async(WarehouseFactory)(organisation=home, serves_partners=True)
    owner = await sync_to_async(member_of)(partner)  # the partner has no warehouse of its own
    listing = await sync_to_async(ListingFactory)(owner_unit=owner.unit)
    home_staff = await sync_to_async(member_of)(home, roles=[WAREHOUSE])
    partner_staff = await sync_to_async(member_of)(partner, roles=[WAREHOUSE])
    sockets = [await socket_for(u) for u in (home_staff, partner_staff, owner)]
    await sync_to_async(inventory_services.intake_request)(actor=owner, listing_id=listing.pk)
    assert await heard(sockets) == [{"task.changed"}, set(), {"task.changed"}]
    await close_all(sockets)
