"""Per-process fan-out of live events to the sockets open in this process.

With channels' usual pattern every socket has a channel of its own: one Redis message is
copied into a queue per socket and wakes a consumer per socket, each going through
channels' dispatch. At a thousand sockets that was most of the server's work per event.
Here each process listens on one channel of its own, joined to every group one of its
sockets needs, and hands each event's text to those sockets itself. Every socket writes
from its own outbox (`LiveConsumer.deliver`), so a slow client never holds up the others.
"""

import asyncio
import logging
import weakref

logger = logging.getLogger(__name__)

try:
    from redis.exceptions import TimeoutError as _RedisTimeout
except ImportError:  # pragma: no cover - channels-redis brings redis
    _RedisTimeout = TimeoutError
_TIMEOUTS = (TimeoutError, _RedisTimeout)

# One fan-out per event loop: a server process has one loop, tests make one per test.
_fanouts: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Fanout]" = (
    weakref.WeakKeyDictionary()
)


def for_layer(layer) -> "Fanout":
    loop = asyncio.get_running_loop()
    fanout = _fanouts.get(loop)
    if fanout is None or fanout.layer is not layer:
        fanout = _fanouts[loop] = Fanout(layer)
    return fanout


class Fanout:
    def __init__(self, layer):
        self.layer = layer
        self.channel = None
        self.members: dict[str, set] = {}  # group -> sockets of this process
        self.pump = None
        self.lock = asyncio.Lock()  # joins and leaves change subscriptions one at a time
        self.rechecks = set()

    async def join(self, socket, groups) -> None:
        async with self.lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel("live.")
                self.pump = asyncio.create_task(self._pump(self.channel))
            for group in groups:
                # Also for groups already joined: layers that expire memberships (channels'
                # group_expiry) are refreshed by every socket that opens.
                await self.layer.group_add(group, self.channel)
                self.members.setdefault(group, set()).add(socket)

    async def leave(self, socket, groups) -> None:
        async with self.lock:
            emptied = []
            for group in groups:
                sockets = self.members.get(group)
                if sockets is None:
                    continue
                sockets.discard(socket)
                if not sockets:
                    del self.members[group]
                    emptied.append(group)
            channel = self.channel
            if not self.members and self.pump is not None:
                # The last socket left: stop listening, so nothing lingers after it.
                self.pump.cancel()
                self.pump = self.channel = None
            # Last, and each on its own: with Redis down a discard fails, and the socket
            # must not stay a member of the groups after it.
            for group in emptied:
                try:
                    await self.layer.group_discard(group, channel)
                except Exception:
                    logger.debug("Could not leave live group %s", group, exc_info=True)

    async def _pump(self, channel) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # Only the core layer raises here (the pub/sub layer waits on its own): while
                # Redis is down, and also every 5 s when idle if redis-py's socket timeout is
                # the layer's 5 s wait (README, "Live updates"). No cause to warn by itself.
                logger.debug("Live events could not be received", exc_info=True)
                await asyncio.sleep(max(0.0, started + 1 - loop.time()))  # one try a second
                await self._rejoin(channel)
                if not isinstance(error, _TIMEOUTS):
                    # Redis was away: a close message for a changed account may be lost.
                    self._recheck_all()
                continue
            for socket in tuple(self.members.get(message.get("group"), ())):
                for text in message["texts"]:
                    socket.deliver(text, published=message.get("published"))
                if message.get("regroup"):
                    socket.regroup()
                elif message.get("recheck"):
                    self._recheck(socket)

    def _recheck_all(self) -> None:
        for socket in set().union(*self.members.values()):
            self._recheck(socket)

    def _recheck(self, socket) -> None:
        task = asyncio.create_task(socket.recheck())
        self.rechecks.add(task)  # held, so the loop does not drop it half-way
        task.add_done_callback(self.rechecks.discard)

    async def _rejoin(self, channel) -> None:
        """Join every group again, retrying until the layer takes them.

        The core layer keeps memberships in Redis: one that restarted empty has forgotten
        them, and the open sockets would never get another event. Adding is idempotent, so
        this is also harmless after a mere timeout, and refreshes the layer's group expiry.
        """
        failures = 0
        while True:
            try:
                # Under the lock, so a group that a leave discards is not added back.
                async with self.lock:
                    for group in tuple(self.members):
                        await self.layer.group_add(group, channel)
            except Exception:
                if not failures:
                    logger.warning("Live events stopped; retrying every second", exc_info=True)
                failures += 1
                await asyncio.sleep(1)
                continue
            if failures:
                logger.info("Live events flow again after %d retries", failures)
            return
