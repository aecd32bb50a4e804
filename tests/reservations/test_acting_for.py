"""Acting for another unit (issue 20, item 4): warehouse staff and coordinators reserve on
behalf of a unit of their own organisation. The reservation is that unit's own, recorded as
made by them for it; every rule is the unit's; nobody else can act for a unit."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import translation

from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from kierratys.common.submissions import new_token
from listings.models import Listing
from reservations import notify, services
from reservations.errors import ReservationError
from reservations.models import Reservation

from ..factories import (
    ListingFactory,
    UnitFactory,
    UserFactory,
    other_organisation,
    reserve,
    unit_of,
)

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def english(settings):
    """Messages and mails are asserted in English (people without a language of their own
    get the service's)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def reserve_data(**overrides):
    return {
        "quantity": "2",
        "handover": "pickup",
        "wanted_date": "",
        "contact_name": "Kaisa Koulu",
        "contact_phone": "040 123 4567",
        "note": "",
        "submission": new_token(),
        **overrides,
    }


@pytest.fixture
def school():
    """The unit the warehouse reserves for, with one of its own people."""
    unit = UnitFactory(name="Puolalan koulu")
    UserFactory(unit=unit, email="rehtori@demo.example", full_name="Riikka Rehtori")
    return unit


@pytest.fixture
def warehouse_worker(client):
    user = UserFactory(roles=[WAREHOUSE], full_name="Ville Varasto", language="en")
    client.force_login(user)
    return user


def test_warehouse_staff_reserve_for_a_unit_and_it_is_that_units_own(warehouse_worker, school):
    listing = ListingFactory(quantity=5)
    reservation = reserve(listing, user=warehouse_worker, quantity=2, for_unit_id=school.pk)
    reservation.refresh_from_db()
    assert reservation.unit == school and reservation.requested_by == warehouse_worker
    assert reservation.on_behalf is True and reservation.status == Reservation.Status.ACTIVE
    listing.refresh_from_db()
    assert listing.quantity_available == 3
    event = listing.events.get(kind="reserved")
    assert event.actor == warehouse_worker
    assert event.changes["unit"] == school.name and event.changes["on_behalf"] is True


def test_choosing_ones_own_unit_is_an_ordinary_reservation(warehouse_worker):
    listing = ListingFactory()
    reservation = reserve(listing, user=warehouse_worker, for_unit_id=warehouse_worker.unit_id)
    assert reservation.unit_id == warehouse_worker.unit_id and not reservation.on_behalf
    assert "on_behalf" not in listing.events.get(kind="reserved").changes


def test_a_coordinator_may_act_for_a_unit_too(school):
    coordinator = UserFactory(roles=[COORDINATOR])
    reservation = reserve(ListingFactory(), user=coordinator, for_unit_id=school.pk)
    assert reservation.unit == school and reservation.on_behalf


def test_staff_without_the_role_cannot_act_for_another_unit(school):
    staff = UserFactory()
    listing = ListingFactory()
    with pytest.raises(Http404):
        reserve(listing, user=staff, for_unit_id=school.pk)
    assert not Reservation.objects.exists()


def test_another_organisations_unit_is_404(warehouse_worker):
    foreign = unit_of(other_organisation())
    listing = ListingFactory()
    with pytest.raises(Http404):
        reserve(listing, user=warehouse_worker, for_unit_id=foreign.pk)
    with pytest.raises(Http404):
        services.basket_reserve(
            actor=warehouse_worker,
            items=[services.BasketItem(listing.pk, 1)],
            contact_name="X",
            contact_phone="040",
            for_unit_id=foreign.pk,
        )
    assert not Reservation.objects.exists()


def test_the_acted_for_unit_cannot_reserve_its_own_item(warehouse_worker, school):
    listing = ListingFactory(owner_unit=school)
    with pytest.raises(ValidationError) as error:
        reserve(listing, user=warehouse_worker, for_unit_id=school.pk)
    assert error.value.code == ReservationError.OWN_ITEM
    assert "Puolalan koulu cannot reserve its own item." in error.value.message_dict["for_unit"]
    assert not Reservation.objects.exists()


def test_the_listing_must_be_shown_to_the_acted_for_unit_not_just_to_the_actor(school):
    """At its department stage the warehouse (same department) sees it, the school not."""
    worker = UserFactory(roles=[WAREHOUSE])
    listing = ListingFactory(
        owner_unit=UnitFactory(department=worker.unit.department),
        audience=Listing.Audience.DEPARTMENT,
    )
    with pytest.raises(ValidationError) as error:
        reserve(listing, user=worker, for_unit_id=school.pk)
    assert error.value.code == ReservationError.FOR_UNIT
    assert "not shown to Puolalan koulu yet" in error.value.message_dict["for_unit"][0]
    listing.refresh_from_db()
    assert listing.quantity_available == listing.quantity
    assert reserve(listing, user=worker).unit == worker.unit  # for their own unit it is fine


def test_a_basket_for_a_unit_reserves_everything_for_it(warehouse_worker, school):
    chairs, tables = ListingFactory(quantity=4), ListingFactory(quantity=2)
    made = services.basket_reserve(
        actor=warehouse_worker,
        items=[services.BasketItem(chairs.pk, 4), services.BasketItem(tables.pk, 2)],
        contact_name="Kaisa",
        contact_phone="040 1",
        for_unit_id=school.pk,
    )
    assert {(r.unit_id, r.requested_by_id, r.on_behalf) for r in made} == {
        (school.pk, warehouse_worker.pk, True)
    }


def test_the_units_people_get_the_mails_which_say_who_made_it(warehouse_worker, school, run_tasks):
    listing = ListingFactory(title="Sininen sohva")
    reservation = reserve(listing, user=warehouse_worker, for_unit_id=school.pk)
    notify.notify_owners.call()
    run_tasks()
    new = [m for m in mail.outbox if listing.created_by.email in m.to]
    assert len(new) == 1
    assert "Ville Varasto made this reservation on behalf of Puolalan koulu." in new[0].body
    mail.outbox.clear()
    services.reservation_cancel(
        actor=listing.created_by, reservation_id=reservation.pk, reason="Rikki"
    )
    run_tasks()
    told = sorted(address for m in mail.outbox for address in m.to)
    assert told == sorted([warehouse_worker.email, "rehtori@demo.example"])
    assert all("made this reservation on behalf of Puolalan koulu" in m.body for m in mail.outbox)


def test_whoever_made_a_request_for_a_unit_does_not_approve_it(school):
    """A coordinator of the giving organisation is on the owner side, but never decides a
    request they made themselves."""
    coordinator = UserFactory(roles=[COORDINATOR])
    listing = ListingFactory(owner_approves=True)
    request = reserve(listing, user=coordinator, for_unit_id=school.pk)
    assert request.status == Reservation.Status.REQUESTED
    with pytest.raises(services.NotYourDecision):
        services.reservation_approve(actor=coordinator, reservation_id=request.pk)
    other = UserFactory(roles=[COORDINATOR])
    approved = services.reservation_approve(actor=other, reservation_id=request.pk)
    assert approved.status == Reservation.Status.ACTIVE


# --- the pages --------------------------------------------------------------------------------


def test_the_reserve_form_offers_for_unit_only_to_those_roles(client, warehouse_worker):
    listing = ListingFactory()
    page = client.get(reverse("reserve", args=[listing.pk]), **EN)
    assert "For unit (optional)" in page.text and 'name="for_unit_text"' in page.text
    client.force_login(UserFactory())
    page = client.get(reverse("reserve", args=[listing.pk]), **EN)
    assert "For unit" not in page.text


def test_reserving_for_a_unit_through_the_page(client, warehouse_worker, school):
    listing = ListingFactory(quantity=5)
    response = client.post(
        reverse("reserve", args=[listing.pk]),
        reserve_data(for_unit=str(school.pk), for_unit_text=school.name),
        **EN,
    )
    reservation = Reservation.objects.get()
    assert response.status_code == 302 and reservation.unit == school and reservation.on_behalf
    page = client.get(response["Location"], **EN)
    assert "Puolalan koulu, made on its behalf by Ville Varasto" in page.text
    # The one who made it finds it among their reservations, saying for whom.
    listed = client.get(reverse("reservations:list"), **EN)
    assert "by Ville Varasto for Puolalan koulu" in listed.text
    # The giving unit's item page history says it too.
    client.force_login(listing.created_by)
    item = client.get(reverse("listings:detail", args=[listing.pk]), **EN)
    assert "Ville Varasto" in item.text and "for Puolalan koulu" in item.text


def test_typing_the_units_name_without_script_is_enough(client, warehouse_worker, school):
    listing = ListingFactory()
    response = client.post(
        reverse("reserve", args=[listing.pk]), reserve_data(for_unit_text="Puolalan"), **EN
    )
    assert response.status_code == 302
    assert Reservation.objects.get().unit == school


def test_the_acted_for_units_staff_see_and_manage_it_as_their_own(client, warehouse_worker, school):
    reservation = reserve(ListingFactory(), user=warehouse_worker, for_unit_id=school.pk)
    principal = school.members.get()
    client.force_login(principal)
    listed = client.get(reverse("reservations:list"), **EN)
    assert reverse("reservations:detail", args=[reservation.pk]) in listed.text
    page = client.get(reverse("reservations:detail", args=[reservation.pk]), **EN)
    assert page.status_code == 200 and "Cancel the reservation" in page.text
    response = client.post(reverse("reservations:cancel", args=[reservation.pk]), {"reason": ""})
    assert response.status_code == 302
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CANCELLED


def test_posting_for_unit_without_the_role_reserves_for_ones_own_unit(client, school):
    staff = UserFactory()
    client.force_login(staff)
    listing = ListingFactory()
    response = client.post(
        reverse("reserve", args=[listing.pk]),
        reserve_data(for_unit=str(school.pk), for_unit_text=school.name),
    )
    assert response.status_code == 302
    reservation = Reservation.objects.get()
    assert reservation.unit == staff.unit and not reservation.on_behalf
    assert not school.reservations.exists()


def test_another_organisations_unit_posted_to_the_page_is_404(client, warehouse_worker):
    foreign = unit_of(other_organisation())
    listing = ListingFactory()
    response = client.post(
        reverse("reserve", args=[listing.pk]), reserve_data(for_unit=str(foreign.pk))
    )
    assert response.status_code == 404
    assert not Reservation.objects.exists()
    listing.refresh_from_db()
    assert listing.quantity_available == listing.quantity


def test_a_refusal_for_the_unit_is_told_under_the_field(client, warehouse_worker, school):
    listing = ListingFactory(owner_unit=school)
    response = client.post(
        reverse("reserve", args=[listing.pk]),
        reserve_data(for_unit=str(school.pk), for_unit_text=school.name),
        **EN,
    )
    assert response.status_code == 400
    assert "Puolalan koulu cannot reserve its own item." in response.text
    assert not Reservation.objects.exists()


def test_the_basket_reserves_for_a_unit(client, warehouse_worker, school):
    chairs = ListingFactory(quantity=3)
    client.post(reverse("reservations:basket_add", args=[chairs.pk]), {"quantity": 3})
    page = client.get(reverse("reservations:basket"), **EN)
    assert "For unit (optional)" in page.text
    response = client.post(
        reverse("reservations:basket"),
        {**reserve_data(for_unit=str(school.pk)), f"quantity_{chairs.pk}": 3},
    )
    assert response.status_code == 302
    assert Reservation.objects.get().unit == school


def test_a_waiting_list_place_for_a_unit_is_its_own(warehouse_worker, school):
    listing = ListingFactory(quantity=1)
    reserve(listing, quantity=1)
    waiting = reserve(listing, user=warehouse_worker, for_unit_id=school.pk, join_waiting_list=True)
    assert waiting.status == Reservation.Status.WAITING and waiting.unit == school


def test_nobody_acts_for_a_unit_that_has_closed():
    from kierratys.accounts.roles import unit_acted_for

    coordinator = UserFactory(roles=[COORDINATOR])
    closed = UnitFactory(department=coordinator.unit.department, is_active=False)
    with pytest.raises(Http404):
        unit_acted_for(coordinator, closed.pk)
    assert unit_acted_for(coordinator, coordinator.unit_id) == coordinator.unit
