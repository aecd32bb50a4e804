from datetime import time, timedelta

import factory
from django.utils import timezone

from inventory.calendar import is_holiday
from inventory.models import StorageLocation, Task, TimeSlot, Warehouse

from .listings import ListingFactory


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    organisation = factory.SubFactory("tests.factories.accounts.OrganisationFactory")
    name = factory.Sequence(lambda n: f"Varasto {n + 1}")
    street_address = "Ajurinkatu 12"
    postal_code = "20360"
    city = "Turku"


class StorageLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StorageLocation

    warehouse = factory.SubFactory(WarehouseFactory)
    code = factory.Sequence(lambda n: f"A-{n + 1:02d}-1")


class TimeSlotFactory(factory.django.DjangoModelFactory):
    """08-10 on a weekday (Monday unless told), two deliveries and two pickups."""

    class Meta:
        model = TimeSlot

    warehouse = factory.SubFactory(WarehouseFactory)
    weekday = 0
    start = time(8)
    end = time(10)
    delivery_capacity = 2
    pickup_capacity = 2


class TaskFactory(factory.django.DjangoModelFactory):
    """An open intake task made by the listing's creator. A scheduled one needs a `date`."""

    class Meta:
        model = Task

    kind = Task.Kind.INTAKE
    status = Task.Status.OPEN
    warehouse = factory.SubFactory(WarehouseFactory)
    listing = factory.SubFactory(ListingFactory)
    quantity = 1
    created_by = factory.SelfAttribute("listing.created_by")


def warehouse_with_slots(capacity=2):
    """A warehouse with two shelves and a 08-10 slot every day of the week."""
    warehouse = WarehouseFactory()
    shelves = [StorageLocationFactory(warehouse=warehouse, code=f"A-0{n}-1") for n in (1, 2)]
    slots = [
        TimeSlotFactory(
            warehouse=warehouse,
            weekday=day,
            delivery_capacity=capacity,
            pickup_capacity=capacity,
        )
        for day in range(7)
    ]
    return warehouse, shelves, slots


def next_working_day(after_days=1):
    day = timezone.localdate() + timedelta(days=after_days)
    while is_holiday(day):
        day += timedelta(days=1)
    return day


def slot_for(slots, day):
    """The one of `slots` (from `warehouse_with_slots`) that falls on `day`."""
    return next(s for s in slots if s.weekday == day.weekday())


def book_delivery(reservation, slots, day):
    """The reserving user books the delivery of `reservation` on `day`, through the service."""
    from inventory import services

    return services.delivery_book(
        actor=reservation.requested_by,
        reservation_id=reservation.pk,
        slot_id=slot_for(slots, day).pk,
        day=day,
    )
