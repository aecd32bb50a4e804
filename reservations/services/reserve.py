"""Reserving one listing or a basket, on the locked path (SQLite, and whatever the fast path
cannot take: not enough left, the waiting list, a message to explain)."""

from contextlib import nullcontext
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from kierratys.common.errors import NotFound, ServiceError
from kierratys.common.limits import MAX_QUANTITY
from listings import history
from listings.events import listing_announce
from listings.models import Listing

from .. import hooks, notify
from ..errors import ReservationError as Code
from ..locks import UNUSED_FIELDS, listing_lock, listings_lock
from ..models import Reservation
from .fast import reserve_fast
from .rules import (
    BasketItem,
    NotEnoughAvailable,
    Status,
    _announce_reservation,
    _check_reservable,
    _decide_by,
    _fulfil_wanted,
    _holding_status,
    _new_reservation,
    _not_enough_message,
    _too_few_message,
    _unit_reserving,
    _validate_details,
)


def _create(*, listing, actor, unit, on_behalf=False, **fields) -> Reservation:
    """The reservation row and its history event, for the locked path and the basket.

    The one-statement fast path (fast.RESERVE_SQL) writes the same two rows; a test
    compares them column by column (tests/reservations/test_fast_path_parity.py). One made
    on behalf of a unit records so in its event too ("by the actor for the unit").
    """
    requested = fields.get("status") == Status.REQUESTED
    reservation = _new_reservation(
        listing_id=listing.pk,
        actor=actor,
        unit=unit,
        decide_by=_decide_by(listing) if requested else None,
        on_behalf=on_behalf,
        **fields,
    )
    reservation.listing = listing
    holding = reservation.status in Reservation.HOLDING_STATUSES
    # Owners hear of what holds quantity only: reservations, and requests to decide
    # (notify.notify_owners).
    reservation.owner_notified_at = None if holding else reservation.created_at
    reservation.save(force_insert=True)
    history.record(
        listing=listing,
        actor=actor,
        kind=("requested" if requested else "reserved") if holding else "waitlisted",
        changes={
            "reservation": reservation.pk,
            "unit": reservation.unit.name,
            "quantity": reservation.quantity,
            **({"on_behalf": True} if on_behalf else {}),
        },
    )
    _announce_reservation(reservation)
    if reservation.status == Status.ACTIVE:
        _fulfil_wanted(reservation, actor)
    return reservation


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
    delivery: tuple[int, date] | None = None,
    seen_available: int | None = None,
    for_unit_id: int | None = None,
) -> Reservation:
    """Reserve `quantity` of a listing for the actor's unit, or queue for it.

    `for_unit_id`: warehouse staff and coordinators reserve for another unit of their
    organisation (issue 20, item 4); every rule is then that unit's, and the reservation
    is that unit's own, recorded as made by the actor on its behalf. Another organisation's
    unit, or any unit for someone without those roles, is 404.

    `delivery` (a slot id and a day) books the delivery in the same transaction, through
    the `delivery_book` hook: a full or closed slot leaves nothing written. A reservation
    that only joins the waiting list books its delivery later. `seen_available` is what
    the reserving page showed: only when that was enough is a refusal "someone was first"
    (409); asking for more than was on offer is bad input (400).
    """
    _validate_details(wanted_date, contact_name, contact_phone)
    unit, on_behalf = _unit_reserving(actor, for_unit_id)
    if delivery is not None and handover != Reservation.Handover.DELIVERY:
        delivery = None  # a time picked, then "we collect it ourselves": no delivery
    if delivery is not None and not hooks.delivery_book.receivers:
        raise _coded(
            ServiceError({"delivery_slot": _("Delivery times cannot be booked here.")}),
            Code.DELIVERY,
        )
    # With a delivery, all or nothing: the fast path joins this transaction, and so does the
    # booking. Without one the fast path runs on its own (its row lock lasts one statement).
    with transaction.atomic() if delivery is not None else nullcontext():
        reservation = _reserve(
            actor=actor,
            unit=unit,
            on_behalf=on_behalf,
            listing_id=listing_id,
            quantity=quantity,
            handover=handover,
            wanted_date=wanted_date,
            contact_name=contact_name,
            contact_phone=contact_phone,
            note=note,
            join_waiting_list=join_waiting_list,
            seen_available=seen_available,
        )
        if delivery is not None and reservation.status == Status.ACTIVE:
            slot_id, day = delivery
            try:
                hooks.delivery_book(actor=actor, reservation=reservation, slot_id=slot_id, day=day)
            except ValidationError as error:
                # Under the picker, whatever the slot's rule said; 409 stays 409.
                raise _on_field(error, "delivery_slot") from error
            reservation.refresh_from_db(fields=["collect_by"])  # held for the delivery
    return reservation


def _on_field(error: ValidationError, field: str) -> ValidationError:
    errors = (
        [e for errors in error.error_dict.values() for e in errors]
        if hasattr(error, "error_dict")
        else error.error_list
    )
    return _coded(
        type(error)({field: errors}),
        getattr(error, "code", None) or (errors[0].code if errors else None),
    )


def _coded(error: ValidationError, code) -> ValidationError:
    """A field's error keeps its code too (Django sets none on a dict of errors)."""
    error.code = code
    return error


