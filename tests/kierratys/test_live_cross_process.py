"""Across processes: the production server on PostgreSQL and a Redis the test owns.

A websocket client sees a reservation made over HTTP; then Redis restarts empty, after an
outage and straight away, and events flow again to the same open socket, with each
channels-redis layer. How soon, and how many reconnects, is printed (`-s`): the README's
"Which channels-redis layer" figures come from here.
"""

import asyncio
import json
import time

import pytest
import websockets
from asgiref.sync import sync_to_async

from kierratys.common.submissions import new_token

from ..conftest import needs_postgres
from ..factories import ListingFactory, UserFactory
from ..support.servers import AsgiServer, Browserless, RedisServer, session_cookie_for

pytestmark = [
    needs_postgres,
    pytest.mark.skipif(not RedisServer.available(), reason="needs the redis-server binary"),
    pytest.mark.django_db(transaction=True),
]


class ReconnectingClient:
    """What static/js/live.js does: reconnect with backoff, collect every event."""

    def __init__(self, url, origin, cookie):
        self.url, self.origin, self.cookie = url, origin, cookie
        self.events: asyncio.Queue = asyncio.Queue()
        self.connections = 0
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self):
        delay = 0.2
        while True:
            try:
                async with websockets.connect(
                    self.url,
                    origin=self.origin,
                    additional_headers={"Cookie": self.cookie},
                    open_timeout=5,
                ) as socket:
                    self.connections += 1
                    delay = 0.2
                    async for message in socket:
                        await self.events.put(json.loads(message))
            except (OSError, websockets.exceptions.WebSocketException):
                pass
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def wait_connected(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while self.connections < count:
            assert time.monotonic() < deadline, "the client never (re)connected"
            await asyncio.sleep(0.1)

    async def next_event(self, name, timeout=15):
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {name} event"
            event = await asyncio.wait_for(self.events.get(), remaining)
            if event["event"] == name:
                return event

    async def close(self):
        self.task.cancel()


# Events must flow again this soon after an empty Redis returns.
RECOVERY_LIMIT = 10
# How often the test reserves while waiting for events: the figures' resolution.
POLL = 0.25


@pytest.fixture(params=["pubsub", "core"])
def services_up(request):
    with (
        RedisServer() as redis,
        AsgiServer(REDIS_URL=redis.url, REDIS_CHANNEL_LAYER=request.param) as server,
    ):
        yield server, redis, request.param


async def test_reservation_over_http_reaches_a_websocket_and_survives_a_redis_restart(
    services_up,
):
    server, redis, layer = services_up
    listing = await sync_to_async(ListingFactory)(quantity=200)
    reserver = await sync_to_async(UserFactory)()
    watcher = await sync_to_async(UserFactory)()
    reserver_http = Browserless(server.base, await sync_to_async(session_cookie_for)(reserver))
    watcher_session = await sync_to_async(session_cookie_for)(watcher)
    client = ReconnectingClient(
        f"ws://127.0.0.1:{server.port}/ws/live/", server.base, f"sessionid={watcher_session}"
    )
    await client.wait_connected(1)
    available = listing.quantity

    async def reserve_over_http():
        nonlocal available
        fields = {
            "quantity": "1",
            "handover": "pickup",
            "contact_name": "R",
            "contact_phone": "040 1",
            "submission": new_token(),
        }
        status, _ = await asyncio.to_thread(
            reserver_http.post_form,
            f"/listings/{listing.pk}/reserve/",
            f"/listings/{listing.pk}/",
            fields,
        )
        assert status == 302
        available -= 1

    await reserve_over_http()
    event = await client.next_event("listing.changed")
    assert event["data"] == {"id": listing.pk, "status": "published", "quantity_available": 199}

    # Redis goes away: pages and reservations keep working, and say so on /healthz.
    await asyncio.to_thread(redis.stop)
    await reserve_over_http()
    status, body = await asyncio.to_thread(reserver_http.get, "/healthz")
    assert status == 200 and json.loads(body)["channel_layer"] == "error"

    # Redis comes back empty, without the server's group memberships. Reserve every POLL
    # seconds until the socket sees one of these reservations (not a late older one).
    await asyncio.to_thread(redis.start)
    returned, before = time.monotonic(), available
    while True:
        await reserve_over_http()
        try:
            event = await client.next_event("listing.changed", timeout=POLL)
        except (AssertionError, TimeoutError):
            event = None
        if event and event["data"]["quantity_available"] < before:
            break
        assert time.monotonic() - returned < RECOVERY_LIMIT, "events never flowed again"
    recovered_in = time.monotonic() - returned

    # Restarted straight away, then quiet: the first event after it must not be lost (the
    # server's pooled connections to the old Redis fail once, when next used).
    await asyncio.to_thread(redis.stop)
    await asyncio.to_thread(redis.start)
    await asyncio.sleep(3)
    await reserve_over_http()
    while (await client.next_event("listing.changed"))["data"]["quantity_available"] > available:
        pass  # a late one from before the restart

    reconnects = client.connections - 1
    print(f"\n{layer}: events again {recovered_in:.2f} s after Redis returned, {reconnects=}")
    assert reconnects == 0  # the same sockets, no reconnect storm
    await client.close()
