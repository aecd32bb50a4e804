"""The catalogue's cards and filter form come from the cache (listings.fragments): what a
viewer sees is never an older card than the listing, another language's card or another
organisation's filter form, and the page costs the same queries and cache calls at any
page size."""

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory import services as inventory
from kierratys.accounts import hooks as account_hooks
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from listings import fragments, selectors
from listings import services as listing_services
from listings.models import Listing, ListingPhoto
from reservations import services as reservation_services

from ..factories import (
    DepartmentFactory,
    ListingFactory,
    UnitFactory,
    UserFactory,
    next_working_day,
    other_organisation,
    reserve,
    slot_for,
    warehouse_with_slots,
)

pytestmark = pytest.mark.django_db
URL = reverse("listings:catalogue")


@pytest.fixture
def viewer(client):
    user = UserFactory()
    client.force_login(user)
    return user


def page(client, language="en", **params) -> str:
    response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.text


def card(html: str, listing) -> str:
    """The listing's card on the page ('' when it is not there)."""
    found = re.search(rf'<li class="card-item" data-listing-id="{listing.pk}">.*?</li>', html, re.S)
    return found.group(0) if found else ""


def available(html: str, listing) -> int | None:
    found = re.search(r"<strong data-available>(\d+)</strong>", card(html, listing))
    return int(found.group(1)) if found else None


def test_a_reservation_changes_the_cached_card_and_the_last_piece_removes_it(client, viewer):
    listing = ListingFactory(title="Kolmen istuttava sohva", quantity=3)
    assert available(page(client), listing) == 3
    assert available(page(client), listing) == 3  # now from the cache

    reserve(listing, quantity=2)
    assert available(page(client), listing) == 1
    last = reserve(listing, quantity=1)
    assert card(page(client), listing) == ""  # nothing left to reserve

    reservation_services.reservation_cancel(actor=last.requested_by, reservation_id=last.pk)
    assert available(page(client), listing) == 1


def test_an_edited_title_and_cover_photo_show_at_once(client, viewer):
    listing = ListingFactory(title="Harmaa työtuoli")
    ListingPhoto.objects.create(
        listing=listing, position=0, large="a-large.jpg", thumb="a-thumb.jpg", width=4, height=3
    )
    second = ListingPhoto.objects.create(
        listing=listing, position=1, large="b-large.jpg", thumb="b-thumb.jpg", width=4, height=3
    )
    first = card(page(client), listing)
    assert "Harmaa työtuoli" in first and "a-thumb.jpg" in first

    listing_services.listing_update(
        actor=listing.created_by,
        listing_id=listing.pk,
        fields={"title": "Sininen työtuoli"},
        cover_photo_id=second.pk,
    )
    shown = card(page(client), listing)
    assert "Sininen työtuoli" in shown and "Harmaa" not in shown
    assert "b-thumb.jpg" in shown and "a-thumb.jpg" not in shown


def test_a_card_in_finnish_is_not_served_in_swedish(client, viewer):
    listing = ListingFactory(condition=Listing.Condition.GOOD)
    finnish = card(page(client, "fi"), listing)
    assert "Hyvä" in finnish and "saatavilla" in finnish
    swedish = card(page(client, "sv"), listing)
    assert "Bra" in swedish and "tillgängliga" in swedish and "Hyvä" not in swedish


def test_shelving_and_renaming_the_warehouse_change_the_card(
    client, viewer, django_capture_on_commit_callbacks
):
    warehouse, shelves, slots = warehouse_with_slots()
    driver = UserFactory(roles=[WAREHOUSE])
    sofa = ListingFactory(title="Sohva", quantity=1)
    assert "Varasto" not in card(page(client, "fi"), sofa)
    intake = inventory.intake_request(actor=UserFactory(unit=sofa.owner_unit), listing_id=sofa.pk)
    day = next_working_day()
    inventory.task_schedule(
        actor=driver, task_id=intake.pk, day=day, slot_id=slot_for(slots, day).pk
    )
    inventory.task_start(actor=driver, task_id=intake.pk, scanned_code=sofa.code)
    inventory.intake_shelve(actor=driver, task_id=intake.pk, location_id=shelves[0].pk)
    assert f"Varasto: {warehouse.name}" in card(page(client, "fi"), sofa)

    with django_capture_on_commit_callbacks(execute=True):
        inventory.warehouse_update(
            actor=UserFactory(roles=[COORDINATOR], unit=sofa.owner_unit),
            warehouse_id=warehouse.pk,
            name="Artukaisten varasto",
            street_address=warehouse.street_address,
            postal_code=warehouse.postal_code,
            city=warehouse.city,
        )
    assert "Varasto: Artukaisten varasto" in card(page(client, "fi"), sofa)


