"""The /ws/live/ socket: who may connect and which groups the server picks."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from kierratys import live
from kierratys.asgi import application
from kierratys.consumers import LiveConsumer
from kierratys.roles import WAREHOUSE

from ..factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


async def connect_as(user, origin=b"http://127.0.0.1:8000"):
    communicator = WebsocketCommunicator(
        LiveConsumer.as_asgi(), "/ws/live/", headers=[(b"origin", origin), (b"host", b"127.0.0.1")]
    )
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    return communicator, connected


async def test_anonymous_socket_is_closed():
    communicator, connected = await connect_as(AnonymousUser())
    assert not connected
    await communicator.wait()


async def test_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(
        application,
        "/ws/live/",
        headers=[(b"origin", b"https://evil.example"), (b"host", b"127.0.0.1")],
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_staff_gets_catalogue_and_unit_events_only():
    staff = await sync_to_async(UserFactory)()
    other = await sync_to_async(UserFactory)()
    communicator, connected = await connect_as(staff)
    assert connected
    await sync_to_async(live.send_event)([live.CATALOGUE_GROUP], "listing.changed", {"id": 1})
    assert await communicator.receive_json_from() == {"event": "listing.changed", "data": {"id": 1}}
    await sync_to_async(live.send_event)(
        [live.unit_group(staff.unit_id)], "reservation.changed", {"id": 2}
    )
    assert (await communicator.receive_json_from())["data"] == {"id": 2}
    await sync_to_async(live.send_event)(
        [live.unit_group(other.unit_id)], "reservation.changed", {"id": 3}
    )
    await sync_to_async(live.send_event)([live.WAREHOUSE_GROUP], "task.changed", {"id": 4})
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_warehouse_staff_also_get_warehouse_events():
    user = await sync_to_async(UserFactory)(roles=[WAREHOUSE])
    communicator, connected = await connect_as(user)
    assert connected
    await sync_to_async(live.send_event)([live.WAREHOUSE_GROUP], "task.changed", {"id": 4})
    assert (await communicator.receive_json_from())["event"] == "task.changed"
    await communicator.disconnect()


async def test_client_cannot_join_groups():
    staff = await sync_to_async(UserFactory)()
    communicator, _ = await connect_as(staff)
    await communicator.send_json_to({"subscribe": live.WAREHOUSE_GROUP})
    await sync_to_async(live.send_event)([live.WAREHOUSE_GROUP], "task.changed", {"id": 4})
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()
