"""Reserving through the API: the reserve page's form and service, the same 409 when
someone was first, the unit's own reservations, cancelling; others' are 404."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kierratys.accounts.roles import COORDINATOR
from kierratys.api.models import Scope
from reservations.models import Reservation
from tests.factories import (
    ListingFactory,
    ReservationFactory,
    member_of,
    other_organisation,
    reserve,
    unit_of,
)

from .conftest import Api, make_token, problem_of

pytestmark = pytest.mark.django_db
RESERVE = "/api/v1/reservations/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _body(listing, **fields):
    return {
        "listing": listing.pk,
        "quantity": 1,
        "contact_name": "Anna Virtanen",
        "contact_phone": "040 123 4567",
        **fields,
    }


def test_reserving_creates_a_reservation_for_the_tokens_unit(api, token, school):
    listing = ListingFactory(quantity=3)
    response = api.post(RESERVE, _body(listing, quantity=2, note="Kiitos"))
    assert response.status_code == 201, response.content
    body = response.json()
    reservation = Reservation.objects.get(pk=body["id"])
    assert reservation.unit == school
    assert reservation.requested_by == token.token.account
    assert body["status"] == "active" and body["quantity"] == 2
    assert response["Location"].endswith(f"/api/v1/reservations/{reservation.pk}/")
    listing.refresh_from_db()
    assert listing.quantity_available == 1


def test_reserving_the_last_one_twice_gives_409_with_the_pages_message(
    api, client, coordinator, school
):
    listing = ListingFactory(quantity=1)
    seen = api.get(f"/api/v1/listings/{listing.pk}/").json()["quantity_available"]
    assert api.post(RESERVE, _body(listing, seen_available=seen)).status_code == 201
    other = Api(client, make_token(coordinator, unit_of(school.department.organisation)).secret)
    response = other.post(RESERVE, _body(listing, seen_available=seen), **EN)
    body = problem_of(response, 409)
    assert body["code"] == "not_enough"
    # The reserve page says the same to the second person (reservations/services/rules.py).
    from reservations.services.rules import _not_enough_message

    assert body["detail"] == _not_enough_message(0)
    assert Reservation.objects.filter(listing=listing).count() == 1


def test_more_than_was_on_offer_is_bad_input_not_a_conflict(api):
    listing = ListingFactory(quantity=2)
    body = problem_of(api.post(RESERVE, _body(listing, quantity=3, seen_available=2), **EN), 400)
    assert body["errors"][0]["pointer"] == "#/quantity"


def test_the_waiting_list_can_be_joined(api):
    listing = ListingFactory(quantity=1)
    reserve(listing)
    response = api.post(RESERVE, _body(listing, join_waiting_list=True))
    assert response.status_code == 201
    assert response.json()["status"] == "waiting"


def test_another_organisations_listing_cannot_be_reserved_404(api):
    foreign = ListingFactory(owner_unit=unit_of(other_organisation()))
    problem_of(api.post(RESERVE, _body(foreign)), 404)
    assert not Reservation.objects.exists()


def test_the_list_has_the_units_own_reservations_only(api, school):
    ours = reserve(ListingFactory(), user=member_of(unit=school))
    reserve(ListingFactory())  # another unit's
    response = api.get(RESERVE)
    assert [item["id"] for item in response.json()["results"]] == [ours.pk]


def test_cancelling_and_cancelling_again(api, school):
    listing = ListingFactory(quantity=2)
    created = api.post(RESERVE, _body(listing)).json()
    response = api.post(f"{RESERVE}{created['id']}/cancel/", {})
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    listing.refresh_from_db()
    assert listing.quantity_available == 2
    problem_of(api.post(f"{RESERVE}{created['id']}/cancel/", {}, **EN), 409)


def test_another_units_reservation_is_404(api):
    elsewhere = other_organisation()
    theirs = reserve(ListingFactory(owner_unit=unit_of(elsewhere)), user=member_of(elsewhere))
    problem_of(api.get(f"{RESERVE}{theirs.pk}/"), 404)
    problem_of(api.post(f"{RESERVE}{theirs.pk}/cancel/", {}), 404)
    theirs.refresh_from_db()
    assert theirs.status == Reservation.Status.ACTIVE


def test_a_read_only_token_cannot_reserve(client, coordinator, school):
    reader = Api(client, make_token(coordinator, school, scopes=[Scope.LISTINGS_READ]).secret)
    problem_of(reader.post(RESERVE, _body(ListingFactory())), 403)
    assert not Reservation.objects.exists()


def test_the_waiting_list_place_is_shown_and_more_than_exist_is_400(api, client):
    listing = ListingFactory(quantity=2)
    reserve(listing, quantity=2)
    first = api.post(RESERVE, _body(listing, join_waiting_list=True)).json()
    assert (first["status"], first["waiting_place"]) == ("waiting", 1)
    assert api.get(f"{RESERVE}{first['id']}/").json()["waiting_place"] == 1
    too_many = api.post(
        RESERVE, _body(listing, quantity=3, join_waiting_list=True), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert problem_of(too_many, 400)["detail"] == (
        "Only 2 of these exist, so a waiting list for more cannot be served."
    )
    without = api.post(RESERVE, _body(listing))
    assert problem_of(without, 409)["code"] == "not_enough"
    document = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schemas = document.json()["components"]["schemas"]
    assert (
        "waiting list"
        in schemas["ReservationCreateRequest"]["properties"]["join_waiting_list"]["description"]
    )
    assert "waiting_place" in schemas["Reservation"]["properties"]


def test_a_warehouse_token_reserves_on_behalf_of_a_unit(client, coordinator, school, turku):
    """Issue 20: `for_unit` as on the reserve page; 404 for a unit it cannot act for."""
    other_school = unit_of(turku)
    warehouse = Api(client, make_token(coordinator, school, warehouse=True).secret)
    listing = ListingFactory(quantity=3)
    response = warehouse.post(RESERVE, _body(listing, for_unit=other_school.pk))
    assert response.status_code == 201, response.content
    reservation = Reservation.objects.get(pk=response.json()["id"])
    assert reservation.unit == other_school and reservation.on_behalf
    body = response.json()
    assert (body["unit"], body["on_behalf"]) == (other_school.display_name, True)
    assert body["requested_by"] == reservation.requested_by.full_name  # the token's account
    again = warehouse.get(f"{RESERVE}{reservation.pk}/").json()  # the maker reads it too
    assert (again["on_behalf"], again["requested_by"]) == (True, body["requested_by"])
    foreign = unit_of(other_organisation())
    problem_of(warehouse.post(RESERVE, _body(listing, for_unit=foreign.pk)), 404)
    staff = Api(client, make_token(coordinator, school, name="Toinen").secret)
    problem_of(staff.post(RESERVE, _body(listing, for_unit=other_school.pk)), 404)
    assert Reservation.objects.count() == 1


def test_a_reservation_made_for_another_unit_says_by_whom_for_which_unit(
    client, coordinator, school, turku
):
    """Issue 20, as the pages' "by X for unit Y": the reserving unit's token sees that a
    coordinator made it for them and who, by name only; an ordinary one says neither."""
    other_school = unit_of(turku)
    acting = member_of(turku, roles=[COORDINATOR], full_name="Kaisa Koordinaattori")
    acting.phone = "050 765 4321"
    acting.save(update_fields=["phone"])
    listing = ListingFactory(quantity=3)
    made_for = reserve(listing, user=acting, for_unit_id=other_school.pk)
    own = reserve(listing, user=member_of(unit=other_school, full_name="Oona Oma"))
    theirs = Api(client, make_token(coordinator, other_school).secret)

    shown = theirs.get(f"{RESERVE}{made_for.pk}/").json()
    assert shown["on_behalf"] is True
    assert shown["unit"] == other_school.display_name
    assert shown["requested_by"] == "Kaisa Koordinaattori"
    assert acting.email not in json.dumps(shown) and "050 765 4321" not in json.dumps(shown)
    ordinary = theirs.get(f"{RESERVE}{own.pk}/").json()
    assert (ordinary["on_behalf"], ordinary["requested_by"]) == (False, None)
    assert ordinary["unit"] == other_school.display_name
    listed = {item["id"]: item for item in theirs.get(RESERVE).json()["results"]}
    assert listed[made_for.pk]["requested_by"] == "Kaisa Koordinaattori"
    assert listed[own.pk]["requested_by"] is None

    client.force_login(acting)  # the coordinator who made it sees it too, the same
    mine = client.get(f"{RESERVE}{made_for.pk}/").json()
    assert (mine["on_behalf"], mine["requested_by"]) == (True, "Kaisa Koordinaattori")
    client.logout()
    elsewhere = other_organisation()
    outsider = Api(
        client, make_token(member_of(elsewhere, roles=[COORDINATOR]), unit_of(elsewhere)).secret
    )
    problem_of(outsider.get(f"{RESERVE}{made_for.pk}/"), 404)


def test_the_reservations_list_keeps_its_query_count_with_reservations_made_for_it(
    api, school, turku
):
    """On behalf or not, the maker comes in the same query: 12 or 24 on a page cost alike."""
    for n in range(24):
        maker = member_of(turku, roles=[COORDINATOR]) if n % 2 else member_of(unit=school)
        ReservationFactory(requested_by=maker, unit=school, on_behalf=bool(n % 2))
    api.get(RESERVE, {"page_size": "1"})  # the token's first use is written once a minute
    with CaptureQueriesContext(connection) as twelve:
        page = api.get(RESERVE, {"page_size": "12"}).json()["results"]
    assert len(page) == 12 and sum(item["on_behalf"] for item in page) == 6
    with CaptureQueriesContext(connection) as twenty_four:
        page = api.get(RESERVE, {"page_size": "24"}).json()["results"]
    assert len(page) == 24 and all(bool(item["requested_by"]) == item["on_behalf"] for item in page)
    assert len(twenty_four) == len(twelve)
