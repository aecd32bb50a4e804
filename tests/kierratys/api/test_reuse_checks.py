"""The reuse check before buying (issue 19, item 6): what the unit could reserve instead,
by the catalogue's own visibility, recorded with what came of it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kierratys.api.models import ReuseCheck, Scope
from listings.models import Listing
from tests.factories import (
    CategoryFactory,
    ListingFactory,
    other_organisation,
    reserve,
    unit_of,
)

from .conftest import Api, make_token, problem_of

pytestmark = pytest.mark.django_db
CHECKS = "/api/v1/reuse-checks/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def chairs():
    top = CategoryFactory()
    return top, CategoryFactory(parent=top)


def _ask(api, category, quantity=4, days=14, **extra):
    needed_by = timezone.localdate() + timedelta(days=days)
    body = {"category": category.pk, "quantity": quantity, "needed_by": str(needed_by), **extra}
    return api.post(CHECKS, body, **EN)


def test_the_check_answers_what_the_unit_may_reserve_and_records_it(api, turku, school, chairs):
    top, sub = chairs
    today = timezone.localdate()
    big = ListingFactory(category=sub, owner_unit=unit_of(turku), quantity=3)
    small = ListingFactory(category=top, owner_unit=unit_of(turku), quantity=1)
    later = ListingFactory(
        category=top,
        owner_unit=unit_of(turku),
        quantity=2,
        available_from=today + timedelta(days=5),
    )
    hidden = [
        ListingFactory(category=top, owner_unit=school),  # our own
        ListingFactory(category=top, owner_unit=unit_of(other_organisation(1))),
        ListingFactory(category=top, owner_unit=unit_of(turku), status=Listing.Status.DRAFT),
        ListingFactory(
            category=top, owner_unit=unit_of(turku), available_from=today + timedelta(days=30)
        ),
        ListingFactory(category=CategoryFactory(), owner_unit=unit_of(turku)),
    ]
    response = _ask(api, top, quantity=4, reference="PR-2026-17")
    assert response.status_code == 201, response.content
    body = response.json()
    ids = [m["id"] for m in body["matches"]]
    assert ids[0] == big.pk and set(ids) == {big.pk, small.pk, later.pk}
    assert not set(ids) & {h.pk for h in hidden}
    assert (body["listings_found"], body["items_found"], body["enough"]) == (3, 6, True)
    first = body["matches"][0]
    assert first["reserve"]["method"] == "POST" and first["reserve"]["body"] == {"listing": big.pk}
    assert first["reserve"]["href"].endswith("/api/v1/reservations/")
    assert first["reserve_page"].endswith(f"/listings/{big.pk}/reserve/")
    assert {m["id"]: m["reservable_now"] for m in body["matches"]}[later.pk] is False
    assert response["Location"].endswith(f"/api/v1/reuse-checks/{body['id']}/outcome/")
    check = ReuseCheck.objects.get(pk=body["id"])
    assert (check.unit, check.quantity, check.reference) == (school, 4, "PR-2026-17")
    assert check.outcome == ""


def test_nothing_found_is_still_a_recorded_check(api, chairs):
    body = _ask(api, chairs[0], quantity=2).json()
    assert body["matches"] == [] and body["enough"] is False
    assert ReuseCheck.objects.count() == 1


@pytest.mark.parametrize(
    "change, pointer",
    [
        ({"quantity": 0}, "#/quantity"),
        ({"needed_by": "2020-01-01"}, "#/needed_by"),
        ({"category": 999999}, "#/category"),
        ({"colour": "red"}, "#/colour"),
        ({"reference": "x" * 101}, "#/reference"),
        ({"quantity": "2"}, "#/quantity"),
    ],
)
def test_bad_input_is_400_and_records_nothing(api, chairs, change, pointer):
    body = {
        "category": chairs[0].pk,
        "quantity": 1,
        "needed_by": str(timezone.localdate()),
        **change,
    }
    response = api.post(CHECKS, body, **EN)
    assert pointer in [e["pointer"] for e in problem_of(response, 400)["errors"]]
    assert not ReuseCheck.objects.exists()


def test_outcome_reserved_with_the_reservation(api, turku, school, chairs):
    listing = ListingFactory(category=chairs[0], owner_unit=unit_of(turku), quantity=2)
    check = _ask(api, chairs[0], quantity=1).json()
    reserved = api.post(
        "/api/v1/reservations/",
        {
            "listing": listing.pk,
            "quantity": 1,
            "contact_name": "Anna Virtanen",
            "contact_phone": "040 123 4567",
        },
    ).json()
    response = api.post(
        check["outcome_url"], {"outcome": "reserved", "reservation": reserved["id"]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "reserved"
    again = api.post(check["outcome_url"], {"outcome": "bought_new", "reason": "no_match"}, **EN)
    assert problem_of(again, 409)["detail"] == "What came of this check is already recorded."
    row = ReuseCheck.objects.get(pk=check["id"])
    assert row.reservation_id == reserved["id"] and row.outcome_at


def test_outcome_bought_new_needs_a_reason_and_other_needs_words(api, chairs):
    check = _ask(api, chairs[0]).json()
    url = check["outcome_url"]
    no_reason = api.post(url, {"outcome": "bought_new"}, **EN)
    assert problem_of(no_reason, 400)["errors"][0]["pointer"] == "#/reason"
    no_words = api.post(url, {"outcome": "bought_new", "reason": "other"}, **EN)
    assert problem_of(no_words, 400)["errors"][0]["pointer"] == "#/reason_text"
    unknown = api.post(url, {"outcome": "bought_new", "reason": "cheaper"}, **EN)
    assert problem_of(unknown, 400)["errors"][0]["pointer"] == "#/reason"
    done = api.post(url, {"outcome": "bought_new", "reason": "other", "reason_text": "Paloluokka"})
    assert done.status_code == 200
    assert ReuseCheck.objects.get().reason_text == "Paloluokka"


def test_another_units_check_or_reservation_is_404(api, client, coordinator, turku, chairs):
    check = _ask(api, chairs[0]).json()
    neighbour = Api(client, make_token(coordinator, unit_of(turku), name="Toinen").secret)
    problem_of(neighbour.post(check["outcome_url"], {"outcome": "reserved"}), 404)
    theirs = reserve(ListingFactory(owner_unit=unit_of(turku)))
    response = api.post(check["outcome_url"], {"outcome": "reserved", "reservation": theirs.pk})
    problem_of(response, 404)
    assert ReuseCheck.objects.get().outcome == ""


def test_the_scope_is_listings_read(client, coordinator, school, chairs):
    tasks_only = Api(client, make_token(coordinator, school, scopes=[Scope.TASKS]).secret)
    problem_of(_ask(tasks_only, chairs[0]), 403)
