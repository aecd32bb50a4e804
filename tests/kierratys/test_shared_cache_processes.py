"""Two processes, one cache: the production server in a process of its own serves the
catalogue while this process changes things through the services, both on the same
database and the same Redis. The server must show each change on the next page: cards by
their listing's version, and what the services forget (the filter choices, the pauses)
because the forgetting reaches its cache too. With a memory cache per process the pause
and the filter choices would stay stale in the server for minutes."""

import re

import pytest
import redis as redis_py
from django.conf import settings as django_settings

from kierratys.accounts import partnership_services
from kierratys.accounts.pauses import services as pauses
from kierratys.accounts.roles import COORDINATOR
from kierratys.common import cache as shared_cache
from listings import services as listing_services
from listings.models import Listing

from ..conftest import needs_postgres
from ..factories import (
    ListingFactory,
    OrganisationFactory,
    member_of,
    other_organisation,
    reserve,
    running_partnership,
    unit_of,
)
from ..support.servers import AsgiServer, Browserless, RedisServer, session_cookie_for

pytestmark = [
    needs_postgres,
    pytest.mark.skipif(not RedisServer.available(), reason="needs the redis-server binary"),
    pytest.mark.django_db(transaction=True),
]
PREFIX = "two-processes"


@pytest.fixture
def redis(settings):
    with RedisServer() as server:
        settings.CACHES = {
            "default": {
                **django_settings.CACHES["default"],
                "BACKEND": "kierratys.common.cache.SharedRedisCache",
                "LOCATION": server.url,
                "KEY_PREFIX": f"{PREFIX}:cache",  # as settings.py makes it of REDIS_PREFIX
                "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
            }
        }
        shared_cache._down_until.clear()
        yield server
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def card(html: str, listing) -> str:
    found = re.search(rf'<li class="card-item" data-listing-id="{listing.pk}">.*?</li>', html, re.S)
    return found.group(0) if found else ""


def test_what_one_process_changes_the_other_serves_at_once(redis):
    turku, kaarina = OrganisationFactory(), other_organisation(1)
    partnership = running_partnership(turku, kaarina)
    viewer = member_of(turku)
    chair = ListingFactory(title="Harmaa työtuoli", quantity=2, owner_unit=unit_of(turku))
    shelf_unit = unit_of(kaarina)
    shelf_unit.name = "Piikkiön koulu"
    shelf_unit.save()
    shelf = ListingFactory(
        title="Kirjaston hylly", owner_unit=shelf_unit, audience=Listing.Audience.PARTNERS
    )

    with AsgiServer(REDIS_URL=redis.url, REDIS_PREFIX=PREFIX) as server:
        browser = Browserless(server.base, session_cookie_for(viewer))

        def catalogue() -> str:
            status, html = browser.get("/listings/")
            assert status == 200, html[-2000:]
            return html

        first = catalogue()
        assert "Harmaa työtuoli" in card(first, chair) and ">2</strong>" in card(first, chair)
        assert "Piikkiön koulu" in card(first, shelf)
        assert "Piikkiön koulu" in first.split('id="results"')[0]  # a unit to filter by
        shared = redis_py.Redis.from_url(redis.url)
        assert shared.keys(f"{PREFIX}:cache:*listings:card:{chair.pk}:*"), "the server's cards"
        assert card(catalogue(), chair) == card(first, chair)

        listing_services.listing_update(
            actor=chair.created_by, listing_id=chair.pk, fields={"title": "Sininen työtuoli"}
        )
        reserve(chair, quantity=1)
        shown = card(catalogue(), chair)
        assert "Sininen työtuoli" in shown and ">1</strong>" in shown

        coordinator = member_of(turku, [COORDINATOR])
        pauses.pause_schedule(
            actor=coordinator,
            starts_on=chair.available_from,
            ends_on=chair.available_until,
            message_fi="Varasto muuttaa, tilaukset tauolla.",
        )
        assert "Varasto muuttaa, tilaukset tauolla." in catalogue()

        partnership_services.partnership_end(actor=coordinator, partnership_id=partnership.pk)
        after = catalogue()
        assert card(after, shelf) == ""
        assert "Piikkiön koulu" not in after  # the filter offers only what the viewer sees
