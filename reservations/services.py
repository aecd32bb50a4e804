"""Reserving, the waiting list, expiry and handover.

Locking order, everywhere: the listing row first (in primary-key order when there are
several), then its reservations. So two people reserving the last chair queue on the
listing row, and concurrent baskets never deadlock.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kierratys import live
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE, belongs_to_unit, role_names
from listings import history
from listings.models import Listing

from . import notify
from .models import Reservation

Status = Reservation.Status

history.register_kinds(
    {
        "reserved": gettext_lazy("Reserved"),
        "waitlisted": gettext_lazy("Joined the waiting list"),
        "promoted": gettext_lazy("Moved from the waiting list to reserved"),
        "cancelled": gettext_lazy("Reservation cancelled"),
        "expired": gettext_lazy("Reservation expired"),
        "collected": gettext_lazy("Collected"),
        "extended": gettext_lazy("Collect-by date extended"),
    }
)
EVENT_FOR_STATUS = {
    Status.ACTIVE: "promoted",
    Status.CANCELLED: "cancelled",
    Status.EXPIRED: "expired",
    Status.COLLECTED: "collected",
}


def _not_enough_message(available: int) -> str:
    if available == 0:
        return _("None left: someone reserved the last ones first.")
    return _("Only %(n)d available now: someone reserved the rest first.") % {"n": available}


class NotEnoughAvailable(ValidationError):
    """Fewer are available than asked: the view answers 409 and offers the waiting list."""


@dataclass(frozen=True)
class BasketItem:
    listing_id: int
    quantity: int


# --- helpers --------------------------------------------------------------------------------


def _collect_by(today: date | None = None) -> date:
    return (today or timezone.localdate()) + timedelta(days=settings.RESERVATION_COLLECT_DAYS)


def _check_reservable(listing: Listing, unit, quantity: int) -> None:
    today = timezone.localdate()
    if listing.status != Listing.Status.PUBLISHED:
        raise ValidationError(
            _("This item is not available for reservation."), code="not_published"
        )
    if not listing.available_from <= today <= listing.available_until:
        raise ValidationError(
            _("This item can be reserved from %(start)s to %(end)s.")
            % {
                "start": date_format(listing.available_from, "SHORT_DATE_FORMAT"),
                "end": date_format(listing.available_until, "SHORT_DATE_FORMAT"),
            },
            code="outside_window",
        )
    if unit is None:
        raise ValidationError(_("Your account is not linked to a unit. Contact support."))
    if listing.owner_unit_id == unit.pk:
        raise ValidationError(_("Your unit cannot reserve its own item."), code="own_item")
    if not 1 <= quantity <= 999:
        raise ValidationError(_("Choose a quantity between 1 and 999."), code="quantity")


def _validate_details(wanted_date, contact_name, contact_phone) -> None:
    errors = {}
    if wanted_date is not None and wanted_date < timezone.localdate():
        errors["wanted_date"] = _("The wanted date cannot be in the past.")
    if not (contact_name or "").strip():
        errors["contact_name"] = _("Tell us who to contact.")
    if not (contact_phone or "").strip():
        errors["contact_phone"] = _("Give a phone number for the handover.")
    if errors:
        raise ValidationError(errors)


def _announce_listing(batch: live.Batch, listing: Listing) -> None:
    data = {
        "id": listing.pk,
        "status": listing.status,
        "quantity_available": listing.quantity_available,
    }
    event = "listing.changed"
    if listing.status != Listing.Status.PUBLISHED or listing.quantity_available == 0:
        event = "listing.removed"
    batch.add([live.CATALOGUE_GROUP], event, data)


def _announce_reservation(batch: live.Batch, reservation: Reservation) -> None:
    batch.add(
        [live.unit_group(reservation.unit_id), live.unit_group(reservation.listing.owner_unit_id)],
        "reservation.changed",
        {
            "id": reservation.pk,
            "listing": reservation.listing_id,
            "status": reservation.status,
            "quantity": reservation.quantity,
        },
    )


def _lock_listing(listing_id: int) -> Listing:
    listing = (
        Listing.objects.select_for_update()
        .defer("search_vector", "description", "pickup_instructions")
        .filter(pk=listing_id)
        .first()
    )
    if listing is None:
        raise Listing.DoesNotExist
    return listing


# Reserving is the hot path (bench/reservations.py): its two rows are written with plain
# INSERTs, which cost a fifth of what Model.objects.create() does in Python. The columns are
# the models' own; a field added without a value here fails every reserving test at once.
# The fast path (RESERVE_SQL) writes the same rows.
INSERT_RESERVATION_SQL = """
    INSERT INTO reservations_reservation (
        listing_id, unit_id, requested_by_id, quantity, quantity_collected, handover,
        wanted_date, contact_name, contact_phone, note, collect_by, extended, status, reason,
        owner_notified_at, created_at, updated_at)
    VALUES (
        %(listing)s, %(unit)s, %(actor)s, %(quantity)s, 0, %(handover)s,
        %(wanted_date)s, %(contact_name)s, %(contact_phone)s, %(note)s, %(collect_by)s, FALSE,
        %(status)s, '', %(owner_notified_at)s, %(now)s, %(now)s)
    RETURNING id
