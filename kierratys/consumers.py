import asyncio
import logging
from collections import deque

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer

from . import fanout, live
from .roles import WAREHOUSE

logger = logging.getLogger(__name__)

# Events a socket may fall behind by before it is closed; its page then reconnects and
# refreshes what it shows, which is better than replaying a long backlog.
OUTBOX_LIMIT = 100
CLOSE_REGROUP = 4000  # the account changed: reconnect to get the groups it has now
CLOSE_SIGNED_OUT = 4401
CLOSE_TOO_SLOW = 4408
CLOSE_LAYER_DOWN = 1011


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """One socket per open page. The server picks the groups; clients cannot.

    The socket has no channel of its own on the layer: the process's fan-out joins the
    groups and hands each event to `deliver` (see `kierratys.fanout`).
    """

    channel_layer_alias = None  # no per-socket channel

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            # Accepted only to be closed with a reason the page can read: a refused
            # handshake reaches the browser as a bare 1006, and it would retry forever.
            await self.accept()
            await self.close(code=CLOSE_SIGNED_OUT)
            return
        self.outbox = deque()
        self.writer = None
        self.accepted = False  # events that arrive before the accept wait in the outbox
        self.groups_joined = await self._groups_for(user)
        layer = get_channel_layer()
        if layer is not None:
            self.fanout = fanout.for_layer(layer)
            try:
                await self.fanout.join(self, self.groups_joined)
            except Exception:
                logger.warning("A live socket could not join its groups", exc_info=True)
                await self.close(code=CLOSE_LAYER_DOWN)  # the page retries with backoff
                return
        await self.accept()
        self.accepted = True
        if self.outbox:
            self.writer = asyncio.create_task(self._write())

    async def disconnect(self, code):
        if getattr(self, "fanout", None) is not None:
            try:
                await self.fanout.leave(self, self.groups_joined)
            except Exception:
                logger.warning("A live socket could not leave its groups", exc_info=True)
        if getattr(self, "writer", None) is not None:
            self.writer.cancel()

    async def receive_json(self, content, **kwargs):
        # Clients only listen; a ping keeps proxies from closing idle sockets.
        if content == {"event": "ping"}:
            await self.send_json({"event": "pong", "data": {}})

    def deliver(self, text: str) -> None:
        """Queue one event's JSON text for this socket; never waits."""
        if len(self.outbox) >= OUTBOX_LIMIT:
            self.outbox.clear()
            self._queue(CLOSE_TOO_SLOW)  # close instead of replaying
        else:
            self._queue(text)

    def regroup(self) -> None:
        """Close after what is queued; the page reconnects with the account's new groups."""
        self._queue(CLOSE_REGROUP)

    def _queue(self, item: str | int) -> None:
        """An event's text, or a close code; nothing more once a close is queued."""
        if self.outbox and isinstance(self.outbox[-1], int):
            return
        self.outbox.append(item)
        if self.writer is None and self.accepted:
            self.writer = asyncio.create_task(self._write())

    async def _write(self) -> None:
        try:
            while self.outbox:
                item = self.outbox.popleft()
                if isinstance(item, int):
                    await self.close(code=item)
                    return
                await self.base_send({"type": "websocket.send", "text": item})
        except Exception:
            # The socket closed under us; disconnect() cleans up.
            self.outbox.clear()
        finally:
            self.writer = None

    @staticmethod
    async def _groups_for(user) -> list[str]:
        roles = {name async for name in user.groups.values_list("name", flat=True)}
        groups = [live.CATALOGUE_GROUP, live.user_group(user.pk)]
        if user.unit_id:
            groups.append(live.unit_group(user.unit_id))
        if WAREHOUSE in roles:
            groups.append(live.WAREHOUSE_GROUP)
        return groups
