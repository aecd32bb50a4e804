from datetime import timedelta

import factory
from django.conf import settings
from django.utils import timezone

from reservations.models import Reservation

from .accounts import UserFactory
from .listings import ListingFactory

CONTACT_PHONE = "040 123 4567"


def reserve(listing, *, user=None, quantity=1, contact_name=None, **kwargs):
    """Reserve through the real service, as a member of another unit."""
    from reservations import services

    user = user or UserFactory()
    kwargs.setdefault("contact_phone", CONTACT_PHONE)
    return services.reservation_create(
        actor=user,
        listing_id=listing.pk,
        quantity=quantity,
        contact_name=contact_name or user.full_name,
        **kwargs,
    )


class ReservationFactory(factory.django.DjangoModelFactory):
    """A reservation row in the state asked for, written as it is: no service runs, so the
    listing's available quantity, its history and the emails stay as they were. For pages
    and queries that only need a reservation to exist; `reserve()` when the rules matter."""

    class Meta:
        model = Reservation

    listing = factory.SubFactory(ListingFactory)
    requested_by = factory.SubFactory(UserFactory)
    unit = factory.SelfAttribute("requested_by.unit")
    quantity = 1
    contact_name = factory.SelfAttribute("requested_by.full_name")
    contact_phone = CONTACT_PHONE
    status = Reservation.Status.ACTIVE
    # An active reservation always has its collect-by date (a database constraint).
    collect_by = factory.LazyAttribute(
        lambda r: (
            timezone.localdate() + timedelta(days=settings.RESERVATION_COLLECT_DAYS)
            if r.status == Reservation.Status.ACTIVE
            else None
        )
    )
    # A request always has its decide-by time (issue 20, a database constraint).
    decide_by = factory.LazyAttribute(
        lambda r: (
            timezone.now() + timedelta(days=3) if r.status == Reservation.Status.REQUESTED else None
        )
    )
