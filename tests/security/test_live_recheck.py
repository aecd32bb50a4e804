"""An open socket re-checks its account, so a close message lost with Redis cannot leave a
deactivated, signed-out or moved user listening.

The production server on PostgreSQL with a Redis the test stops and starts, and
LIVE_RECHECK_SECONDS short. While Redis is down a coordinator deactivates a user through
the admin (the server's close message goes nowhere), another user signs out, a third
changes unit, a fourth's password is reset; Redis returns empty. Each socket must be closed
with the code that tells its page what to do, and a bystander's socket must keep working.
"""

import asyncio
import json

import pytest
import websockets
from asgiref.sync import sync_to_async
from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings
from django.contrib.auth.models import Group
from websockets.exceptions import ConnectionClosed

from kierratys import live
from kierratys.accounts.models import Unit, User
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from kierratys.consumers import CLOSE_REGROUP, CLOSE_SIGNED_OUT

from ..conftest import needs_postgres
from ..factories import UnitFactory, UserFactory
from ..support.servers import AsgiServer, Browserless, RedisServer, session_cookie_for

LAYERS = {"pubsub": RedisPubSubChannelLayer, "core": RedisChannelLayer}

pytestmark = [
    pytest.mark.usefixtures("close_thread_connections"),
    needs_postgres,
    pytest.mark.skipif(not RedisServer.available(), reason="needs the redis-server binary"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(params=["pubsub", "core"])
def services_up(request):
    with (
        RedisServer() as redis,
        AsgiServer(
            REDIS_URL=redis.url, REDIS_CHANNEL_LAYER=request.param, LIVE_RECHECK_SECONDS="0.5"
        ) as server,
    ):
        yield server, redis, request.param


def open_socket(server, session):
    return websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/live/",
        origin=server.base,
        additional_headers={"Cookie": f"sessionid={session}"},
        open_timeout=10,
        proxy=None,
    )


async def ping(socket) -> bool:
    await socket.send(json.dumps({"event": "ping"}))
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), 10))
        if message["event"] == "pong":
            return True


async def close_code(socket, timeout=20) -> int:
    """Waits for the server to close the socket; events received meanwhile are ignored."""
    try:
        while True:
            await asyncio.wait_for(socket.recv(), timeout)
    except ConnectionClosed as closed:
        return closed.rcvd.code
    except TimeoutError:
        return None  # still open


async def organisation_of_unit(unit_id: int) -> int:
    unit = await Unit.objects.select_related("department").aget(pk=unit_id)
    return unit.department.organisation_id


async def test_changes_made_while_redis_is_down_still_close_the_sockets(services_up):
    server, redis, layer_name = services_up
    make = sync_to_async(UserFactory)
    await Group.objects.aget_or_create(name=WAREHOUSE)
    coordinator = await make(roles=[COORDINATOR], is_staff=True, is_superuser=True)
    deactivated, signed_out, moved, promoted, reset, bystander = [await make() for _ in range(6)]
    sessions = {
        user.pk: await sync_to_async(session_cookie_for)(user)
        for user in (deactivated, signed_out, moved, promoted, reset, bystander)
    }
    sockets = {pk: await open_socket(server, session) for pk, session in sessions.items()}
    for socket in sockets.values():
        assert await ping(socket)

    await asyncio.to_thread(redis.stop)
    # The coordinator deactivates through the admin: the server's close message is lost.
    admin = Browserless(server.base, await sync_to_async(session_cookie_for)(coordinator))
    status, _ = await asyncio.to_thread(
        admin.post_form,
        "/admin/kierratys/user/",
        "/admin/kierratys/user/",
        {"action": "deactivate", "_selected_action": str(deactivated.pk), "index": "0"},
    )
    assert status == 302
    assert not (await User.objects.aget(pk=deactivated.pk)).is_active
    # Signed out in another tab: the session is gone.
    leaver = Browserless(server.base, sessions[signed_out.pk])
    status, _ = await asyncio.to_thread(leaver.post_form, "/accounts/logout/", "/listings/", {})
    assert status == 302
    # Changed behind the server's back (as if their close messages were lost too).
    new_unit = await sync_to_async(UnitFactory)()
    await User.objects.filter(pk=moved.pk).aupdate(unit=new_unit)
    await sync_to_async(promoted.groups.add)(await Group.objects.aget(name=WAREHOUSE))
    await sync_to_async(reset.set_password)("an-entirely-new-password-42")
    await sync_to_async(reset.save)()
    await asyncio.to_thread(redis.start)

    assert await close_code(sockets[deactivated.pk]) == CLOSE_SIGNED_OUT
    assert await close_code(sockets[signed_out.pk]) == CLOSE_SIGNED_OUT
    assert await close_code(sockets[reset.pk]) == CLOSE_SIGNED_OUT
    assert await close_code(sockets[moved.pk]) == CLOSE_REGROUP
    assert await close_code(sockets[promoted.pk]) == CLOSE_REGROUP

    # Their pages reconnect: the signed-out ones are refused, the others get new groups.
    for user in (deactivated, signed_out, reset):
        async with open_socket(server, sessions[user.pk]) as socket:
            assert await close_code(socket) == CLOSE_SIGNED_OUT
    for user in (moved, promoted):
        async with open_socket(server, sessions[user.pk]) as socket:
            assert await ping(socket)
            assert await close_code(socket, timeout=2) is None  # stays open this time

    # The bystander was never disturbed and gets events once Redis is back.
    bystander_socket = sockets[bystander.pk]
    assert await ping(bystander_socket)
    # Published straight into the server's Redis, as its own sender would.
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]  # the server's own
    layer = LAYERS[layer_name](hosts=[redis.url], prefix=prefix)
    text = json.dumps({"event": "listing.changed", "data": {"id": 1}})
    group = live.organisation_group(await organisation_of_unit(bystander.unit_id))
    message = {"type": "live.events", "group": group, "texts": [text]}
    for _attempt in range(40):  # until the server listens on the new Redis again
        try:
            await layer.group_send(group, message)
            received = json.loads(await asyncio.wait_for(bystander_socket.recv(), 0.5))
        except (TimeoutError, OSError):
            continue
        if received["event"] == "listing.changed":
            break
    else:
        raise AssertionError("the bystander got no event after Redis returned")
    await layer.flush()
    await bystander_socket.close()
