"""Delivery in one step (issue 15, 2): the reserve form's delivery time books the delivery
task in the reserving transaction, all or nothing; the booking page still rebooks."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from inventory.models import SlotDay, Task
from kierratys.accounts.roles import WAREHOUSE
from kierratys.common.errors import status_of
from kierratys.common.submissions import new_token
from listings.models import ListingEvent
from reservations.models import Reservation

from ..factories import (
    ListingFactory,
    UserFactory,
    next_working_day,
    reserve,
    slot_for,
    warehouse_with_slots,
)
from ..support.live import capture_published

pytestmark = pytest.mark.django_db
DELIVERY = Reservation.Handover.DELIVERY


@pytest.fixture
def shelved():
    """A listing of two on a warehouse shelf, a slot every day, room for one delivery each."""
    warehouse, shelves, slots = warehouse_with_slots(capacity=1)
    listing = ListingFactory(quantity=2, storage_location=shelves[0])
    return warehouse, slots, listing


def written(listing):
    """Everything a reservation with its delivery writes."""
    return (
        Reservation.objects.filter(listing=listing).count(),
        type(listing).objects.get(pk=listing.pk).quantity_available,
        Task.objects.filter(listing=listing).count(),
        sum(SlotDay.objects.values_list("deliveries_booked", flat=True)),
        ListingEvent.objects.filter(listing=listing).count(),
    )


def test_the_reservation_and_its_delivery_are_made_together(shelved):
    warehouse, slots, listing = shelved
    day = next_working_day()
    reservation = reserve(listing, handover=DELIVERY, delivery=(slot_for(slots, day).pk, day))
    task = Task.objects.get(reservation=reservation)
    assert reservation.status == Reservation.Status.ACTIVE
    assert (task.kind, task.status, task.date, task.warehouse) == (
        Task.Kind.DELIVERY,
        Task.Status.SCHEDULED,
        day,
        warehouse,
    )
    assert task.to_unit_id == reservation.unit_id
    assert SlotDay.objects.get(date=day).deliveries_booked == 1
    kinds = set(ListingEvent.objects.filter(listing=listing).values_list("kind", flat=True))
    assert {"reserved", "delivery_booked"} <= kinds


def test_a_full_slot_writes_nothing_and_says_so_as_a_conflict(shelved):
    _warehouse, slots, listing = shelved
    day = next_working_day()
    slot = slot_for(slots, day)
    reserve(listing, handover=DELIVERY, delivery=(slot.pk, day))  # the one delivery there is
    before = written(listing)
    with (
        translation.override("en"),
        capture_published() as sends,
        pytest.raises(ValidationError) as refused,
    ):
        reserve(listing, handover=DELIVERY, delivery=(slot.pk, day))
    assert status_of(refused.value) == 409
    assert refused.value.code == "slot_full"
    assert refused.value.message_dict == {
        "delivery_slot": ["This time slot is full. Choose another one."]
    }
    assert written(listing) == before
    assert sends == []  # no live event for what never happened


@pytest.mark.parametrize(
    "problem",
    ["unknown slot", "wrong weekday", "past", "too far ahead"],
)
def test_a_slot_that_cannot_be_booked_is_400_and_writes_nothing(shelved, problem):
    _warehouse, slots, listing = shelved
    day = next_working_day()
    slot_id = slot_for(slots, day).pk
    if problem == "unknown slot":
        slot_id = 10**9
    elif problem == "wrong weekday":
        slot_id = slot_for(slots, day + timedelta(days=1)).pk
    elif problem == "past":
        day = day - timedelta(days=7)
        slot_id = slot_for(slots, day).pk
    else:
        day = next_working_day(after_days=settings.DELIVERY_BOOKING_DAYS + 7)
        slot_id = slot_for(slots, day).pk
    before = written(listing)
    with pytest.raises(ValidationError) as refused:
        reserve(listing, handover=DELIVERY, delivery=(slot_id, day))
    assert status_of(refused.value) == 400
    assert list(refused.value.message_dict) == ["delivery_slot"]
    assert written(listing) == before


def test_a_delivery_after_the_collect_by_date_holds_the_reservation_until_then(shelved):
    _warehouse, slots, listing = shelved
    late = next_working_day(after_days=settings.RESERVATION_COLLECT_DAYS + 3)
    reservation = reserve(listing, handover=DELIVERY, delivery=(slot_for(slots, late).pk, late))
    assert reservation.collect_by == late
    reservation.refresh_from_db()
    assert reservation.collect_by == late


def test_a_time_picked_and_then_pickup_chosen_books_no_delivery(shelved):
    _warehouse, slots, listing = shelved
    day = next_working_day()
    reservation = reserve(listing, delivery=(slot_for(slots, day).pk, day))
    assert reservation.handover == Reservation.Handover.PICKUP
    assert not Task.objects.exists()


def test_joining_the_waiting_list_books_the_delivery_later(shelved):
    _warehouse, slots, listing = shelved
    reserve(listing, quantity=2)
    day = next_working_day()
    waiting = reserve(
        listing, handover=DELIVERY, join_waiting_list=True, delivery=(slot_for(slots, day).pk, day)
    )
    assert waiting.status == Reservation.Status.WAITING
    assert not Task.objects.exists()
    assert SlotDay.objects.filter(deliveries_booked__gt=0).count() == 0


# --- the reserve form ---------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "quantity": "1",
        "handover": "delivery",
        "wanted_date": "",
        "contact_name": "Rasmus Rantanen",
        "contact_phone": "040 123 4567",
        "note": "",
        "seen_available": "2",
        "submission": new_token(),
    }
    data.update(overrides)
    return data


def post_reserve(client, listing, **overrides):
    return client.post(
        reverse("reserve", args=[listing.pk]), form_data(**overrides), HTTP_ACCEPT_LANGUAGE="en"
    )


def test_the_item_page_offers_delivery_times_grouped_by_day(client, shelved):
    warehouse, _slots, listing = shelved
    client.force_login(UserFactory())
    page = client.get(reverse("listings:detail", args=[listing.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.text
    assert "Delivery time (only for delivery by the warehouse)" in html
    reserve_form = html[html.index("data-reserve-form") :]
    assert reserve_form.count(warehouse.name) == 1  # named once, above the times
    days = page.context["form"].delivery_days()
    assert 1 <= len(days) <= 8 and len(days) == html.count('<fieldset class="slot-day">')
    first = days[0]["date"]
    assert first == next_working_day()
    assert f'value="{days[0]["slots"][0][1]["value"]}"' in html
    assert "08:00–10:00" in html


def test_reserving_with_a_delivery_time_through_the_form(client, shelved):
    _warehouse, slots, listing = shelved
    user = UserFactory()
    client.force_login(user)
    day = next_working_day()
    response = post_reserve(client, listing, delivery_slot=f"{slot_for(slots, day).pk}:{day}")
    reservation = Reservation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reservation.get_absolute_url()
    task = Task.objects.get(reservation=reservation)
    assert task.date == day and task.status == Task.Status.SCHEDULED
    detail = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "Reserved for delivery. The warehouse brings it on" in detail.text
    assert "08:00–10:00" in detail.text
    assert "Collect it by" not in detail.text


def test_delivery_without_a_time_is_400_and_writes_nothing(client, shelved):
    _warehouse, _slots, listing = shelved
    client.force_login(UserFactory())
    before = written(listing)
    response = post_reserve(client, listing)
    assert response.status_code == 400
    assert "Choose a delivery time." in response.text
    assert written(listing) == before


def test_a_garbled_time_is_400_and_writes_nothing(client, shelved):
    _warehouse, _slots, listing = shelved
    client.force_login(UserFactory())
    before = written(listing)
    response = post_reserve(client, listing, delivery_slot="tomorrow please")
    assert response.status_code == 400
    assert "Choose a delivery time from the list." in response.text
    assert written(listing) == before


def test_a_time_taken_meanwhile_is_409_with_the_form_and_nothing_written(client, shelved):
    _warehouse, slots, listing = shelved
    day = next_working_day()
    choice = f"{slot_for(slots, day).pk}:{day}"
    client.force_login(UserFactory())
    # Someone else takes the slot's only delivery after our page was loaded.
    reserve(
        ListingFactory(storage_location=listing.storage_location),
        handover=DELIVERY,
        delivery=(slot_for(slots, day).pk, day),
    )
    before = written(listing)
    response = post_reserve(client, listing, delivery_slot=choice)
    assert response.status_code == 409
    assert "This time slot is full. Choose another one." in response.text
    assert 'name="delivery_slot"' in response.text  # the picker again, to choose another
    assert written(listing) == before


def test_without_a_warehouse_delivery_is_reserved_and_booked_later(client):
    listing = ListingFactory(quantity=2)
    client.force_login(UserFactory())
    page = client.get(reverse("listings:detail", args=[listing.pk]))
    assert 'name="delivery_slot"' not in page.text
    response = post_reserve(client, listing)
    reservation = Reservation.objects.get()
    assert response.status_code == 302 and reservation.handover == DELIVERY
    detail = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "Choose a delivery time on the reservation page." in detail.text
    assert reverse("inventory:book_delivery", args=[reservation.pk]) in detail.text


def test_the_booking_page_still_rebooks_a_cancelled_delivery(client, shelved):
    _warehouse, slots, listing = shelved
    user = UserFactory()
    day = next_working_day()
    reservation = reserve(
        listing, user=user, handover=DELIVERY, delivery=(slot_for(slots, day).pk, day)
    )
    from inventory import services

    first = Task.objects.get(reservation=reservation)
    services.task_cancel(actor=UserFactory(roles=[WAREHOUSE]), task_id=first.pk, reason="Auto")
    client.force_login(user)
    url = reverse("inventory:book_delivery", args=[reservation.pk])
    choice = client.get(url).context["form"].fields["choice"].choices[0][0]
    response = client.post(url, {"choice": choice, "submission": new_token()})
    assert response.status_code == 302
    assert Task.objects.filter(reservation=reservation, status=Task.Status.SCHEDULED).count() == 1
