"""Per-minute call counts in the cache every process shares (kierratys.common.cache)."""

import time

from django.core.cache import cache


def per_minute_allows(name: str, who: str, limit: int) -> bool:
    """Count one more `name` call by `who` in this clock minute; False once over `limit`.
    With Redis away the shared cache counts nothing and lets the call through."""
    return per_minute_count(name, who) <= limit


def seconds_left_in_minute() -> int:
    """Until the counters of `per_minute_count` start again (1 to 60)."""
    return 60 - int(time.time() % 60)


def per_minute_count(name: str, who: str) -> int:
    """Count one more `name` call by `who` in this clock minute; the count so far."""
    key = f"{name}-rate:{who}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=90)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=90)
        count = 1
    return count
