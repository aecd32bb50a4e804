"""Live-update plumbing: services publish events, websocket consumers forward them.

Events are `{"event": NAME, "data": {...}}`. They leave only after the transaction commits
(nothing on rollback), all events of one transaction in one send. A failing channel layer
is logged, never raised: pages and reservations must keep working when Redis is down.

With Redis, sends go through one background event loop and never block the request.
The in-memory layer (development, tests) must be used from the server's own loop, so
there the send happens in place.
"""

import asyncio
import json
import logging
import threading
import time

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

from kierratys.common.hooks import Hook

logger = logging.getLogger(__name__)

SEND_TIMEOUT = 2.0
SEND_LINGER = 0.005  # seconds a batch waits for more events (_Sender)


# Each event as it is published, inside the publishing transaction: kierratys.webhooks
# writes its outbox rows here, so they commit or roll back with the change.
published = Hook("live.published")

# Not an event for pages: it tells the server to close a user's sockets (see regroup_user).
REGROUP = "live.regroup"
# Nor this: each of the user's sockets reads its session again (see recheck_user).
RECHECK = "live.recheck"


def unit_group(unit_id: int) -> str:
    return f"unit-{unit_id}"


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def department_group(department_id: int) -> str:
    """Every socket of the department's people (a listing at the department stage)."""
    return f"department-{department_id}"


def organisation_group(organisation_id: int) -> str:
    """Every socket of the organisation's people: a listing at the organisation stage, and
    regrouping them all at once."""
    return f"organisation-{organisation_id}"


def partners_group(organisation_id: int) -> str:
    """Every socket whose organisation is a partner of this one today (a listing of this
    organisation at the partners stage). Not the organisation's own people."""
    return f"partners-of-{organisation_id}"


def warehouse_group(organisation_id: int) -> str:
    """The warehouse staff and coordinators of the organisation: its warehouses' tasks, and
    its listings that only their owners see."""
    return f"warehouse-{organisation_id}"


async def _group_send(layer, group: str, message: dict) -> None:
    try:
        await layer.group_send(group, message)
    except Exception:
        # After Redis restarts, the first use of each pooled connection fails (Redis closed
        # it); the retry gets a new one. Without it the first batch after a restart is lost.
        await layer.group_send(group, message)


async def _send_all(layer, events, *, published: float | None = None) -> None:
    """One group_send per group, carrying all its events in order.

    Each event's JSON text is made once here, not once per open socket. `published` (the
    commit's time.time(), the oldest one's for a batch) rides along for the lag metric.
    """
    texts: dict[str, list[str]] = {}
    regroup: set[str] = set()
    recheck: set[str] = set()
    for groups, event, data in events:
        if event in (REGROUP, RECHECK):
            (regroup if event == REGROUP else recheck).update(groups)
            for group in groups:
                texts.setdefault(group, [])
            continue
        text = json.dumps({"event": event, "data": data})
        for group in dict.fromkeys(groups):
            texts.setdefault(group, []).append(text)
    messages = [
        (
            group,
            {"type": "live.events", "group": group, "texts": group_texts}
            | ({"published": published} if published is not None else {})
            | ({"regroup": True} if group in regroup else {})
            | ({"recheck": True} if group in recheck else {}),
        )
        for group, group_texts in texts.items()
    ]
    if hasattr(layer, "group_send_many"):  # kierratys.live.layers: one round trip, retried
        await asyncio.wait_for(layer.group_send_many(messages), SEND_TIMEOUT)
        return
    sends = [_group_send(layer, group, message) for group, message in messages]
    results = await asyncio.wait_for(asyncio.gather(*sends, return_exceptions=True), SEND_TIMEOUT)
    for result in results:
        if isinstance(result, BaseException):
            raise result


