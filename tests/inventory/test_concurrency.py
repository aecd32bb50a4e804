"""Slot capacity under concurrent bookings, with real threads on PostgreSQL."""

from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from inventory import services
from inventory.models import SlotDay, Task
from kierratys.accounts.roles import WAREHOUSE
from reservations.models import Reservation

from ..conftest import needs_postgres
from ..factories import (
    ListingFactory,
    UserFactory,
    book_delivery,
    next_working_day,
    reserve,
    slot_for,
    warehouse_with_slots,
)
from ..support.threads import race

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]
DELIVERY = Reservation.Handover.DELIVERY


def test_a_slot_never_takes_more_deliveries_than_its_capacity():
    warehouse, shelves, slots = warehouse_with_slots(capacity=3)
    day = timezone.localdate()
    for _round in range(5):
        # A new working day each round (a holiday must not make two rounds share one).
        day = next_working_day(after_days=(day - timezone.localdate()).days + 1)
        slot = slot_for(slots, day)
        listing = ListingFactory(quantity=16)
        reservations = [reserve(listing, handover=DELIVERY) for _ in range(16)]
        booked, errors = race([partial(book_delivery, r, slots, day) for r in reservations])
        assert len(booked) == 3
        assert len(errors) == 13
        assert all(e.error_dict["slot"][0].code == "slot_full" for e in errors)
        assert SlotDay.objects.get(slot=slot, date=day).deliveries_booked == 3
        assert Task.objects.filter(slot_day__slot=slot, slot_day__date=day).count() == 3


def test_two_units_rebooking_the_same_reservation_at_once_make_one_delivery():
    warehouse, shelves, slots = warehouse_with_slots(capacity=10)
    day = next_working_day()
    slot = slot_for(slots, day)
    driver = UserFactory(roles=[WAREHOUSE])
    for round_number in range(3):
        reservation = reserve(ListingFactory(quantity=2), handover=DELIVERY)
        if round_number:  # a cancelled delivery before the race, as after a failed van run
            first = services.delivery_book(
                actor=reservation.requested_by,
                reservation_id=reservation.pk,
                slot_id=slot.pk,
                day=day,
            )
            services.task_cancel(actor=driver, task_id=first.pk)
        actors = [reservation.requested_by, driver] * 3
        booked, errors = race(
            [
                partial(
                    services.delivery_book,
                    actor=actor,
                    reservation_id=reservation.pk,
                    slot_id=slot.pk,
                    day=day,
                )
                for actor in actors
            ]
        )
        assert len(booked) == 1
        assert len(errors) == len(actors) - 1
        assert all(
            isinstance(e, ValidationError)
            and [m.code for m in e.error_list] == ["delivery_already_booked"]
            for e in errors
        ), errors
        live = Task.objects.filter(reservation=reservation).exclude(status=Task.Status.CANCELLED)
        assert live.count() == 1
