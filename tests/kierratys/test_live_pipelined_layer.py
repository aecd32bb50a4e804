"""The pub/sub layer that sends a batch of groups in one pipeline, against a real Redis."""

import asyncio

import pytest

from kierratys import live
from kierratys.live.layers import PipelinedPubSubChannelLayer

from ..support.servers import RedisServer

pytestmark = pytest.mark.skipif(not RedisServer.available(), reason="needs the redis-server binary")


@pytest.fixture
def redis():
    with RedisServer() as server:
        yield server


def _url(redis) -> str:
    return f"redis://127.0.0.1:{redis.port}/0"


async def _subscribed(layer, groups):
    channel = await layer.new_channel("live.")
    for group in groups:
        await layer.group_add(group, channel)
    return channel


async def test_each_group_gets_its_own_messages_in_order_and_once(redis):
    layer = PipelinedPubSubChannelLayer(hosts=[_url(redis)], prefix="t")
    reader = PipelinedPubSubChannelLayer(hosts=[_url(redis)], prefix="t")
    first = await _subscribed(reader, ["unit-1", "organisation-1"])
    second = await _subscribed(reader, ["unit-2"])
    await layer.group_send_many(
        [
            ("unit-1", {"type": "live.events", "n": 1}),
            ("organisation-1", {"type": "live.events", "n": 2}),
            ("unit-2", {"type": "live.events", "n": 3}),
            ("nobody-listens", {"type": "live.events", "n": 4}),
        ]
    )
    assert [(await asyncio.wait_for(reader.receive(first), 2))["n"] for _ in range(2)] == [1, 2]
    assert (await asyncio.wait_for(reader.receive(second), 2))["n"] == 3
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(reader.receive(second), 0.3)
    await layer.flush()
    await reader.flush()


async def test_the_live_plumbing_sends_a_batch_through_it(redis, monkeypatch):
    layer = PipelinedPubSubChannelLayer(hosts=[_url(redis)], prefix="t")

    async def one_by_one(*args):
        raise AssertionError("each group on its own, not one pipeline")

    monkeypatch.setattr(layer, "group_send", one_by_one)
    reader = PipelinedPubSubChannelLayer(hosts=[_url(redis)], prefix="t")
    channel = await _subscribed(reader, ["unit-7", "organisation-3"])
    events = [
        (["unit-7", "organisation-3"], "listing.changed", {"id": 5}),
        (["unit-7"], "reservation.changed", {"id": 9}),
    ]
    await live._send_all(layer, events, published=1.0)
    received = [await asyncio.wait_for(reader.receive(channel), 2) for _ in range(2)]
    assert {m["group"]: len(m["texts"]) for m in received} == {"unit-7": 2, "organisation-3": 1}
    await layer.flush()
    await reader.flush()
