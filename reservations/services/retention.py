"""Retention: a closed reservation's contact person, phone and note are kept
RESERVATION_CONTACT_RETENTION_MONTHS after it closed, then cleared (issue 23).

The reservation itself stays, with its unit, quantities and dates, so the reports do not
change. "Closed" is collected, cancelled, expired or declined; when it closed is its `updated_at`,
which the closing transition writes last (and which the reports read as the handover
time). The clearing is one UPDATE that leaves `updated_at` alone, so it is idempotent and
safe to run on several machines at once.
"""

from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from kierratys.accounts.privacy.services import months_before

from ..models import Reservation

CLOSED = (
    Reservation.Status.COLLECTED,
    Reservation.Status.CANCELLED,
    Reservation.Status.EXPIRED,
    Reservation.Status.DECLINED,
)
NOT_CLEARED = ~Q(contact_name="") | ~Q(contact_phone="") | ~Q(note="")


def reservation_contacts_clear(*, reservations) -> int:
    """Clear the contact name, phone and note of these reservations (a queryset): for the
    retention job and for anonymising a person. Returns how many changed."""
    return reservations.filter(NOT_CLEARED).update(contact_name="", contact_phone="", note="")


def reservation_contacts_expire(*, now: datetime | None = None) -> int:
    """The periodic job: clear the contacts of reservations closed longer ago than
    RESERVATION_CONTACT_RETENTION_MONTHS."""
    cutoff = months_before(now or timezone.now(), settings.RESERVATION_CONTACT_RETENTION_MONTHS)
    return reservation_contacts_clear(
        reservations=Reservation.objects.filter(status__in=CLOSED, updated_at__lt=cutoff)
    )
