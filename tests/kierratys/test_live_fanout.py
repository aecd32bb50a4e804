"""The fan-out and the sender when Redis restarts empty, against a layer in miniature."""

import asyncio

from kierratys import live
from kierratys.live import fanout

CATALOGUE = live.organisation_group(1)  # a group many sockets share


class RestartingLayer:
    """A network layer whose Redis can restart empty.

    Like the core channels-redis layer, it keeps group memberships in Redis: a restart
    forgets them, and the receive waiting at the time fails.
    """

    def __init__(self):
        self.groups: dict[str, set] = {}
        self.queue: asyncio.Queue = asyncio.Queue()

    async def new_channel(self, prefix):
        return prefix + "1"

    async def group_add(self, group, channel):
        self.groups.setdefault(group, set()).add(channel)

    async def group_discard(self, group, channel):
        self.groups.get(group, set()).discard(channel)

    async def group_send(self, group, message):
        if self.groups.get(group):
            self.queue.put_nowait(message)

    async def receive(self, channel):
        message = await self.queue.get()
        if isinstance(message, Exception):
            raise message
        return message

    def restart(self):
        self.groups.clear()
        self.queue.put_nowait(ConnectionError("Connection closed by server."))


class Socket:
    def __init__(self):
        self.texts = []
        self.rechecks = 0

    def deliver(self, text, *, published=None):
        self.texts.append(text)

    async def recheck(self):
        self.rechecks += 1


async def test_the_fanout_joins_its_groups_again_when_redis_restarts_empty():
    layer = RestartingLayer()
    fan = fanout.Fanout(layer)
    socket = Socket()
    groups = [CATALOGUE, live.unit_group(1)]
    await fan.join(socket, groups)
    layer.restart()
    async with asyncio.timeout(3):
        while len(layer.groups) < 2:
            await asyncio.sleep(0.01)
    await live._send_all(layer, [([live.unit_group(1)], "reservation.changed", {"id": 5})])
    await asyncio.sleep(0.01)
    assert socket.texts == ['{"event": "reservation.changed", "data": {"id": 5}}']
    # A close message for a changed account may have been lost meanwhile: each socket
    # checks its account again (once, though it is in two groups).
    assert socket.rechecks == 1
    await fan.leave(socket, groups)
    assert fan.pump is None


async def test_an_idle_timeout_is_no_outage_and_asks_for_no_recheck():
    layer = RestartingLayer()
    fan = fanout.Fanout(layer)
    socket = Socket()
    await fan.join(socket, [CATALOGUE])
    layer.queue.put_nowait(TimeoutError("Timeout reading from socket"))
    await live._send_all(layer, [([CATALOGUE], "listing.changed", {"id": 1})])
    async with asyncio.timeout(3):
        while not socket.texts:
            await asyncio.sleep(0.01)
    assert socket.rechecks == 0
    await fan.leave(socket, [CATALOGUE])


async def test_a_socket_leaves_its_groups_even_when_redis_is_down():
    layer = RestartingLayer()
    fan = fanout.Fanout(layer)
    leaving, staying = Socket(), Socket()
    await fan.join(leaving, [CATALOGUE, live.unit_group(1)])
    await fan.join(staying, [CATALOGUE])

    async def down(group, channel):
        raise ConnectionError("Error connecting to Redis")

    layer.group_discard = down
    await fan.leave(leaving, [live.unit_group(1), CATALOGUE])
    assert fan.members == {CATALOGUE: {staying}}


async def test_a_send_on_a_connection_redis_closed_is_retried_once():
    layer = RestartingLayer()
    await layer.group_add(CATALOGUE, "live.1")
    failures = [ConnectionError("Connection closed by server.")]
    group_send = layer.group_send

    async def closed_once(group, message):
        if failures:
            raise failures.pop()
        await group_send(group, message)

    layer.group_send = closed_once
    await live._send_all(layer, [([CATALOGUE], "listing.changed", {"id": 1})])
    assert (await layer.receive("live.1"))["texts"] == [
        '{"event": "listing.changed", "data": {"id": 1}}'
    ]