def _reserve(
    *,
    actor,
    unit,
    on_behalf,
    listing_id,
    quantity,
    handover,
    wanted_date,
    contact_name,
    contact_phone,
    note,
    join_waiting_list,
    seen_available,
) -> Reservation:
    # The unit is loaded before any lock is taken. One made on behalf of another unit takes
    # the locked path: rare, and its history event says who it was made by.
    if unit is not None and not on_behalf and 1 <= quantity <= MAX_QUANTITY:
        reservation = reserve_fast(
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
        if not join_waiting_list and connection.vendor == "postgresql":
            _refuse_sold_out(listing_id, unit, quantity, on_behalf, seen_available)
    # Not enough, or something to explain: take the lock, look, and queue or refuse.
    with transaction.atomic():
        listing = listing_lock(listing_id)
        if join_waiting_list:
            _check_reservable(listing, unit, quantity, on_behalf=on_behalf)
        else:
            _refuse(listing, unit, quantity, on_behalf=on_behalf, seen_available=seen_available)
        if listing.quantity_available >= quantity:
            listing.quantity_available -= quantity
            listing.save(update_fields=["quantity_available", "updated_at"])
            status = _holding_status(listing)
            listing_announce(listing)
        else:  # the waiting list
            left = listing.quantity - listing.quantity_collected - listing.quantity_disposed
            if quantity > left:
                raise ServiceError(
                    _("Only %(n)d of these exist, so a waiting list for more cannot be served.")
                    % {"n": left},
                    code=Code.QUANTITY,
                )
            status = Status.WAITING
        reservation = _create(
            listing=listing,
            actor=actor,
            unit=unit,
            on_behalf=on_behalf,
            quantity=quantity,
            status=status,
            handover=handover,
            wanted_date=wanted_date,
            contact_name=contact_name,
            contact_phone=contact_phone,
            note=note,
        )
        notify.reserved(reservation)
    return reservation


def _refuse_sold_out(listing_id, unit, quantity, on_behalf, seen_available) -> None:
    """After the fast path took nothing: when a plain read, without the lock, shows that
    every rule allows it and there are simply too few left, say so now. When a hot listing
    sold out, every thread still trying queued on its row lock only to be told that
    (issue 22); the read is as true as what the lock would show a moment later. Anything
    else (a rule refuses, or there are enough after all) goes on to the lock, which waits
    for whatever holds the listing, such as a move to a wider audience, and decides."""
    listing = Listing.objects.defer(*UNUSED_FIELDS).filter(pk=listing_id).first()
    if listing is None or listing.quantity_available >= quantity:
        return
    try:
        _check_reservable(listing, unit, quantity, on_behalf=on_behalf)
    except (NotFound, ServiceError):
        return
    _raise_too_few(listing.quantity_available, quantity, seen_available)


def _refuse(listing, unit, quantity, *, on_behalf, seen_available) -> None:
    """Raise what stops the unit reserving `quantity` of the listing without a waiting
    list: a rule that refuses it, else too few left. Returns when it could be reserved."""
    _check_reservable(listing, unit, quantity, on_behalf=on_behalf)
    if listing.quantity_available < quantity:
        _raise_too_few(listing.quantity_available, quantity, seen_available)


def _raise_too_few(available: int, quantity: int, seen_available: int | None):
    if seen_available is None or seen_available >= quantity:
        raise NotEnoughAvailable(_not_enough_message(available), code=Code.NOT_ENOUGH)
    # Nobody was first: the page already showed too few.
    raise _coded(ServiceError({"quantity": _too_few_message(available)}), Code.NOT_ENOUGH)


def basket_reserve(
    *,
    actor,
    items: list[BasketItem],
    handover: str = Reservation.Handover.PICKUP,
    wanted_date: date | None = None,
    contact_name: str,
    contact_phone: str,
    note: str = "",
    for_unit_id: int | None = None,
) -> list[Reservation]:
    """Reserve several listings at once: all of them or none; for another unit as
    reservation_create does (`for_unit_id`)."""
    if not items:
        raise ServiceError(_("The basket is empty."), code=Code.BASKET)
    wanted = {}
    for item in items:
        wanted[item.listing_id] = wanted.get(item.listing_id, 0) + item.quantity
    _validate_details(wanted_date, contact_name, contact_phone)
    unit, on_behalf = _unit_reserving(actor, for_unit_id)
    with transaction.atomic():
        # Primary-key order: concurrent baskets over the same listings queue, never deadlock.
        listings = listings_lock(wanted)
        if len(listings) != len(wanted):
            raise ServiceError(_("Some items in the basket no longer exist."), code=Code.BASKET)
        problems, conflict = [], True
        for listing in listings:
            try:
                try:
                    _check_reservable(listing, unit, wanted[listing.pk], on_behalf=on_behalf)
                except NotFound:  # its audience moved on since it went in the basket
                    raise ServiceError(_("This item is not available for reservation.")) from None
                if listing.quantity_available < wanted[listing.pk]:
                    raise NotEnoughAvailable(
                        _not_enough_message(listing.quantity_available), code=Code.NOT_ENOUGH
                    )
            except ValidationError as error:
                conflict = conflict and isinstance(error, NotEnoughAvailable)
                problems.extend(f"{listing.title}: {message}" for message in error.messages)
        if problems:
            # Only "someone was first" is a conflict (409); anything else is bad input (400).
            raise (NotEnoughAvailable if conflict else ServiceError)(problems, code=Code.BASKET)
        reservations = []
        for listing in listings:
            listing.quantity_available -= wanted[listing.pk]
            listing.save(update_fields=["quantity_available", "updated_at"])
            listing_announce(listing)
            reservation = _create(
                listing=listing,
                actor=actor,
                unit=unit,
                on_behalf=on_behalf,
                quantity=wanted[listing.pk],
                status=_holding_status(listing),
                handover=handover,
                wanted_date=wanted_date,
                contact_name=contact_name,
                contact_phone=contact_phone,
                note=note,
            )
            notify.reserved(reservation)
            reservations.append(reservation)
    return reservations
