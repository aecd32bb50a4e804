"""Periodic jobs: expiry and reminders."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from listings.events import listing_announce
from listings.models import Listing

from .. import notify
from ..models import Reservation
from .rules import (
    Status,
)
from .transitions import reservation_transition, waiting_list_promote


def reservations_expire(*, today: date | None = None) -> int:
    """Expire reservations past their collect-by date; give quantity back; promote the queue.

    Idempotent and safe to run twice at once: rows another run holds are skipped.
    """
    today = today or timezone.localdate()
    return expire_due(
        Q(status=Status.ACTIVE, collect_by__lt=today), _("Not collected by the collect-by date.")
    )


def expire_due(due: Q, reason: str) -> int:
    """Expire the reservations matching `due`, each in its own transaction, giving their
    quantity back and serving the waiting list. Rows another run holds are skipped, and
    `due` is checked again under the lock."""
    rows = list(
        Reservation.objects.filter(due).order_by("listing_id", "pk").values_list("pk", "listing_id")
    )
    expired = 0
    for reservation_id, listing_id in rows:
        with transaction.atomic():
            listing = (
                Listing.objects.select_for_update(skip_locked=True).filter(pk=listing_id).first()
            )
            if listing is None:
                continue  # another run is working on this listing
            reservation = (
                Reservation.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("unit", "requested_by")
                .filter(due, pk=reservation_id)
                .first()
            )
            if reservation is None:
                continue
            reservation_transition(
                reservation=reservation,
                listing=listing,
                to=Status.EXPIRED,
                actor=None,
                reason=reason,
            )
            waiting_list_promote(listing=listing, actor=None)
            listing_announce(listing)
            expired += 1
    return expired


def reservations_remind(*, today: date | None = None) -> int:
    """Remind reserving units before and on the collect-by date, once each.

    "Before" goes out from RESERVATION_REMINDER_DAYS ahead until the day before, so a
    run that was missed or skipped a locked row catches up on the next run.
    """
    today = today or timezone.localdate()
    before = today + timedelta(days=settings.RESERVATION_REMINDER_DAYS)
    sent = 0
    plans = [
        ("reminded_before_at", {"collect_by__gt": today, "collect_by__lte": before}, "before"),
        ("reminded_due_at", {"collect_by": today}, "due"),
    ]
    for flag, match, which in plans:
        owed = {"status": Status.ACTIVE, f"{flag}__isnull": True, **match}
        ids = list(Reservation.objects.filter(**owed).values_list("pk", flat=True))
        for reservation_id in ids:
            with transaction.atomic():
                # Checked again under the lock: an extension may have moved the date.
                reservation = (
                    Reservation.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("listing", "unit", "requested_by")
                    .filter(pk=reservation_id, **owed)
                    .first()
                )
                if reservation is None:
                    continue
                setattr(reservation, flag, timezone.now())
                reservation.save(update_fields=[flag])
                notify.reminder(reservation, which)
                sent += 1
    return sent