"""
INSERT_EVENT_SQL = """
    INSERT INTO listings_listingevent (listing_id, actor_id, kind, changes, note, created_at)
    VALUES (%(listing)s, %(actor)s, %(kind)s, %(changes)s, '', %(now)s)
"""


def _new_reservation(
    *,
    listing_id,
    actor,
    unit,
    quantity,
    status,
    handover,
    wanted_date,
    contact_name,
    contact_phone,
    note,
) -> Reservation:
    """The row to write, unsaved; both reserving paths write it with plain SQL."""
    now = timezone.now()
    return Reservation(
        listing_id=listing_id,
        unit=unit,
        requested_by=actor,
        quantity=quantity,
        status=status,
        handover=handover,
        wanted_date=wanted_date,
        contact_name=contact_name.strip()[:200],
        contact_phone=contact_phone.strip()[:40],
        note=(note or "").strip()[:1000],
        collect_by=_collect_by() if status == Status.ACTIVE else None,
        created_at=now,
        updated_at=now,
    )


def _insert(**fields) -> Reservation:
    """The reservation row and its history event, for the locked path and the basket."""
    reservation = _new_reservation(**fields)
    active = reservation.status == Status.ACTIVE
    ops = connection.ops
    db_now = ops.adapt_datetimefield_value(reservation.created_at)
    with connection.cursor() as cursor:
        cursor.execute(
            INSERT_RESERVATION_SQL,
            {
                "listing": reservation.listing_id,
                "unit": reservation.unit_id,
                "actor": reservation.requested_by_id,
                "quantity": reservation.quantity,
                "handover": reservation.handover,
                "wanted_date": ops.adapt_datefield_value(reservation.wanted_date),
                "contact_name": reservation.contact_name,
                "contact_phone": reservation.contact_phone,
                "note": reservation.note,
                "collect_by": ops.adapt_datefield_value(reservation.collect_by),
                "status": reservation.status,
                # Owners hear of active reservations only (notify.notify_owners).
                "owner_notified_at": None if active else db_now,
                "now": db_now,
            },
        )
        reservation.pk = cursor.fetchone()[0]
        changes = {
            "reservation": reservation.pk,
            "unit": reservation.unit.name,
            "quantity": reservation.quantity,
        }
        cursor.execute(
            INSERT_EVENT_SQL,
            {
                "listing": reservation.listing_id,
                "actor": reservation.requested_by_id,
                "kind": "reserved" if active else "waitlisted",
                "changes": history.changes_for_db(changes, connection),
                "now": db_now,
            },
        )
    reservation._state.adding = False
    return reservation


def _create(*, batch, listing, actor, **fields) -> Reservation:
    reservation = _insert(listing_id=listing.pk, actor=actor, unit=actor.unit, **fields)
    reservation.listing = listing
    _announce_reservation(batch, reservation)
    return reservation


# --- reserving ------------------------------------------------------------------------------


def reservation_create(
    *,
    actor,
    listing_id: int,
    quantity: int,
    handover: str = Reservation.Handover.PICKUP,
    wanted_date: date | None = None,
    contact_name: str,
    contact_phone: str,
    note: str = "",
    join_waiting_list: bool = False,
) -> Reservation:
    """Reserve `quantity` of a listing for the actor's unit, or queue for it."""
    _validate_details(wanted_date, contact_name, contact_phone)
    unit = actor.unit  # loaded before any lock is taken
    if unit is not None and 1 <= quantity <= 999:
        reservation = _reserve_fast(
            actor=actor,
            unit=unit,
            listing_id=listing_id,
            quantity=quantity,
            handover=handover,
            wanted_date=wanted_date,
            contact_name=contact_name,
            contact_phone=contact_phone,
            note=note,
        )
        if reservation is not None:
            return reservation
    # Not enough, or something to explain: take the lock, look, and queue or refuse.
    batch = live.Batch()
    with transaction.atomic():
        listing = _lock_listing(listing_id)
        _check_reservable(listing, unit, quantity)
        if listing.quantity_available >= quantity:
            listing.quantity_available -= quantity
            listing.save(update_fields=["quantity_available", "updated_at"])
            status = Status.ACTIVE
            _announce_listing(batch, listing)
        elif join_waiting_list:
            left = listing.quantity - listing.quantity_collected - listing.quantity_disposed
            if quantity > left:
                raise ValidationError(
                    _("Only %(n)d of these exist, so a waiting list for more cannot be served.")
                    % {"n": left},
                    code="quantity",
                )
            status = Status.WAITING
        else:
            raise NotEnoughAvailable(
                _not_enough_message(listing.quantity_available), code="not_enough"
            )
        reservation = _create(
            batch=batch,
            listing=listing,
            actor=actor,
            quantity=quantity,
            status=status,
            handover=handover,
            wanted_date=wanted_date,
            contact_name=contact_name,
            contact_phone=contact_phone,
            note=note,
        )
        notify.reserved(reservation)
        live.publish_batch(batch)
    return reservation


