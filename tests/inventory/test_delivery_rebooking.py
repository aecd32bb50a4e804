"""A reservation whose delivery was cancelled can be delivered again; one live delivery at most."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory import services
from inventory.models import SlotDay, Task
from kierratys.accounts.roles import WAREHOUSE
from kierratys.common.submissions import new_token
from listings.models import ListingEvent

from ..factories import ListingFactory, UserFactory, next_working_day, reserve, warehouse_with_slots

pytestmark = pytest.mark.django_db

ALREADY = "A delivery is already booked for this reservation."
ALREADY_CODE = "delivery_already_booked"


@pytest.fixture
def setup():
    warehouse, shelves, slots = warehouse_with_slots(capacity=5)
    driver = UserFactory(roles=[WAREHOUSE])
    reserver = UserFactory()
    listing = ListingFactory(quantity=3)
    reservation = reserve(listing, user=reserver, handover="delivery")
    return slots, driver, reserver, reservation


def slot_for(slots, day):
    return next(s for s in slots if s.weekday == day.weekday())


def book_page(client, reservation, choice=None):
    url = reverse("inventory:book_delivery", args=[reservation.pk])
    if choice is None:
        choice = client.get(url).context["form"].fields["choice"].choices[0][0]
    return client.post(
        url, {"choice": choice, "submission": new_token()}, HTTP_ACCEPT_LANGUAGE="en"
    )


def written(reservation):
    return (
        Task.objects.filter(reservation=reservation).count(),
        sum(SlotDay.objects.values_list("deliveries_booked", flat=True)),
        ListingEvent.objects.filter(listing_id=reservation.listing_id).count(),
    )


def test_a_cancelled_delivery_can_be_booked_again_through_the_page(setup, client):
    slots, driver, reserver, reservation = setup
    client.force_login(reserver)
    assert book_page(client, reservation).status_code == 302
    first = Task.objects.get(reservation=reservation)
    services.task_cancel(actor=driver, task_id=first.pk, reason="Auto rikki")

    detail = client.get(reverse("reservations:detail", args=[reservation.pk]))
    booking_url = reverse("inventory:book_delivery", args=[reservation.pk])
    assert booking_url in detail.text  # the unit is offered a new time

    # A later slot than the first one, so the page must show the new booking.
    choices = client.get(booking_url).context["form"].fields["choice"].choices
    response = book_page(client, reservation, choice=choices[-1][0])
    assert response.status_code == 302
    tasks = Task.objects.filter(reservation=reservation).order_by("pk")
    assert [t.status for t in tasks] == [Task.Status.CANCELLED, Task.Status.SCHEDULED]
    second = tasks[1]
    assert second.kind == Task.Kind.DELIVERY and second.to_unit_id == reserver.unit_id

    detail = client.get(reverse("reservations:detail", args=[reservation.pk]))
    box = detail.text.split('class="card delivery-box"')[1].split("</section>")[0]
    assert f"{second.date:%-d.%-m.%Y}" in box
    assert "task-scheduled" in box and "task-cancelled" not in box
    assert booking_url not in detail.text


def test_booking_again_while_one_is_live_says_so_and_writes_nothing(setup, client):
    slots, driver, reserver, reservation = setup
    day = next_working_day()
    first = services.delivery_book(
        actor=reserver, reservation_id=reservation.pk, slot_id=slot_for(slots, day).pk, day=day
    )
    services.task_cancel(actor=driver, task_id=first.pk)
    services.delivery_book(
        actor=reserver, reservation_id=reservation.pk, slot_id=slot_for(slots, day).pk, day=day
    )
    before = written(reservation)

    # The same slot, another day, and the warehouse booking on the unit's behalf.
    later = next_working_day(after_days=3)
    for actor, when in [(reserver, day), (reserver, later), (driver, later)]:
        with pytest.raises(ValidationError) as refused:
            services.delivery_book(
                actor=actor,
                reservation_id=reservation.pk,
                slot_id=slot_for(slots, when).pk,
                day=when,
            )
        assert [e.code for e in refused.value.error_list] == [ALREADY_CODE]
        assert written(reservation) == before

    client.force_login(reserver)
    response = book_page(client, reservation)
    assert response.status_code == 409
    assert ALREADY in response.text
    assert written(reservation) == before


def test_the_database_holds_one_live_delivery_per_reservation(setup):
    slots, driver, reserver, reservation = setup
    day = next_working_day()
    live = services.delivery_book(
        actor=reserver, reservation_id=reservation.pk, slot_id=slot_for(slots, day).pk, day=day
    )
    fields = {
        "kind": Task.Kind.DELIVERY,
        "warehouse_id": live.warehouse_id,
        "listing_id": live.listing_id,
        "quantity": 1,
        "reservation": reservation,
        "created_by": reserver,
    }
    # Cancelled ones may pile up beside the live one ...
    Task.objects.create(**fields, status=Task.Status.CANCELLED)
    Task.objects.create(**fields, status=Task.Status.CANCELLED)
    # ... but a second live one, in any open status, is refused by the database itself.
    for status in (Task.Status.OPEN, Task.Status.SCHEDULED, Task.Status.IN_PROGRESS):
        with pytest.raises(IntegrityError), transaction.atomic():
            Task.objects.create(**fields, status=status, date=day)
    assert Task.objects.filter(reservation=reservation).exclude(status="cancelled").count() == 1


def test_the_reservation_page_queries_stay_flat_with_cancelled_deliveries(setup, client):
    slots, driver, reserver, reservation = setup
    client.force_login(reserver)
    url = reverse("reservations:detail", args=[reservation.pk])

    def book_and_cancel():
        day = next_working_day()
        task = services.delivery_book(
            actor=reserver, reservation_id=reservation.pk, slot_id=slot_for(slots, day).pk, day=day
        )
        services.task_cancel(actor=driver, task_id=task.pk)

    book_and_cancel()
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        book_and_cancel()
    with CaptureQueriesContext(connection) as four:
        client.get(url)
    assert len(four) == len(one)