class _Sender:
    """One background event loop for a network channel layer (Redis).

    Sends go out one batch at a time: what commits while a batch is on its way waits for
    it and goes in the next one. Under load that is one publish per group for many
    transactions instead of one per group per transaction, and events keep their order.
    """

    def __init__(self):
        self.loop = None
        self.lock = threading.Lock()
        self.pending: list[tuple[object, list, float]] = []
        self.sending = False

    def submit(self, layer, events, published: float) -> None:
        with self.lock:
            if self.loop is None or self.loop.is_closed():
                self.loop = asyncio.new_event_loop()
                threading.Thread(
                    target=self.loop.run_forever, name="live-sender", daemon=True
                ).start()
            self.pending.append((layer, events, published))
            if self.sending:
                return
            self.sending = True
        asyncio.run_coroutine_threadsafe(self._send_batches(), self.loop)

    async def _send_batches(self) -> None:
        try:
            # Gather what else commits meanwhile: alone, most batches carried one
            # transaction's events, so each paid a wake-up and a Redis round trip; 5 ms
            # later they carry several (issue 22), and no page can tell 5 ms.
            await asyncio.sleep(SEND_LINGER)
            while batch := self._take():
                await self._send(batch)
        except BaseException:  # cancelled with its loop: the next submit starts afresh
            with self.lock:
                self.sending = False
            raise

    def _take(self) -> list:
        with self.lock:
            batch, self.pending = self.pending, []
            if not batch:
                self.sending = False
            return batch

    @staticmethod
    async def _send(batch) -> None:
        by_layer: dict[int, tuple[object, list, list[float]]] = {}
        for layer, events, published in batch:
            _layer, merged, times = by_layer.setdefault(id(layer), (layer, [], []))
            merged.extend(events)
            times.append(published)
        for layer, events, times in by_layer.values():
            try:
                await _send_all(layer, events, published=min(times))
            except Exception as error:
                logger.warning("Live events were not delivered: %r", error)


_sender = _Sender()


def send_events(events: list[tuple[list[str], str, dict]]) -> None:
    """Send now (outside any transaction). Failures are logged."""
    layer = get_channel_layer()
    if layer is None or not events:
        return
    published = time.time()  # the commit, for the lag metric (observability.metrics)
    try:
        if isinstance(layer, InMemoryChannelLayer):
            async_to_sync(_send_all)(layer, events, published=published)
        else:
            _sender.submit(layer, events, published)
    except Exception:
        logger.warning("Live events were not delivered", exc_info=True)


def publish(groups: list[str], event: str, data: dict, *, key: str | None = None) -> None:
    """Publish once the current transaction commits; nothing on rollback.

    All events of one transaction leave in one send, after commit. An event with a `key`
    (e.g. "listing:42") replaces an earlier one with the same key in that transaction, so
    a cancel that promotes three waiting reservations announces the listing once, with its
    final quantity. Outside a transaction the event is sent at once.
    """
    published(groups=groups, event=event, data=data)  # in the same transaction (webhooks)
    connection = transaction.get_connection()
    entry = (key, (list(groups), event, dict(data)))
    if not connection.in_atomic_block:
        send_events([entry[1]])
        return
    # Each event is confirmed by its own on_commit callback, so an event published inside
    # a savepoint that rolls back is dropped with it (Django discards those callbacks).
    transaction.on_commit(lambda: _confirmed(connection).append(entry))
    # The one send must come after every confirmation: each publish adds a flush behind its
    # confirmation, and only the newest flush sends. Flushes stand outside any savepoint
    # (no savepoint ids), so a rollback never drops the send of the events that survive.
    generation = getattr(connection, "_live_generation", 0) + 1
    connection._live_generation = generation
    connection.run_on_commit.append((set(), lambda: _flush(connection, generation), False))


def _confirmed(connection) -> list:
    if not hasattr(connection, "_live_confirmed"):
        connection._live_confirmed = []
    return connection._live_confirmed


def _flush(connection, generation: int) -> None:
    if generation != connection._live_generation:
        return  # a later flush sends them all
    entries, connection._live_confirmed = _confirmed(connection), []
    latest = {key: index for index, (key, _event) in enumerate(entries) if key is not None}
    events = [
        event for index, (key, event) in enumerate(entries) if key is None or latest[key] == index
    ]
    if events:
        send_events(events)


def regroup_user(user_id: int) -> None:
    """Once the current transaction commits, close the user's open sockets.

    A socket's groups are chosen when it connects. After a change of unit or roles, or a
    deactivation, its pages reconnect by themselves and get the groups the account has now
    (a deactivated account is refused), so no event reaches them that they may no longer see.
    """
    publish([user_group(user_id)], REGROUP, {}, key=f"regroup:{user_id}")


def regroup_organisation(organisation_id: int) -> None:
    """Once the current transaction commits, close the open sockets of everyone in the
    organisation, so that they reconnect with the groups it has now (a partnership began
    or ended: which listings they may hear of changed)."""
    publish(
        [organisation_group(organisation_id)],
        REGROUP,
        {},
        key=f"regroup-organisation:{organisation_id}",
    )


def recheck_user(user_id: int) -> None:
    """Once the current transaction commits, have each of the user's open sockets, in every
    server process, read its session again: those whose session was ended close with 4401
    (signed out), the others stay open (see accounts.services.user_sessions_end)."""
    publish([user_group(user_id)], RECHECK, {}, key=f"recheck:{user_id}")
