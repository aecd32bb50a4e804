"""Listings through the API: exactly what the catalogue page shows the same unit (its
FilterSet, search and visibility), cursor pages of constant cost, ETag and 304."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from listings.models import Listing
from tests.factories import (
    CategoryFactory,
    DepartmentFactory,
    ListingFactory,
    UnitFactory,
    member_of,
    other_organisation,
    running_partnership,
    unit_of,
)

from .conftest import problem_of

pytestmark = pytest.mark.django_db
LISTINGS = "/api/v1/listings/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def _catalogue_ids(client, user, params=None):
    client.force_login(user)
    response = client.get(reverse("listings:catalogue"), params or {})
    client.logout()
    return [listing.pk for listing in response.context["page"].object_list]


@pytest.fixture
def world(turku, school):
    """Listings some of which the school may see: its organisation's, a partner's at the
    partner stage; not another organisation's, a draft, a withdrawn one, another
    department's at the department stage, a future one."""
    partner = other_organisation(1)
    stranger = other_organisation(2)
    running_partnership(turku, partner)
    other_department = UnitFactory(department=DepartmentFactory(organisation=turku))
    seen = [
        ListingFactory(title="Tuoli A", owner_unit=other_department),
        ListingFactory(
            title="Kumppanin pöytä",
            owner_unit=unit_of(partner),
            audience=Listing.Audience.PARTNERS,
        ),
    ]
    hidden = [
        ListingFactory(title="Vieras", owner_unit=unit_of(stranger)),
        ListingFactory(
            title="Luonnos",
            owner_unit=other_department,
            status=Listing.Status.DRAFT,
            published_at=None,
        ),
        ListingFactory(
            title="Poistettu", owner_unit=other_department, status=Listing.Status.WITHDRAWN
        ),
        ListingFactory(
            title="Osaston oma", owner_unit=other_department, audience=Listing.Audience.DEPARTMENT
        ),
        ListingFactory(
            title="Myöhemmin",
            owner_unit=other_department,
            available_from=timezone.localdate() + timedelta(days=3),
        ),
    ]
    return seen, hidden


def test_the_api_shows_exactly_what_the_catalogue_page_shows_the_unit(api, client, world, school):
    seen, hidden = world
    ids = _ids(api.get(LISTINGS))
    assert sorted(ids) == sorted(listing.pk for listing in seen)
    assert ids == _catalogue_ids(client, member_of(unit=school))


@pytest.mark.parametrize(
    "params",
    [{"available_now": "0"}, {"sort": "title"}, {"q": "tuoli"}, {"location": "unit"}],
)
def test_filters_and_search_are_the_catalogues(api, client, world, school, params):
    assert _ids(api.get(LISTINGS, params)) == _catalogue_ids(client, member_of(unit=school), params)


def test_a_filter_value_the_page_would_drop_is_a_400_here(api, world):
    body = problem_of(api.get(LISTINGS, {"width_min": "abc", "condition": "mint"}, **EN), 400)
    assert {e["parameter"] for e in body["errors"]} == {"width_min", "condition"}


def test_an_over_long_search_is_refused_with_the_pages_words(api, world):
    body = problem_of(api.get(LISTINGS, {"q": "x" * 101}, **EN), 400)
    assert body["errors"] == [
        {"parameter": "q", "detail": "The search is too long. Use at most 100 characters."}
    ]


def test_another_organisations_listing_is_404_and_a_visible_one_is_there(api, world):
    seen, hidden = world
    response = api.get(f"{LISTINGS}{seen[0].pk}/")
    assert response.status_code == 200
    assert response.json()["title"] == "Tuoli A"
    # Another organisation's, another's draft, another department's at its stage. (A
    # withdrawn item's page stays readable to its audience, as on the pages.)
    for listing in (hidden[0], hidden[1], hidden[3]):
        problem_of(api.get(f"{LISTINGS}{listing.pk}/"), 404)


def test_cursor_pages_walk_everything_once(api, school):
    made = [ListingFactory() for _ in range(7)]
    seen, url = [], LISTINGS + "?page_size=3"
    while url:
        page = api.get(url).json()
        seen += [item["id"] for item in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(listing.pk for listing in made)
    assert len(seen) == len(set(seen))


def test_the_query_count_does_not_grow_with_the_page_size(api, school):
    category = CategoryFactory()
    for _ in range(30):
        ListingFactory(category=category)
    api.get(LISTINGS, {"page_size": "1"})  # warm the cached filter choices
    with CaptureQueriesContext(connection) as one:
        api.get(LISTINGS, {"page_size": "1"})
    with CaptureQueriesContext(connection) as thirty:
        assert len(_ids(api.get(LISTINGS, {"page_size": "30"}))) == 30
    assert len(thirty) == len(one)


def test_an_unchanged_answer_is_304_with_its_etag(api, school):
    listing = ListingFactory()
    first = api.get(LISTINGS)
    etag = first["ETag"]
    again = api.get(LISTINGS, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    detail = api.get(f"{LISTINGS}{listing.pk}/")
    assert api.get(f"{LISTINGS}{listing.pk}/", HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304
    Listing.objects.filter(pk=listing.pk).update(title="Uusi nimi")
    changed = api.get(LISTINGS, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_categories_are_listed(api):
    category = CategoryFactory(name_en="Desks")
    names = [c["name_en"] for c in api.get("/api/v1/categories/").json()]
    assert category.name_en in names


@pytest.mark.parametrize("sort", ["relevance", "title", "most", "oldest"])
def test_cursor_pages_follow_every_sort_of_the_catalogue(api, school, sort):
    # Equal ranks on PostgreSQL, where a rank is a 4-byte real: the cursor must compare it
    # exactly, or the next page starts again with the ties of the page before.
    description = "Siistissä kunnossa. Noudettavissa arkisin klo 8–15."
    titles = ["Pinottava tuoli, punainen", "Ruokalan tuoli", "Pinottava tuoli, koivu"]
    made = [
        ListingFactory(title=title, description=description, quantity=1 + n % 3)
        for n, title in enumerate(titles * 2)
    ]
    seen, url = [], f"{LISTINGS}?page_size=2&q=tuoli&sort={sort}"
    while url:
        page = api.get(url)
        assert page.status_code == 200, page.content
        seen += [item["id"] for item in page.json()["results"]]
        url = page.json()["next"]
    assert sorted(seen) == sorted(listing.pk for listing in made)
