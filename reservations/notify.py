"""Who hears about a reservation: one queued task per event, resolved by the worker.

Inside the reserving transaction only a single small row is written (the task); the
worker, after commit, finds the recipients and queues their emails (each retried).
"""

from django.conf import settings
from django.utils.formats import date_format
from django_tasks import task

from kierratys import mail
from kierratys.models import User

from .models import Reservation


def reserved(reservation) -> None:
    if reservation.status == Reservation.Status.ACTIVE:
        notify_reservation.enqueue(reservation.pk, "reservation_new")


def status_changed(reservation, previous: str) -> None:
    notify_reservation.enqueue(reservation.pk, "reservation_status")


def extended(reservation) -> None:
    notify_reservation.enqueue(reservation.pk, "reservation_status")


def reminder(reservation, which: str) -> None:
    notify_reservation.enqueue(reservation.pk, "reservation_reminder", which)


@task()
def notify_reservation(reservation_id: int, template: str, which: str = "") -> int:
    reservation = (
        Reservation.objects.select_related("listing__created_by", "unit", "requested_by")
        .filter(pk=reservation_id)
        .first()
    )
    if reservation is None:
        return 0
    if template == "reservation_new":
        recipients = _owner_recipients(reservation.listing)
    else:
        recipients = [reservation.requested_by] if reservation.requested_by.is_active else []
    context = {**_context(reservation), "which": which}
    for user in recipients:
        mail.send_later(
            to=user.email, template=template, context=context, language=user.language or None
        )
    return len(recipients)


def _context(reservation) -> dict:
    listing = reservation.listing
    return {
        "reservation_id": reservation.pk,
        "code": listing.code,
        "title": listing.title,
        "quantity": reservation.quantity,
        "unit": reservation.unit.name,
        "status": str(reservation.get_status_display()),
        "status_code": reservation.status,
        "collect_by": date_format(reservation.collect_by, "SHORT_DATE_FORMAT")
        if reservation.collect_by
        else "",
        "handover": str(reservation.get_handover_display()),
        "contact": f"{reservation.contact_name}, {reservation.contact_phone}",
        "reason": reservation.reason,
        "url": settings.SITE_URL + reservation.get_absolute_url(),
    }


def _owner_recipients(listing) -> list[User]:
    creator = listing.created_by
    if creator.is_active and creator.unit_id == listing.owner_unit_id:
        return [creator]
    return list(User.objects.filter(unit_id=listing.owner_unit_id, is_active=True)[:5])
