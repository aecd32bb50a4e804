"""Who hears about a reservation, and how: queued emails (sent after commit, retried)."""

from django.conf import settings
from django.utils.formats import date_format

from kierratys import mail
from kierratys.models import User


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


def _send(users, template: str, context: dict) -> None:
    for user in users:
        mail.send_later(
            to=user.email, template=template, context=context, language=user.language or None
        )


def reserved(reservation) -> None:
    if reservation.status == reservation.Status.ACTIVE:
        _send(_owner_recipients(reservation.listing), "reservation_new", _context(reservation))


def status_changed(reservation, previous: str) -> None:
    recipients = [reservation.requested_by] if reservation.requested_by.is_active else []
    _send(recipients, "reservation_status", {**_context(reservation), "previous": previous})


def extended(reservation) -> None:
    status_changed(reservation, reservation.status)


def reminder(reservation, which: str) -> None:
    recipients = [reservation.requested_by] if reservation.requested_by.is_active else []
    _send(recipients, "reservation_reminder", {**_context(reservation), "which": which})