# The hot path on PostgreSQL, in one statement: lock, check and decrease the listing, and
# write the reservation and its history event only if that matched. Run in autocommit it
# is its own transaction, and the row lock lasts only as long as the statement.
# The columns are the models' own; a field added without a value here fails every
# reserving test at once.
RESERVE_SQL = """
    WITH taken AS (
        UPDATE listings_listing
           SET quantity_available = quantity_available - %(quantity)s, updated_at = %(now)s
         WHERE id = %(listing)s AND status = 'published' AND quantity_available >= %(quantity)s
           AND available_from <= %(today)s AND available_until >= %(today)s
           AND owner_unit_id <> %(unit)s
     RETURNING id, quantity_available, owner_unit_id
    ), reservation AS (
        INSERT INTO reservations_reservation (
            listing_id, unit_id, requested_by_id, quantity, quantity_collected, handover,
            wanted_date, contact_name, contact_phone, note, collect_by, extended, status,
            reason, owner_notified_at, created_at, updated_at)
        SELECT id, %(unit)s, %(actor)s, %(quantity)s, 0, %(handover)s,
               %(wanted_date)s, %(contact_name)s, %(contact_phone)s, %(note)s, %(collect_by)s,
               FALSE, 'active', '', NULL, %(now)s, %(now)s
          FROM taken
     RETURNING id, listing_id
    ), event AS (
        INSERT INTO listings_listingevent (listing_id, actor_id, kind, changes, note, created_at)
        SELECT listing_id, %(actor)s, 'reserved',
               jsonb_build_object('reservation', id, 'unit', %(unit_name)s::text,
                                  'quantity', %(quantity)s::integer),
               '', %(now)s
          FROM reservation
    )
    SELECT reservation.id, taken.quantity_available, taken.owner_unit_id
      FROM reservation, taken
"""


