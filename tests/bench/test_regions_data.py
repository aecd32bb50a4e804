"""The catalogue benchmark's "regions" data (bench/_regions.py), made small: the viewer
sees about 5 % of the listings, every vector is the one refresh_vectors makes, and topping
up or cutting down reaches the size asked for."""

import pytest
from django.conf import settings
from django.db import connection
from stdnum.fi import ytunnus

from bench import _regions
from kierratys.accounts.models import Organisation, Unit
from kierratys.accounts.partnerships import Partnership, RegionMembership
from listings import search
from listings.models import Listing

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.USES_POSTGRES, reason="the data is made in PostgreSQL's SQL"),
]


def test_the_structure_is_made_once():
    viewer = _regions.seed_structure()
    counts = [
        Organisation.objects.count(),
        Unit.objects.count(),
        RegionMembership.objects.count(),
        Partnership.objects.count(),
    ]
    assert _regions.seed_structure() == viewer
    assert counts == [
        Organisation.objects.count(),
        Unit.objects.count(),
        RegionMembership.objects.count(),
        Partnership.objects.count(),
    ]
    assert counts == [40, 40 * 4 * 2, 40, 1]
    assert all(ytunnus.is_valid(o.business_id) for o in Organisation.objects.all())
    assert len({o.business_id for o in Organisation.objects.all()}) == 40


def test_the_viewer_sees_about_five_percent_and_vectors_match():
    assert _regions.generate(4000, out=lambda *_: None) == 4000
    share = _regions.viewer_share(_regions.seed_structure())
    assert share["partners"] == 5
    assert 0.035 <= share["visible_share"] <= 0.065
    assert 0 < share["in_catalogue"] <= share["visible_by_stage"]
    assert Listing.objects.filter(description__startswith="Jugend").exists()

    sample = list(Listing.objects.order_by("pk").values_list("pk", flat=True)[::500])
    with connection.cursor() as cursor:
        query = (
            "SELECT id, search_vector::text FROM listings_listing WHERE id = ANY(%s) ORDER BY id"
        )
        cursor.execute(query, [sample])
        made = cursor.fetchall()
        search.refresh_vectors(sample)
        cursor.execute(query, [sample])
        assert cursor.fetchall() == made

    assert _regions.generate(4500, out=lambda *_: None) == 4500  # topped up
    assert _regions.generate(1000, out=lambda *_: None) == 1000  # cut down
    assert not Listing.objects.filter(code__gt="B-0001000").exists()
