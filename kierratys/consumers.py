import asyncio
import json
import logging
import random
from collections import deque
from importlib import import_module

from channels.auth import get_user
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import get_user_model

from . import live
from .accounts.models import Unit
from .accounts.roles import COORDINATOR, WAREHOUSE
from .accounts.selectors import partner_ids_of
from .live import fanout
from .observability import metrics
from .server import CLIENT_FRAME_MAX_BYTES

logger = logging.getLogger(__name__)

# Events a socket may fall behind by before it is closed; its page then reconnects and
# refreshes what it shows, which is better than replaying a long backlog.
OUTBOX_LIMIT = 100
CLOSE_REGROUP = 4000  # the account changed: reconnect to get the groups it has now
CLOSE_SIGNED_OUT = 4401
CLOSE_TOO_SLOW = 4408
CLOSE_TOO_MANY = 4429  # the user has LIVE_SOCKETS_PER_USER open in this process already
CLOSE_LAYER_DOWN = 1011
CLOSE_UNSUPPORTED = 1003  # binary: clients send JSON text only
CLOSE_TOO_BIG = 1009

# user id -> that user's sockets open in this process (one event loop per process).
_open_sockets: dict[int, set] = {}


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """One socket per open page. The server picks the groups; clients cannot.

    The socket has no channel of its own on the layer: the process's fan-out joins the
    groups and hands each event to `deliver` (see `kierratys.live.fanout`).
    """

    channel_layer_alias = None  # no per-socket channel

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self._refuse(CLOSE_SIGNED_OUT)
            return
        sockets = _open_sockets.setdefault(user.pk, set())
        if len(sockets) >= settings.LIVE_SOCKETS_PER_USER:
            await self._refuse(CLOSE_TOO_MANY)
            return
        sockets.add(self)
        self.user_id = user.pk
        self.outbox = deque()
        self.writer = None
        self.rechecker = None
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
        self.counted = True  # among the open sockets (metrics), until disconnect
        metrics.WEBSOCKETS.inc()
        if self.outbox:
            self.writer = asyncio.create_task(self._write())
        self.rechecker = asyncio.create_task(self._recheck_every(settings.LIVE_RECHECK_SECONDS))

    async def _refuse(self, code: int) -> None:
        # Accepted only to be closed with a reason the page can read: a refused
        # handshake reaches the browser as a bare 1006, and it would retry forever.
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code):
        if getattr(self, "counted", False):
            self.counted = False
            metrics.WEBSOCKETS.dec()
        user_id = getattr(self, "user_id", None)
        if user_id is not None:
            sockets = _open_sockets.get(user_id, set())
            sockets.discard(self)
            if not sockets:
                _open_sockets.pop(user_id, None)
        if getattr(self, "rechecker", None) is not None:
            self.rechecker.cancel()
        if getattr(self, "fanout", None) is not None:
            try:
                await self.fanout.leave(self, self.groups_joined)
            except Exception:
                logger.warning("A live socket could not leave its groups", exc_info=True)
        if getattr(self, "writer", None) is not None:
            self.writer.cancel()

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        # Clients only listen and ping. The production server caps frames already
        # (kierratys/server.py); this holds under any server.
        if text_data is None:
            await self.close(code=CLOSE_UNSUPPORTED)
        elif len(text_data) > CLIENT_FRAME_MAX_BYTES:
            await self.close(code=CLOSE_TOO_BIG)
        else:
            try:
                content = json.loads(text_data)
            except ValueError:
                return
            await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        # A ping keeps proxies from closing idle sockets.
        if content == {"event": "ping"}:
            await self.send_json({"event": "pong", "data": {}})

    # --- the account, checked again while the socket is open -----------------------------

    async def _recheck_every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(max(0.1, seconds) * random.uniform(0.9, 1.1))  # spread them
            await self.recheck()

    async def recheck(self) -> None:
        """Close if the account no longer is what the socket's groups were chosen for.

        A change of account closes its sockets through the channel layer (regroup), but
        that message is lost when Redis is down. So each socket also looks itself: every
        LIVE_RECHECK_SECONDS, and when the fan-out had to join its groups again.
        """
        try:
            groups = await self._current_groups()
        except Exception:
            logger.warning("A live socket could not re-check its account", exc_info=True)
            return  # the database is busy or away: the next check will tell
        if groups is None:
            self._close_now(CLOSE_SIGNED_OUT)  # deactivated, signed out, password changed
        elif set(groups) != set(self.groups_joined):
            self._close_now(CLOSE_REGROUP)  # another unit or roles: reconnect for them

    async def _current_groups(self) -> list[str] | None:
        """The groups the socket's account has now; None when it no longer signs anyone in."""
        session = self.scope.get("session")
        if session is not None and session.session_key:
            # A fresh read of the session: it is gone after a sign-out, and its hash no
            # longer matches after a password change.
            store = import_module(settings.SESSION_ENGINE).SessionStore(session.session_key)
            user = await get_user({"session": store})
        else:  # a socket made without the session middleware (tests)
            user = await get_user_model().objects.filter(pk=self.user_id).afirst()
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if user.pk != self.user_id:
            return None
        return await self._groups_for(user)

    def _close_now(self, code: int) -> None:
        """Close after the event being written, dropping the rest: it may not be theirs."""
        self.outbox.clear()
        self._queue(code)

    def deliver(self, text: str, *, published: float | None = None) -> None:
        """Queue one event's JSON text for this socket; never waits. `published`: when its
        transaction committed (time.time()), for the lag metric once it is sent."""
        if len(self.outbox) >= OUTBOX_LIMIT:
            self.outbox.clear()
            self._queue(CLOSE_TOO_SLOW)  # close instead of replaying
        else:
            self._queue(text if published is None else (text, published))

    def regroup(self) -> None:
        """Close after what is queued; the page reconnects with the account's new groups."""
        self._queue(CLOSE_REGROUP)

    def _queue(self, item: str | tuple[str, float] | int) -> None:
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
                text, published = item if isinstance(item, tuple) else (item, None)
                await self.base_send({"type": "websocket.send", "text": text})
                if published is not None:
                    metrics.live_event_delivered(published)
        except Exception:
            # The socket closed under us; disconnect() cleans up.
            self.outbox.clear()
        finally:
            self.writer = None

    @staticmethod
    async def _groups_for(user) -> list[str]:
        """Only groups whose events the account may see: its listings' audience stages
        (listings.audience.groups_for) name these same groups."""
        roles = {name async for name in user.groups.values_list("name", flat=True)}
        groups = [live.user_group(user.pk)]
        if not user.unit_id:
            return groups
        groups.append(live.unit_group(user.unit_id))
        place = await (
            Unit.objects.filter(pk=user.unit_id)
            .values_list("department_id", "department__organisation_id")
            .afirst()
        )
        if place is None:
            return groups
        department_id, organisation_id = place
        groups += [live.department_group(department_id), live.organisation_group(organisation_id)]
        # Partnerships change by the day: the re-check picks a change up, and the
        # partnership services close the sockets at once (live.regroup_organisation).
        partners = [pk async for pk in partner_ids_of(organisation_id).order_by("pk")]
        groups += [live.partners_group(pk) for pk in partners]
        if roles & {WAREHOUSE, COORDINATOR}:  # who runs the task board (inventory.permissions)
            groups.append(live.warehouse_group(organisation_id))
        return groups
