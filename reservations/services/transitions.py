"""Status changes: the one transition function, the waiting list, cancel, handover, extension."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kierratys.accounts.roles import belongs_to_unit
from kierratys.common.errors import Conflict, ServiceError
from listings import audience, history
from listings.codes import code_problem
from listings.events import listing_announce
from listings.models import Listing
from listings.services import listing_archive_when_gone

from .. import notify
from ..charges.services import charges_at_handover
from ..errors import ReservationError as Code
from ..locks import reservation_lock
from ..models import Reservation
from ..permissions import can_cancel, can_hand_over, is_owner_side
from .handover_documents import handover_document_write
from .rules import (
    EVENT_FOR_STATUS,
    Status,
    _announce_reservation,
    _collect_by,
    _decide_by,
    _fulfil_wanted,
    _holding_status,
)


def reservation_transition(
    *,
    reservation: Reservation,
    listing: Listing,
    to: str,
    actor,
    reason: str = "",
    collected: int = 0,
) -> Reservation:
    """The one place a reservation changes status. Callers hold the listing's lock.

    Gives quantity back on cancel and expiry, takes collected items off the listing for
    good, archives a listing when everything has been collected, and records the event.
    """
    allowed = Reservation.TRANSITIONS.get(reservation.status, set())
    if to not in allowed:
        raise Conflict(
            _("A reservation that is “%(from)s” cannot become “%(to)s”.")
            % {"from": reservation.get_status_display(), "to": Status(to).label},
            code=Code.ILLEGAL_TRANSITION,
        )
    previous = reservation.status
    holding = Reservation.HOLDING_STATUSES
    if previous in holding and to not in holding:
        returned = reservation.quantity - (collected if to == Status.COLLECTED else 0)
        listing.quantity_available += returned
        listing.quantity_collected += collected if to == Status.COLLECTED else 0
    elif previous not in holding and to in holding:  # promoted from the waiting list
        listing.quantity_available -= reservation.quantity
    # An approved request holds what it held; from now on it is collected by a date.
    if to == Status.ACTIVE:
        reservation.collect_by = _collect_by()
    if to == Status.REQUESTED:  # the owner approves requests: asked as if reserved now
        reservation.decide_by = _decide_by(listing)
        reservation.owner_notified_at = None  # the owners' sweep tells them (notify.py)
    if to == Status.COLLECTED:
        reservation.quantity_collected = collected
    reservation.status = to
    reservation.reason = reason.strip()[:500]
    reservation.save(
        update_fields=[
            "status",
            "reason",
            "collect_by",
            "decide_by",
            "owner_notified_at",
            "quantity_collected",
            "updated_at",
        ]
    )
    approved = previous == Status.REQUESTED and to == Status.ACTIVE
    history.record(
        listing=listing,
        actor=actor,
        kind="approved" if approved else EVENT_FOR_STATUS[to],
        changes={
            "reservation": reservation.pk,
            "unit": reservation.unit.name,
            "from": previous,
            "to": to,
            **({"collected": collected} if to == Status.COLLECTED else {}),
        },
        note=reason,
    )
    listing_archive_when_gone(listing=listing, actor=actor)
    listing.save(update_fields=["quantity_available", "quantity_collected", "status", "updated_at"])
    reservation.listing = listing
    _announce_reservation(reservation)
    listing_announce(listing)  # once per transaction, with the final quantity
    notify.status_changed(reservation, previous)
    if to == Status.REQUESTED:
        notify.reserved(reservation)
    if to == Status.ACTIVE:  # approved, or promoted from the waiting list
        _fulfil_wanted(reservation, actor)
    return reservation


def waiting_list_promote(*, listing: Listing, actor) -> list[Reservation]:
    """Freed quantity goes to the waiting list, first come first served, whoever fits.

    Callers (here, relisting, a larger quantity, disposal) hold the listing's lock and
    announce the listing afterwards. A listing that can never serve its queue again
    (everything collected or disposed of) cancels it, so nobody waits forever.
    """
    promoted = []
    queue = (
        Reservation.objects.select_for_update(of=("self",))
        .filter(listing=listing, status=Status.WAITING)
        .select_related("unit__department", "requested_by")
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
            )
        return promoted
    if listing.status != Listing.Status.PUBLISHED or listing.quantity_available == 0:
        return promoted
    for waiting in queue:
        if listing.quantity_available == 0:
            break
        if not audience.sees(audience.viewer_for_unit(waiting.unit), listing):
            continue  # its stage no longer shows it to them (a partnership ended): they wait
        if waiting.quantity <= listing.quantity_available:
            reservation_transition(
                reservation=waiting,
                listing=listing,
                to=_holding_status(listing),  # a request, when the owner approves them
                actor=actor,
                reason=_("Quantity became available."),
            )
            promoted.append(waiting)
    return promoted


def reservation_cancel(*, actor, reservation_id: int, reason: str = "") -> Reservation:
    with transaction.atomic():
        reservation, listing = reservation_lock(reservation_id)
        if not can_cancel(actor, reservation):
            raise PermissionDenied
        if not belongs_to_unit(actor, reservation.unit_id) and not reason.strip():
            raise ServiceError({"reason": _("Tell the reserving unit why you cancel.")})
        reservation_transition(
            reservation=reservation,
            listing=listing,
            to=Status.CANCELLED,
            actor=actor,
            reason=reason,
        )
        waiting_list_promote(listing=listing, actor=actor)
        listing_announce(listing)
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
        reservation, listing = reservation_lock(reservation_id)
        if not can_hand_over(actor, reservation, by_delivery=by_delivery):
            raise PermissionDenied
        problem = code_problem(scanned_code, listing) if scanned_code else None
        if problem:
            raise ServiceError({"scanned_code": problem})
        quantity = reservation.quantity if quantity is None else quantity
        if not 1 <= quantity <= reservation.quantity:
            raise ServiceError(
                {"quantity": _("Hand over between 1 and %(n)d.") % {"n": reservation.quantity}}
            )
        how = _("Confirmed by scanning the label.") if scanned_code else _("Confirmed by hand.")
        reservation_transition(
            reservation=reservation,
            listing=listing,
            to=Status.COLLECTED,
            actor=actor,
            reason=how,
            collected=quantity,
        )
        handover_document_write(reservation=reservation, listing=listing, actor=actor)
        charges_at_handover(reservation=reservation, listing=listing)  # internal prices
        waiting_list_promote(listing=listing, actor=actor)
        listing_announce(listing)
    return reservation


def reservation_extend(*, actor, reservation_id: int) -> Reservation:
    """The owner gives more time to collect, once."""
    with transaction.atomic():
        reservation, listing = reservation_lock(reservation_id)
        if not is_owner_side(actor, listing):
            raise PermissionDenied
        if reservation.status != Status.ACTIVE:
            raise Conflict(_("Only an active reservation can be extended."), code=Code.NOT_ACTIVE)
        if reservation.extended:
            raise Conflict(
                _("The collect-by date has already been extended once."),
                code=Code.ALREADY_EXTENDED,
            )
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
        _announce_reservation(reservation)
        notify.extended(reservation)
    return reservation


def reservation_hold_for_delivery(*, reservation: Reservation, day) -> None:
    """A booked delivery keeps the reservation until its day: it never expires while the
    warehouse is on its way. Callers hold the listing's and the reservation's locks."""
    if reservation.collect_by is None or reservation.collect_by < day:
        reservation.collect_by = day
        reservation.save(update_fields=["collect_by", "updated_at"])
