"""The /ws/live/ socket: who may connect and which groups the server picks."""

import asyncio
import json
from collections import deque

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser, Group

from kierratys import live
from kierratys.accounts import services
from kierratys.accounts.models import User
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE, organisation_id_of
from kierratys.asgi import application
from kierratys.consumers import OUTBOX_LIMIT, LiveConsumer
from kierratys.live import fanout

from ..factories import UserFactory
from ..support.servers import session_cookie_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("close_thread_connections"),
]


def send_now(groups, event, data):
    """Send one event at once, as the after-commit flush does."""
    live.send_events([(groups, event, data)])


async def connect_as(user, origin=b"http://127.0.0.1:8000"):
    communicator = WebsocketCommunicator(
        LiveConsumer.as_asgi(), "/ws/live/", headers=[(b"origin", origin), (b"host", b"127.0.0.1")]
    )
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    return communicator, connected


async def closed_as_signed_out(communicator) -> bool:
    """Closed at once with 4401, which tells the page to stop retrying and say why."""
    return await communicator.receive_output() == {"type": "websocket.close", "code": 4401}


async def test_anonymous_socket_is_closed_at_once_as_signed_out():
    communicator, _connected = await connect_as(AnonymousUser())
    assert await closed_as_signed_out(communicator)
    await communicator.wait()


async def test_inactive_user_socket_is_closed_at_once():
    user = await sync_to_async(UserFactory)(is_active=False)
    communicator, _connected = await connect_as(user)
    assert await closed_as_signed_out(communicator)


async def test_a_deactivated_users_session_cannot_reconnect():
    """Through the real stack: the session still exists, but it no longer signs anyone in.

    A socket already open keeps its groups until it reconnects (docs/live-events.md).
    """
    user = await sync_to_async(UserFactory)()
    session = await sync_to_async(session_cookie_for)(user)

    async def connect():
        communicator = WebsocketCommunicator(
            application,
            "/ws/live/",
            headers=[
                (b"origin", b"http://127.0.0.1:8000"),
                (b"host", b"127.0.0.1"),
                (b"cookie", f"sessionid={session}".encode()),
            ],
        )
        return communicator, await communicator.connect()

    communicator, (connected, _) = await connect()
    assert connected
    await communicator.receive_nothing(timeout=0.2)  # stays open while signed in
    await communicator.disconnect()
    await User.objects.filter(pk=user.pk).aupdate(is_active=False)
    communicator, _ = await connect()
    assert await closed_as_signed_out(communicator)


async def test_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(
        application,
        "/ws/live/",
        headers=[(b"origin", b"https://evil.example"), (b"host", b"127.0.0.1")],
    )
    connected, _ = await communicator.connect()
    assert not connected


async def organisation_of(user) -> int:
    return await sync_to_async(organisation_id_of)(user)


async def test_staff_gets_their_organisation_and_unit_events_only():
    staff = await sync_to_async(UserFactory)()
    other = await sync_to_async(UserFactory)()
    organisation = await organisation_of(staff)
    communicator, connected = await connect_as(staff)
    assert connected
    await sync_to_async(send_now)(
        [live.organisation_group(organisation)], "listing.changed", {"id": 1}
    )
    assert await communicator.receive_json_from() == {"event": "listing.changed", "data": {"id": 1}}
    await sync_to_async(send_now)(
        [live.unit_group(staff.unit_id)], "reservation.changed", {"id": 2}
    )
    assert (await communicator.receive_json_from())["data"] == {"id": 2}
    await sync_to_async(send_now)(
        [live.unit_group(other.unit_id)], "reservation.changed", {"id": 3}
    )
    await sync_to_async(send_now)([live.warehouse_group(organisation)], "task.changed", {"id": 4})
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_warehouse_staff_also_get_their_organisations_warehouse_events():
    user = await sync_to_async(UserFactory)(roles=[WAREHOUSE])
    communicator, connected = await connect_as(user)
    assert connected
    await sync_to_async(send_now)(
        [live.warehouse_group(await organisation_of(user))], "task.changed", {"id": 4}
    )
    assert (await communicator.receive_json_from())["event"] == "task.changed"
    await communicator.disconnect()


async def test_client_cannot_join_groups():
    staff = await sync_to_async(UserFactory)()
    group = live.warehouse_group(await organisation_of(staff))
    communicator, _ = await connect_as(staff)
    await communicator.send_json_to({"subscribe": group})
    await sync_to_async(send_now)([group], "task.changed", {"id": 4})
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_a_user_given_the_warehouse_role_is_reconnected_into_the_warehouse_group():
    user = await sync_to_async(UserFactory)()
    coordinator = await sync_to_async(UserFactory)(roles=[COORDINATOR])
    bystander = await sync_to_async(UserFactory)()
    # The role's group, which an earlier transactional test's flush may have removed.
    await Group.objects.aget_or_create(name=WAREHOUSE)
    communicator, _ = await connect_as(user)
    other, _ = await connect_as(bystander)
    await sync_to_async(services.user_set_roles)(actor=coordinator, user=user, roles=[WAREHOUSE])
    # Closed so the page reconnects; the new socket has the warehouse group.
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4000}
    assert await other.receive_nothing(timeout=0.3)  # nobody else is disturbed
    fresh_user = await User.objects.aget(pk=user.pk)
    communicator, connected = await connect_as(fresh_user)
    assert connected
    await sync_to_async(send_now)(
        [live.warehouse_group(await organisation_of(user))], "task.changed", {"id": 4}
    )
    assert (await communicator.receive_json_from())["event"] == "task.changed"
    for socket in (communicator, other):
        await socket.disconnect()


