"""Slot capacity under concurrent bookings, with real threads on PostgreSQL."""

import threading

import pytest
from django.db import connection

from inventory import services
from inventory.models import SlotDay, Task

from ..conftest import needs_postgres
from ..factories import ListingFactory, next_working_day, reserve, warehouse_with_slots

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]


def test_a_slot_never_takes_more_deliveries_than_its_capacity():
    warehouse, shelves, slots = warehouse_with_slots(capacity=3)
    for round_number in range(5):
        day = next_working_day(after_days=1 + round_number)
        slot = next(s for s in slots if s.weekday == day.weekday())
        listing = ListingFactory(quantity=16)
        reservations = [reserve(listing, handover="delivery") for _ in range(16)]
        barrier = threading.Barrier(len(reservations))
        booked, errors = [], []

        def book(
            reservation, slot_id=slot.pk, day=day, barrier=barrier, booked=booked, errors=errors
        ):
            try:
                barrier.wait()
                services.delivery_book(
                    actor=reservation.requested_by,
                    reservation_id=reservation.pk,
                    slot_id=slot_id,
                    day=day,
                )
                booked.append(reservation.pk)
            except Exception as error:
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=book, args=(r,)) for r in reservations]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(t.is_alive() for t in threads)
        assert len(booked) == 3
        assert len(errors) == 13
        assert all(e.error_dict["slot"][0].code == "slot_full" for e in errors)
        assert SlotDay.objects.get(slot=slot, date=day).deliveries_booked == 3
        assert Task.objects.filter(slot_day__slot=slot, slot_day__date=day).count() == 3
