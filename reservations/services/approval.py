"""The owner approves requests (issue 20, item 3): approve, decline, and the time-out.

A listing with `owner_approves` gives requests, not reservations (rules._holding_status):
a request holds its quantity like a reservation until the owner side approves it (it
becomes active, with a collect-by date) or declines it, or its `decide_by` passes and the
periodic job expires it. Declined and expired requests give their quantity back and serve
the waiting list. Every status change goes through transitions.reservation_transition.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kierratys.accounts.roles import belongs_to_unit
from kierratys.common.errors import Conflict, ServiceError
from listings.events import listing_announce

from ..errors import ReservationError as Code
from ..locks import reservation_lock
from ..models import Reservation
from ..permissions import can_decide, made_it_for_them
from .jobs import expire_due
from .rules import NotYourDecision, Status
from .transitions import reservation_transition, waiting_list_promote


def _locked_request(*, actor, reservation_id: int):
    """The request and its listing, locked, once the actor may decide it now."""
    reservation, listing = reservation_lock(reservation_id)
    reservation.listing = listing
    if belongs_to_unit(actor, reservation.unit_id):
        raise NotYourDecision(
            _("Your unit made this request, so someone from the giving unit decides it."),
            code=Code.OWN_REQUEST,
        )
    if made_it_for_them(actor, reservation):
        raise NotYourDecision(
            _("You made this request for %(unit)s, so someone from the giving unit decides it.")
            % {"unit": reservation.unit.display_name},
            code=Code.OWN_REQUEST,
        )
    if not can_decide(actor, reservation):
        raise PermissionDenied
    if reservation.status != Status.REQUESTED:
        raise Conflict(
            _("This is no longer a request waiting for a decision: it is “%(status)s”.")
            % {"status": reservation.get_status_display()},
            code=Code.NOT_REQUESTED,
        )
    if timezone.now() > reservation.decide_by:
        raise Conflict(
            _(
                "The time to decide ended on %(date)s. The request expires and the items "
                "are offered again."
            )
            % {
                "date": date_format(
                    timezone.localtime(reservation.decide_by), "SHORT_DATETIME_FORMAT"
                )
            },
            code=Code.DECIDE_LATE,
        )
    return reservation, listing


def reservation_approve(*, actor, reservation_id: int) -> Reservation:
    """The owner side approves a request: it becomes a reservation to collect by a date."""
    with transaction.atomic():
        reservation, listing = _locked_request(actor=actor, reservation_id=reservation_id)
        reservation_transition(
            reservation=reservation, listing=listing, to=Status.ACTIVE, actor=actor
        )
    return reservation


def reservation_decline(*, actor, reservation_id: int, reason: str = "") -> Reservation:
    """The owner side declines a request, saying why: its quantity goes back on offer and
    to the waiting list."""
    with transaction.atomic():
        reservation, listing = _locked_request(actor=actor, reservation_id=reservation_id)
        if not reason.strip():
            raise ServiceError({"reason": _("Tell the requesting unit why you decline.")})
        reservation_transition(
            reservation=reservation,
            listing=listing,
            to=Status.DECLINED,
            actor=actor,
            reason=reason,
        )
        waiting_list_promote(listing=listing, actor=actor)
        listing_announce(listing)
    return reservation


def reservation_requests_expire(*, now=None) -> int:
    """Expire requests nobody decided by their `decide_by`; give quantity back; serve the
    waiting list. Idempotent and safe to run twice at once (reservations_expire's way)."""
    now = now or timezone.now()
    return expire_due(
        Q(status=Status.REQUESTED, decide_by__lt=now), _("Not approved or declined in time.")
    )
