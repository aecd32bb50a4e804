"""Who hears about a reservation, resolved by the worker after commit.

New reservations: the owner unit's email is owed while `owner_notified_at` is empty, so
the reserving transaction writes nothing extra (reserving is the hot path). After commit
the process makes sure a sweep (`notify_owners`) is queued to run within
`RESERVATION_OWNER_NOTIFY_SECONDS`; one sweep covers everything committed before it runs.
A sweep missed because a process died right after its commit is caught by the periodic
jobs. Status changes and reminders: one queued task each, in the causing transaction.
Every email is its own task, retried.
"""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from kierratys.accounts.models import User
from kierratys.accounts.roles import belongs_to_unit
from kierratys.common import mail

from .models import Reservation

logger = logging.getLogger(__name__)
SWEEP_BATCH = 100


def reserved(reservation) -> None:
    if reservation.status in Reservation.HOLDING_STATUSES:
        transaction.on_commit(_queue_sweep)


class _SweepClock:
    """When this process last queued a sweep, and until when that sweep covers commits."""

    lock = threading.Lock()
    covered_until = 0.0


def _queue_sweep() -> None:
    delay = settings.RESERVATION_OWNER_NOTIFY_SECONDS
    now = time.monotonic()
    with _SweepClock.lock:
        if now < _SweepClock.covered_until:
            return  # a queued sweep runs after this commit and will see it
        _SweepClock.covered_until = now + delay
    try:
        notify_owners.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue()
    except Exception:
        logger.warning("No owner-notification sweep queued; periodic jobs will send them")


@task()
def notify_owners() -> int:
    """Email the owner units of new reservations not yet told. Safe to run in parallel."""
    told = 0
    while True:
        with transaction.atomic():
            batch = list(
                Reservation.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("listing__created_by", "unit", "requested_by")
                .filter(owner_notified_at__isnull=True)
                .order_by("pk")[:SWEEP_BATCH]
            )
            if not batch:
                return told
            for reservation in batch:
                if reservation.status in Reservation.HOLDING_STATUSES:
                    _tell_owners(reservation)
            Reservation.objects.filter(pk__in=[r.pk for r in batch]).update(
                owner_notified_at=timezone.now()
            )
            told += len(batch)


def _tell_owners(reservation) -> None:
    context = {**_context(reservation), "which": ""}
    for user in _owner_recipients(reservation.listing):
        mail.send_later(
            to=user.email,
            template="reservation_new",
            context=context,
            language=user.language or None,
        )


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
    if template == "reservation_new":  # queued before the owners' sweep existed
        recipients = _owner_recipients(reservation.listing)
    else:
        recipients = _reserving_recipients(reservation)
    context = {**_context(reservation), "which": which}
    for user in recipients:
        mail.send_later(
            to=user.email, template=template, context=context, language=user.language or None
        )
    return len(recipients)


def _context(reservation) -> dict:
    """Codes and ISO dates, not words: the mail templates put them into the recipient's
    language (kierratys/templatetags/mail_tags.py), not the worker's."""
    listing = reservation.listing
    return {
        "reservation_id": reservation.pk,
        "code": listing.code,
        "title": listing.title,
        "quantity": reservation.quantity,
        "unit": reservation.unit.name,
        "status_code": reservation.status,
        "collect_by": reservation.collect_by.isoformat() if reservation.collect_by else "",
        "decide_by": (
            timezone.localtime(reservation.decide_by).date().isoformat()
            if reservation.decide_by
            else ""
        ),
        "handover": reservation.handover,
        "contact": f"{reservation.contact_name}, {reservation.contact_phone}",
        "reason": reservation.reason,
        "url": settings.SITE_URL + reservation.get_absolute_url(),
        # Made on the unit's behalf (issue 20): by whom, said in every mail about it.
        "made_by": reservation.requested_by.full_name if reservation.on_behalf else "",
    }


def _reserving_recipients(reservation) -> list[User]:
    """Who hears of a reservation's changes on the reserving side: the one who made it;
    for one made on a unit's behalf, the unit's own people too, as for the owner side
    (the one who made it may not be there to collect it)."""
    maker = reservation.requested_by
    recipients = [maker] if maker.is_active else []
    if reservation.on_behalf:
        others = User.objects.filter(unit_id=reservation.unit_id, is_active=True)
        recipients += list(others.exclude(pk=maker.pk).order_by("pk")[:5])
    return recipients


def _owner_recipients(listing) -> list[User]:
    creator = listing.created_by
    if creator.is_active and belongs_to_unit(creator, listing.owner_unit_id):
        return [creator]
    return list(User.objects.filter(unit_id=listing.owner_unit_id, is_active=True)[:5])