async def test_a_deactivated_users_open_socket_is_closed_and_cannot_come_back():
    user = await sync_to_async(UserFactory)(roles=[WAREHOUSE])
    coordinator = await sync_to_async(UserFactory)(roles=[COORDINATOR])
    communicator, _ = await connect_as(user)
    await sync_to_async(services.user_set_active)(actor=coordinator, user=user, active=False)
    # Signed out at once (the page stops), rather than told to reconnect only to be refused.
    assert await closed_as_signed_out(communicator)
    communicator, _ = await connect_as(await User.objects.aget(pk=user.pk))
    assert await closed_as_signed_out(communicator)


# --- the per-process fan-out ------------------------------------------------------------


async def test_sockets_in_one_process_share_one_subscription_and_all_get_the_event():
    first, second = await sync_to_async(UserFactory.create_batch)(2)
    socket_a, _ = await connect_as(first)
    socket_b, _ = await connect_as(second)
    fan = fanout.for_layer(get_channel_layer())
    shared = live.organisation_group(await organisation_of(first))
    assert len(fan.members[shared]) == 2
    await sync_to_async(send_now)([shared], "listing.changed", {"id": 7})
    for socket in (socket_a, socket_b):
        assert (await socket.receive_json_from())["data"] == {"id": 7}
    await socket_a.disconnect()
    assert len(fan.members[shared]) == 1
    await socket_b.disconnect()
    # The last socket gone: the process leaves every group and stops listening.
    assert fan.members == {}
    assert fan.pump is None


class StalledClient:
    """A socket whose client has stopped reading: its first send never completes."""

    def __init__(self):
        self.sent = []
        self.release = asyncio.Event()

    async def __call__(self, message):
        self.sent.append(message)
        if len(self.sent) == 1:
            await self.release.wait()


def stalled_consumer():
    consumer = LiveConsumer()
    consumer.outbox, consumer.writer, consumer.accepted = deque(), None, True
    consumer.base_send = StalledClient()
    return consumer


async def test_a_stalled_socket_does_not_hold_up_the_others():
    user = await sync_to_async(UserFactory)()
    healthy, _ = await connect_as(user)
    stalled = stalled_consumer()
    fan = fanout.for_layer(get_channel_layer())
    shared = live.organisation_group(await organisation_of(user))
    await fan.join(stalled, [shared])
    for n in range(3):
        await sync_to_async(send_now)([shared], "listing.changed", {"id": n})
    for n in range(3):
        assert (await healthy.receive_json_from(timeout=2))["data"] == {"id": n}
    assert len(stalled.base_send.sent) == 1
    assert len(stalled.outbox) == 2  # waiting its turn, not lost
    await fan.leave(stalled, [shared])
    stalled.writer.cancel()
    await healthy.disconnect()


async def test_a_socket_too_far_behind_is_closed_so_its_page_reloads_fresh():
    stalled = stalled_consumer()
    stalled.deliver('{"event": "listing.changed", "data": {"id": 0}}')
    await asyncio.sleep(0)  # the first send is under way and stalls
    for n in range(1, OUTBOX_LIMIT + 5):
        stalled.deliver(f'{{"event": "listing.changed", "data": {{"id": {n}}}}}')
    stalled.base_send.release.set()
    await asyncio.wait_for(stalled.writer, 2)
    first, last = stalled.base_send.sent[0], stalled.base_send.sent[-1]
    assert first["text"].endswith('{"id": 0}}')
    assert last == {"type": "websocket.close", "code": 4408}
    assert len(stalled.base_send.sent) == 2  # no backlog replayed before the close


# --- client frames and the account re-check, in process (daphne / runserver too) --------


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"text_data": json.dumps({"event": "ping", "pad": "x" * 5000})}, 1009),
        ({"text_data": "x" * 100_000}, 1009),
        ({"bytes_data": b"\x00" * 10}, 1003),
    ],
)
async def test_the_consumer_closes_on_frames_no_client_sends(frame, code):
    communicator, _ = await connect_as(await sync_to_async(UserFactory)())
    await communicator.send_to(**frame)
    assert await communicator.receive_output() == {"type": "websocket.close", "code": code}


async def test_other_small_frames_are_ignored_and_a_ping_still_answered():
    communicator, _ = await connect_as(await sync_to_async(UserFactory)())
    for text in ("not json", "[]", '{"event": "subscribe"}'):
        await communicator.send_to(text_data=text)
    await communicator.send_json_to({"event": "ping"})
    assert await communicator.receive_json_from() == {"event": "pong", "data": {}}
    await communicator.disconnect()


@pytest.mark.parametrize("change", ["deactivate", "unit", "role"])
async def test_an_open_socket_rechecks_its_account(settings, change):
    """Without any close message (as when Redis lost it), the socket notices by itself."""
    settings.LIVE_RECHECK_SECONDS = 0.2
    user = await sync_to_async(UserFactory)()
    bystander = await sync_to_async(UserFactory)()
    communicator, _ = await connect_as(user)
    other, _ = await connect_as(bystander)
    if change == "deactivate":
        await User.objects.filter(pk=user.pk).aupdate(is_active=False)
    elif change == "unit":
        await User.objects.filter(pk=user.pk).aupdate(unit=bystander.unit)
    else:
        group, _ = await Group.objects.aget_or_create(name=WAREHOUSE)
        await sync_to_async(user.groups.add)(group)
    expected = 4401 if change == "deactivate" else 4000
    assert await communicator.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": expected,
    }
    assert await other.receive_nothing(timeout=0.5)  # unchanged accounts stay open
    await other.disconnect()
