"""The cache shared by every process (Redis, kierratys/common/cache.py): a Redis outage is an
empty cache, never an error page; `clear()` leaves other users of the Redis alone."""

import json
import subprocess
import sys
import time

import pytest
import redis as redis_py
from django.core.cache import cache
from django.urls import reverse

from kierratys.common import cache as shared_cache

from ..factories import CategoryFactory, ListingFactory, UserFactory
from ..images import jpeg_upload
from ..listings.test_listing_pages import form_data
from ..support.servers import ROOT, RedisServer

pytestmark = [
    pytest.mark.skipif(not RedisServer.available(), reason="needs the redis-server binary"),
    pytest.mark.django_db,
]


@pytest.fixture
def redis(settings):
    """A Redis of the test's own as the cache, which the test may stop."""
    with RedisServer() as server:
        settings.CACHES = {
            "default": {
                "BACKEND": "kierratys.common.cache.SharedRedisCache",
                "LOCATION": server.url,
                "KEY_PREFIX": "t:cache",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }
        shared_cache._down_until.clear()
        yield server
        shared_cache._down_until.clear()
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def catalogue(client, **params):
    return client.get(reverse("listings:catalogue"), params, HTTP_ACCEPT_LANGUAGE="en")


def test_with_redis_down_the_catalogue_search_and_photos_still_work(redis, client):
    CategoryFactory(name_en="Armchairs")
    ListingFactory(title="Green armchair")
    user = UserFactory()
    client.force_login(user)
    assert "Armchairs" in catalogue(client).text
    assert redis_py.Redis.from_url(redis.url).keys("t:cache:*"), "the choices are in Redis"

    redis.stop()
    started = time.monotonic()
    page = catalogue(client)
    assert page.status_code == 200
    assert "Armchairs" in page.text  # the filter choices, loaded from the database
    searched = catalogue(client, q="armchair")
    assert searched.status_code == 200 and "Green armchair" in searched.text
    photos = [jpeg_upload(f"IMG_{i}.jpg") for i in range(2)]
    data = {**form_data(CategoryFactory()), "photos": photos}
    listed = client.post(reverse("listings:create"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert listed.status_code == 302  # the hourly photo counter is skipped, not a 500
    # Refused at once, and then not tried again for a while: no timeout per cache call.
    assert time.monotonic() - started < 5


def test_after_an_outage_the_cache_is_used_again(redis, client, monkeypatch):
    monkeypatch.setattr(shared_cache, "RETRY_SECONDS", 0.2)
    client.force_login(UserFactory())
    redis.stop()
    assert catalogue(client).status_code == 200
    redis.start()  # the same port, empty
    time.sleep(0.3)
    assert catalogue(client).status_code == 200
    assert redis_py.Redis.from_url(redis.url).keys("t:cache:*"), "cached again"


def test_a_counter_counts_across_cache_objects_and_starts_afresh_when_redis_is_down(redis):
    from django.core.cache import caches

    # Two cache objects, as two processes have: one counter.
    one, other = caches.create_connection("default"), caches.create_connection("default")
    assert one.add("counter", 0)
    assert one.incr("counter") == 1
    assert other.incr("counter", 2) == 3
    redis.stop()
    assert other.incr("counter", 2) == 2  # as if just made
    assert other.get("counter", "missing") == "missing"
    assert other.add("counter", 0) is False


def test_clear_deletes_only_the_caches_own_keys(redis):
    neighbour = redis_py.Redis.from_url(redis.url)
    neighbour.set("kierratys:group:somebody", "a channel layer's key")
    cache.set("choices", [1, 2, 3])
    cache.clear()
    assert cache.get("choices") is None
    assert neighbour.get("kierratys:group:somebody") == b"a channel layer's key"


PROBE = """
import json
from django.conf import settings
print(json.dumps(settings.CACHES["default"]))
"""


def caches_with(**env) -> dict:
    from .test_settings import clean_env

    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_cache_is_redis_with_redis_url_and_process_memory_without():
    shared = caches_with(REDIS_URL="redis://redis.internal:6379/0", REDIS_PREFIX="turku")
    assert shared == {
        "BACKEND": "kierratys.common.cache.SharedRedisCache",
        "LOCATION": "redis://redis.internal:6379/0",
        "KEY_PREFIX": "turku:cache",
        "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
    }
    alone = caches_with()
    assert alone["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