def test_a_renamed_unit_shows_on_its_cards(client, viewer):
    listing = ListingFactory()
    assert listing.owner_unit.name in card(page(client), listing)
    unit = listing.owner_unit
    unit.name = "Puolalan koulu"
    unit.save()
    account_hooks.organisation_changed()  # as the unit's admin page does on save
    assert "Puolalan koulu" in card(page(client), listing)


def test_a_cached_card_shows_nobody_a_listing_they_may_not_see(client, viewer):
    """The card is the same for everyone; who gets it is the catalogue's query."""
    own = ListingFactory(audience=Listing.Audience.DEPARTMENT, owner_unit=viewer.unit)
    assert card(page(client), own)
    assert client.get(reverse("listings:card", args=[own.pk])).status_code == 200

    colleague = UserFactory(unit=UnitFactory(department=viewer.unit.department))
    other_department = UserFactory(
        unit=UnitFactory(
            department=DepartmentFactory(organisation=viewer.unit.department.organisation)
        )
    )
    client.force_login(colleague)
    assert card(page(client), own)
    client.force_login(other_department)
    assert card(page(client), own) == ""
    assert client.get(reverse("listings:card", args=[own.pk])).status_code == 404


def test_the_filter_form_of_one_organisation_is_not_served_to_another(client):
    ours = UserFactory(unit=UnitFactory(name="Oma koulu"))
    stranger = other_organisation(2)
    theirs = UserFactory(
        unit=UnitFactory(
            name="Vieras koulu",
            department=DepartmentFactory(organisation=stranger, name="Vieras toimiala"),
        )
    )
    client.force_login(ours)
    mine = page(client, condition="good")
    assert "Oma koulu" in mine and "Vieras koulu" not in mine
    client.force_login(theirs)
    other = page(client, condition="good")  # the same address, the same language
    assert "Vieras koulu" in other and "Vieras toimiala" in other and "Oma koulu" not in other


def test_the_filter_form_keeps_the_choices_of_its_own_request(client, viewer):
    ListingFactory(condition=Listing.Condition.GOOD)
    chosen = page(client, condition="good", page=1)
    assert re.search(r'value="good"[^>]*checked', chosen)
    plain = page(client, q="tuoli")  # search words and the page are outside the form
    assert not re.search(r'value="good"[^>]*checked', plain)
    assert re.search(r'<option value="relevance" selected>', plain)
    assert re.search(r'<option value="newest" selected>', page(client))


class CacheCalls:
    """Counts the calls made on the default cache (the template tag's included); a call
    the backend makes of itself (the memory cache's get_many calls get) counts once."""

    NAMES = ("get", "get_many", "set", "set_many", "add", "delete", "delete_many", "incr")

    def __init__(self, monkeypatch):
        self.count, self.depth = 0, 0
        cache = caches["default"]
        for name in self.NAMES:
            original = getattr(cache, name)

            def counted(*args, _original=original, **kwargs):
                self.count += self.depth == 0
                self.depth += 1
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.depth -= 1

            monkeypatch.setattr(cache, name, counted)


@pytest.mark.parametrize("warm", [False, True], ids=["empty-cache", "warm-cache"])
def test_queries_and_cache_calls_are_the_same_at_any_page_size(client, viewer, monkeypatch, warm):
    for _ in range(50):
        ListingFactory()
    page(client)  # the session's first-visit work
    calls = CacheCalls(monkeypatch)
    measured = {}
    for size in (12, 24, 48):
        monkeypatch.setattr(selectors, "CATALOGUE_PAGE_SIZE", size)
        caches["default"].clear()
        if warm:
            page(client)  # the filter choices, the form and the cards
        calls.count = 0
        with CaptureQueriesContext(connection) as queries:
            html = page(client)
        assert html.count('class="card-item"') == size
        measured[size] = (len(queries), calls.count)
    assert measured[12] == measured[24] == measured[48], measured
    if warm:
        # session, user, roles, partners, count, page (+ savepoint); no announcement
        # query while none is current anywhere
        assert measured[24][0] <= 8
        # Each a round trip to Redis: the choices, the viewer's organisations, the pauses,
        # the announcements' time windows, a count past the cap, the cards (one get_many)
        # and the filter form.
        assert measured[24][1] <= 7, measured


def test_cards_with_signed_photo_addresses_are_kept_half_their_life(monkeypatch):
    """On S3 a photo's address is signed for a while: a card kept longer would show a
    broken image."""
    from types import SimpleNamespace

    unsigned = SimpleNamespace(querystring_auth=False)
    monkeypatch.setattr(fragments, "default_storage", unsigned)
    assert fragments.card_seconds() == fragments.CARD_SECONDS  # unsigned addresses never expire
    signed = SimpleNamespace(querystring_auth=True, querystring_expire=3600)
    monkeypatch.setattr(fragments, "default_storage", signed)
    assert fragments.card_seconds() == 1800
