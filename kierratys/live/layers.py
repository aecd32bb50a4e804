"""The Redis pub/sub channel layer, with one round trip for all the groups of a send.

channels-redis publishes each `group_send` on its own, one after another under a lock per
Redis connection: a batch of reservations on a busy listing touches some thirty groups
(each reserving unit's, the owner's, the listing's audience), so thirty round trips, and
on one hot listing that was a quarter of the reserving process's interpreter time
(issue 22). `group_send_many` sends them as one pipeline instead. Messages, channel
names and subscribers are the layer's own, so its receivers see no difference.
"""

from channels_redis.pubsub import RedisPubSubChannelLayer


class PipelinedPubSubChannelLayer(RedisPubSubChannelLayer):
    async def group_send_many(self, messages: list[tuple[str, dict]]) -> None:
        """`group_send` for each (group, message), in order, one pipeline per shard.

        Uses the loop layer's channel names, shards and connection; tests/kierratys/
        test_live_cross_process.py runs it against a real Redis, so a channels-redis
        upgrade that changed them fails there.
        """
        layer = self._get_layer()
        by_shard: dict[int, tuple[object, list[tuple[str, bytes]]]] = {}
        for group, message in messages:
            channel = layer._get_group_channel_name(group)
            shard = layer._get_shard(channel)
            by_shard.setdefault(id(shard), (shard, []))[1].append(
                (channel, self.serialize(message))
            )
        for shard, items in by_shard.values():
            try:
                await self._publish(shard, items)
            except Exception:
                # After Redis restarts, the first use of a pooled connection fails (Redis
                # closed it); the retry gets a new one. Only this shard's part again, so no
                # other shard's groups hear it twice.
                await self._publish(shard, items)

    @staticmethod
    async def _publish(shard, items: list[tuple[str, bytes]]) -> None:
        async with shard._lock:
            shard._ensure_redis()
            pipe = shard._redis.pipeline(transaction=False)
            for channel, data in items:
                pipe.publish(channel, data)
            await pipe.execute()