def _reserve_fast(*, actor, unit, listing_id, quantity, **details) -> Reservation | None:
    """The common case on PostgreSQL, with the shortest possible lock.

    None when it took nothing (not enough, not reservable, or SQLite, where writes are
    serialised anyway): then the locked path explains, queues or reserves.
    """
    if connection.vendor != "postgresql":
        return None
    reservation = _new_reservation(
        listing_id=listing_id,
        actor=actor,
        unit=unit,
        quantity=quantity,
        status=Status.ACTIVE,
        **details,
    )
    now = reservation.created_at
    params = {
        "quantity": quantity,
        "now": now,
        "today": timezone.localdate(),
        "listing": listing_id,
        "unit": unit.pk,
        "unit_name": unit.name,
        "actor": actor.pk,
        "handover": reservation.handover,
        "wanted_date": reservation.wanted_date,
        "contact_name": reservation.contact_name,
        "contact_phone": reservation.contact_phone,
        "note": reservation.note,
        "collect_by": reservation.collect_by,
    }
    # No transaction.atomic() here on purpose: one statement is one transaction. Outside a
    # caller's transaction PostgreSQL commits it as it completes, so the listing's row lock
    # is never held while this thread waits for the interpreter lock to send a COMMIT
    # (with 32 threads in one process that wait was longer than the work). Inside a
    # caller's transaction it simply joins it, and on_commit waits for that commit.
    with connection.cursor() as cursor:
        cursor.execute(RESERVE_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    reservation.pk, available, owner_unit_id = row
    reservation._state.adding = False
    notify.reserved(reservation)
    batch = live.Batch()
    batch.add(
        [live.CATALOGUE_GROUP],
        "listing.changed" if available else "listing.removed",
        {"id": listing_id, "status": Listing.Status.PUBLISHED, "quantity_available": available},
    )
    batch.add(
        [live.unit_group(unit.pk), live.unit_group(owner_unit_id)],
        "reservation.changed",
        {
            "id": reservation.pk,
            "listing": listing_id,
            "status": Status.ACTIVE,
            "quantity": quantity,
        },
    )
    live.publish_batch(batch)
    return reservation


def basket_reserve(
    *,
    actor,
    items: list[BasketItem],
    handover: str = Reservation.Handover.PICKUP,
    wanted_date: date | None = None,
    contact_name: str,
    contact_phone: str,
    note: str = "",
) -> list[Reservation]:
    """Reserve several listings at once: all of them or none."""
    if not items:
        raise ValidationError(_("The basket is empty."))
    wanted = {}
    for item in items:
        wanted[item.listing_id] = wanted.get(item.listing_id, 0) + item.quantity
    _validate_details(wanted_date, contact_name, contact_phone)
    unit = actor.unit
    batch = live.Batch()
    with transaction.atomic():
        # Primary-key order: concurrent baskets over the same listings queue, never deadlock.
        listings = list(Listing.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
        if len(listings) != len(wanted):
            raise ValidationError(_("Some items in the basket no longer exist."))
        problems, conflict = [], True
        for listing in listings:
            try:
                _check_reservable(listing, unit, wanted[listing.pk])
                if listing.quantity_available < wanted[listing.pk]:
                    raise NotEnoughAvailable(_not_enough_message(listing.quantity_available))
            except ValidationError as error:
                conflict = conflict and isinstance(error, NotEnoughAvailable)
                problems.extend(f"{listing.title}: {message}" for message in error.messages)
        if problems:
            # Only "someone was first" is a conflict (409); anything else is bad input (400).
            raise (NotEnoughAvailable if conflict else ValidationError)(problems, code="basket")
        reservations = []
        for listing in listings:
            listing.quantity_available -= wanted[listing.pk]
            listing.save(update_fields=["quantity_available", "updated_at"])
            _announce_listing(batch, listing)
            reservation = _create(
                batch=batch,
                listing=listing,
                actor=actor,
                quantity=wanted[listing.pk],
                status=Status.ACTIVE,
                handover=handover,
                wanted_date=wanted_date,
                contact_name=contact_name,
                contact_phone=contact_phone,
                note=note,
            )
            notify.reserved(reservation)
            reservations.append(reservation)
        live.publish_batch(batch)
    return reservations


# --- transitions ----------------------------------------------------------------------------


def reservation_transition(
    *,
    reservation: Reservation,
    listing: Listing,
    to: str,
    actor,
    reason: str = "",
    collected: int = 0,
    batch: live.Batch | None = None,
) -> Reservation:
    """The one place a reservation changes status. Callers hold the listing's lock.

    Gives quantity back on cancel and expiry, takes collected items off the listing for
    good, archives a listing when everything has been collected, and records the event.
    """
    allowed = Reservation.TRANSITIONS.get(reservation.status, set())
    if to not in allowed:
        raise ValidationError(
            _("A reservation that is “%(from)s” cannot become “%(to)s”.")
            % {"from": reservation.get_status_display(), "to": Status(to).label},
            code="illegal_transition",
        )
    previous = reservation.status
    if previous == Status.ACTIVE:
        returned = reservation.quantity - (collected if to == Status.COLLECTED else 0)
        listing.quantity_available += returned
        listing.quantity_collected += collected if to == Status.COLLECTED else 0
    elif to == Status.ACTIVE:  # promoted from the waiting list
        listing.quantity_available -= reservation.quantity
        reservation.collect_by = _collect_by()
    if to == Status.COLLECTED:
        reservation.quantity_collected = collected
    reservation.status = to
    reservation.reason = reason.strip()[:500]
    reservation.save(
        update_fields=["status", "reason", "collect_by", "quantity_collected", "updated_at"]
    )
    history.record(
        listing=listing,
        actor=actor,
        kind=EVENT_FOR_STATUS[to],
        changes={
            "reservation": reservation.pk,
            "unit": reservation.unit.name,
            "from": previous,
            "to": to,
            **({"collected": collected} if to == Status.COLLECTED else {}),
        },
        note=reason,
    )
    gone = listing.quantity_collected + listing.quantity_disposed
    if gone >= listing.quantity and listing.status != Listing.Status.ARCHIVED:
        listing.status = Listing.Status.ARCHIVED
        history.record(
            listing=listing, actor=actor, kind="archived", note=_("Everything collected.")
        )
    listing.save(update_fields=["quantity_available", "quantity_collected", "status", "updated_at"])
    reservation.listing = listing
    if batch is None:
        batch = live.Batch()
        _announce_reservation(batch, reservation)
        _announce_listing(batch, listing)
        live.publish_batch(batch)
    else:
        # The caller announces the listing once, with its final quantity.
        _announce_reservation(batch, reservation)
    notify.status_changed(reservation, previous)
    return reservation


def waiting_list_promote(*, listing: Listing, actor, batch: live.Batch) -> list[Reservation]:
    """Freed quantity goes to the waiting list, first come first served, whoever fits.

    Callers (here, relisting, a larger quantity, disposal) hold the listing's lock and
    announce the listing afterwards. A listing that can never serve its queue again
    (everything collected or disposed of) cancels it, so nobody waits forever.
    """
    promoted = []
    queue = (
        Reservation.objects.select_for_update(of=("self",))
        .filter(listing=listing, status=Status.WAITING)
        .select_related("unit", "requested_by")
        .order_by("created_at", "pk")
    )
    if listing.status == Listing.Status.ARCHIVED:
        for waiting in queue:
            reservation_transition(
                reservation=waiting,
                listing=listing,
                to=Status.CANCELLED,
                actor=actor,
                reason=_("Nothing of this item is left to give."),
                batch=batch,
            )
        return promoted
    if listing.status != Listing.Status.PUBLISHED or listing.quantity_available == 0:
        return promoted
    for waiting in queue:
        if listing.quantity_available == 0:
            break
        if waiting.quantity <= listing.quantity_available:
            reservation_transition(
                reservation=waiting,
                listing=listing,
                to=Status.ACTIVE,
                actor=actor,
                reason=_("Quantity became available."),
                batch=batch,
            )
            promoted.append(waiting)
    return promoted


def _lock_reservation(reservation_id: int) -> tuple[Reservation, Listing]:
    """Listing first, then the reservation: the same order as reserving."""
    listing_id = (
        Reservation.objects.filter(pk=reservation_id).values_list("listing_id", flat=True).first()
    )
    if listing_id is None:
        raise Reservation.DoesNotExist
    listing = _lock_listing(listing_id)
    reservation = (
        Reservation.objects.select_for_update(of=("self",))
        .select_related("unit", "requested_by")
        .get(pk=reservation_id)
    )
    return reservation, listing


def is_owner_side(user, listing: Listing) -> bool:
    roles = role_names(user)
    if COORDINATOR in roles:
        return True
    if listing.storage_location_id is not None and WAREHOUSE in roles:
        return True
    return belongs_to_unit(user, listing.owner_unit_id)


def can_cancel(user, reservation: Reservation) -> bool:
    return belongs_to_unit(user, reservation.unit_id) or is_owner_side(user, reservation.listing)


def can_hand_over(user, reservation: Reservation) -> bool:
    return is_owner_side(user, reservation.listing)


def reservation_cancel(*, actor, reservation_id: int, reason: str = "") -> Reservation:
    with transaction.atomic():
        reservation, listing = _lock_reservation(reservation_id)
        if not can_cancel(actor, reservation):
            raise PermissionDenied
        if not belongs_to_unit(actor, reservation.unit_id) and not reason.strip():
            raise ValidationError({"reason": _("Tell the reserving unit why you cancel.")})
        batch = live.Batch()
        reservation_transition(
            reservation=reservation,
            listing=listing,
            to=Status.CANCELLED,
            actor=actor,
            reason=reason,
            batch=batch,
        )
        waiting_list_promote(listing=listing, actor=actor, batch=batch)
        _announce_listing(batch, listing)
        live.publish_batch(batch)
    return reservation


def reservation_collect(
    *,
    actor,
    reservation_id: int,
    quantity: int | None = None,
    scanned_code: str = "",
    by_delivery: bool = False,
) -> Reservation:
    """The handover: the owner side (or the warehouse for stored items) confirms it.

    A scanned QR label must belong to this reservation's item. Collecting fewer than
    reserved is allowed; the rest goes back on offer.
    """
    with transaction.atomic():
        reservation, listing = _lock_reservation(reservation_id)
        # A warehouse driver hands over what they deliver, wherever it came from.
        driver = by_delivery and WAREHOUSE in role_names(actor)
        if not (driver or can_hand_over(actor, reservation)):
            raise PermissionDenied
        if scanned_code and not code_matches(scanned_code, listing):
            raise ValidationError(
                {
                    "scanned_code": _(
                        "This label belongs to another item. Check that you have the right one."
                    )
                }
            )
        quantity = reservation.quantity if quantity is None else quantity
        if not 1 <= quantity <= reservation.quantity:
            raise ValidationError(
                {"quantity": _("Hand over between 1 and %(n)d.") % {"n": reservation.quantity}}
            )
        how = _("Confirmed by scanning the label.") if scanned_code else _("Confirmed by hand.")
        batch = live.Batch()
        reservation_transition(
            reservation=reservation,
            listing=listing,
            to=Status.COLLECTED,
            actor=actor,
            reason=how,
            collected=quantity,
            batch=batch,
        )
        waiting_list_promote(listing=listing, actor=actor, batch=batch)
        _announce_listing(batch, listing)
        live.publish_batch(batch)
    return reservation


def code_matches(scanned: str, listing: Listing) -> bool:
    """The label's QR holds the item's URL; people may also type the code (K-000123)."""
    text = scanned.strip().rstrip("/")
    if text.upper() == (listing.code or "").upper():
        return True
    return text.endswith(f"/listings/{listing.pk}")


def reservation_extend(*, actor, reservation_id: int) -> Reservation:
    """The owner gives more time to collect, once."""
    with transaction.atomic():
        reservation, listing = _lock_reservation(reservation_id)
        if not is_owner_side(actor, listing):
            raise PermissionDenied
        if reservation.status != Status.ACTIVE:
            raise ValidationError(_("Only an active reservation can be extended."))
        if reservation.extended:
            raise ValidationError(_("The collect-by date has already been extended once."))
        old = reservation.collect_by
        reservation.collect_by = old + timedelta(days=settings.RESERVATION_EXTEND_DAYS)
        reservation.extended = True
        reservation.reminded_before_at = reservation.reminded_due_at = None
        reservation.save(
            update_fields=[
                "collect_by",
                "extended",
                "reminded_before_at",
                "reminded_due_at",
                "updated_at",
            ]
        )
        history.record(
            listing=listing,
            actor=actor,
            kind="extended",
            changes={
                "reservation": reservation.pk,
                "collect_by": [str(old), str(reservation.collect_by)],
            },
        )
        reservation.listing = listing
        batch = live.Batch()
        _announce_reservation(batch, reservation)
        live.publish_batch(batch)
        notify.extended(reservation)
    return reservation


# --- periodic jobs --------------------------------------------------------------------------


def reservations_expire(*, today: date | None = None) -> int:
    """Expire reservations past their collect-by date; give quantity back; promote the queue.

    Idempotent and safe to run twice at once: rows another run holds are skipped.
    """
    today = today or timezone.localdate()
    due = list(
        Reservation.objects.filter(status=Status.ACTIVE, collect_by__lt=today)
        .order_by("listing_id", "pk")
        .values_list("pk", "listing_id")
    )
    expired = 0
    for reservation_id, listing_id in due:
        with transaction.atomic():
            listing = (
                Listing.objects.select_for_update(skip_locked=True).filter(pk=listing_id).first()
            )
            if listing is None:
                continue  # another run is working on this listing
            reservation = (
                Reservation.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("unit", "requested_by")
                .filter(pk=reservation_id, status=Status.ACTIVE, collect_by__lt=today)
                .first()
            )
            if reservation is None:
                continue
            batch = live.Batch()
            reservation_transition(
                reservation=reservation,
                listing=listing,
                to=Status.EXPIRED,
                actor=None,
                reason=_("Not collected by the collect-by date."),
                batch=batch,
            )
            waiting_list_promote(listing=listing, actor=None, batch=batch)
            _announce_listing(batch, listing)
            live.publish_batch(batch)
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
