"""The cache every server process and worker shares: Django's Redis cache, forgiving.

With REDIS_URL set, settings.CACHES points here, so what one process caches or forgets
(the catalogue's filter choices, the search and photo-upload counters) holds in all of
them. Without it each process has its own memory cache, which is right for one process.

Django's RedisCache raises when Redis is down, and every page that reads the filter
choices would answer 500. Here a failing Redis is an empty cache instead: reads miss
(callers load from the database), writes are dropped, counters start from nothing (the
rate limits let requests through rather than refuse everyone). After a failure the cache
is not tried for RETRY_SECONDS, so a Redis that never answers costs one connect timeout
per process in that time, not one per cache call. Deletes are always tried, so an
invalidation is lost only while Redis really is unreachable, and then it is logged: the
entry may be stale until its timeout (a Redis that restarts empty holds nothing stale).

`clear()` deletes only this cache's keys (its KEY_PREFIX), never the whole Redis
database, which the channel layer may share.
"""

import logging
import re
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
# Until when (time.monotonic()) each Redis is left alone, per server list: one value for
# every thread of the process (Django makes a cache object per thread).
_down_until: dict[tuple, float] = {}


def _guarded(function, fallback, *, while_down: bool = True):
    """`function` (a RedisCache method), answering `fallback(*args)` when Redis fails, and
    in the pause after a failure without trying it (unless `while_down` is False)."""
    name = function.__name__.strip("_")

    def method(self, *args, **kwargs):
        servers = tuple(self._servers)
        if while_down and time.monotonic() < _down_until.get(servers, 0.0):
            return fallback(*args, **kwargs)
        try:
            result = function(self, *args, **kwargs)
        except RedisError as error:
            pausing = time.monotonic() >= _down_until.get(servers, 0.0)
            _down_until[servers] = time.monotonic() + RETRY_SECONDS
            if not while_down:
                logger.warning(
                    "The shared cache could not %s (%s): entries may be stale until they expire",
                    name,
                    error,
                )
            elif pausing:
                logger.warning(
                    "The shared cache is unreachable (%s): going on without it, trying again "
                    "in %.0f s",
                    error,
                    RETRY_SECONDS,
                )
            return fallback(*args, **kwargs)
        _down_until.pop(servers, None)
        return result

    method.__name__ = function.__name__
    return method


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _clear(cache: RedisCache) -> None:
    if not cache.key_prefix:
        RedisCache.clear(cache)
        return
    client = cache._cache.get_client(write=True)
    pattern = re.sub(r"([*?\[\]\\])", r"\\\1", cache.key_prefix) + ":*"
    batch = []
    for key in client.scan_iter(match=pattern, count=500):
        batch.append(key)
        if len(batch) == 500:
            client.delete(*batch)
            batch = []
    if batch:
        client.delete(*batch)


class SharedRedisCache(RedisCache):
    get = _guarded(RedisCache.get, lambda key, default=None, version=None: default)
    get_many = _guarded(RedisCache.get_many, lambda keys, version=None: {})
    has_key = _guarded(RedisCache.has_key, _false)
    set = _guarded(RedisCache.set, _nothing)
    # The keys not stored: all of them.
    set_many = _guarded(RedisCache.set_many, lambda data, timeout=None, version=None: list(data))
    add = _guarded(RedisCache.add, _false)
    touch = _guarded(RedisCache.touch, _false)
    # As if the counter had just been made at zero (decr is incr with -delta).
    incr = _guarded(RedisCache.incr, lambda key, delta=1, version=None: delta)
    delete = _guarded(RedisCache.delete, _false, while_down=False)
    delete_many = _guarded(RedisCache.delete_many, _nothing, while_down=False)

    clear = _guarded(_clear, _nothing, while_down=False)
