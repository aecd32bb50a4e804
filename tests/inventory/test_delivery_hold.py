"""A reservation with a booked delivery never expires before its delivery (issue 15, 1):
booking or rescheduling a delivery past the collect-by date moves that date to the
delivery, by one rule (reservation_hold_for_delivery); reminders speak of a delivery."""

from datetime import timedelta

import pytest
from django.core import mail

from inventory import services
from inventory.models import Task
from kierratys.accounts.roles import WAREHOUSE
from reservations import services as reservation_services
from reservations.models import Reservation

from ..factories import (
    ListingFactory,
    UserFactory,
    book_delivery,
    next_working_day,
    reserve,
    slot_for,
    warehouse_with_slots,
)

pytestmark = pytest.mark.django_db


def delivery_reservation():
    reserver = UserFactory(language="en")
    return reserve(ListingFactory(), user=reserver, handover=Reservation.Handover.DELIVERY)


def test_a_delivery_booked_after_the_collect_by_date_keeps_the_reservation_until_then():
    _warehouse, _shelves, slots = warehouse_with_slots()
    reservation = delivery_reservation()
    late = next_working_day(
        after_days=(reservation.collect_by - reservation.created_at.date()).days + 3
    )
    delivery = book_delivery(reservation, slots, late)
    reservation.refresh_from_db()
    assert reservation.collect_by == late

    # The day after the old collect-by date, and on the delivery day itself: still active.
    for today in (late - timedelta(days=2), late):
        assert reservation_services.reservations_expire(today=today) == 0
    reservation.refresh_from_db()
    delivery.refresh_from_db()
    assert reservation.status == Reservation.Status.ACTIVE
    assert delivery.status == Task.Status.SCHEDULED


def test_an_earlier_delivery_leaves_the_collect_by_date_alone():
    _warehouse, _shelves, slots = warehouse_with_slots()
    reservation = delivery_reservation()
    collect_by = reservation.collect_by
    book_delivery(reservation, slots, next_working_day())
    reservation.refresh_from_db()
    assert reservation.collect_by == collect_by


def test_the_warehouse_moving_a_delivery_later_moves_the_collect_by_date_too():
    _warehouse, _shelves, slots = warehouse_with_slots()
    reservation = delivery_reservation()
    delivery = book_delivery(reservation, slots, next_working_day())
    later = next_working_day(
        after_days=(reservation.collect_by - reservation.created_at.date()).days + 5
    )
    services.task_schedule(
        actor=UserFactory(roles=[WAREHOUSE]),
        task_id=delivery.pk,
        day=later,
        slot_id=slot_for(slots, later).pk,
    )
    reservation.refresh_from_db()
    assert reservation.collect_by == later
    assert reservation_services.reservations_expire(today=later) == 0


def test_reminders_for_a_delivery_speak_of_a_delivery(run_tasks):
    reservation = delivery_reservation()
    pickup = reserve(ListingFactory(title="Nouto"), user=UserFactory(language="en"))
    mail.outbox.clear()
    day_before = reservation.collect_by - timedelta(days=1)
    assert reservation_services.reservations_remind(today=day_before) == 2
    run_tasks()
    by_recipient = {m.to[0]: m for m in mail.outbox}
    delivery_mail = by_recipient[reservation.requested_by.email]
    pickup_mail = by_recipient[pickup.requested_by.email]
    assert "delivered" in delivery_mail.subject and "collect" not in delivery_mail.subject
    assert "delivery time" in delivery_mail.body
    assert "collect" in pickup_mail.subject
