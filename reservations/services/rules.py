"""What every way of reserving checks, and the reservation's live event."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kierratys import live
from kierratys.accounts.pauses.errors import paused_refusal
from kierratys.accounts.pauses.selectors import pause_for_listing
from kierratys.accounts.roles import belongs_to_unit, unit_acted_for
from kierratys.common.errors import Conflict, NotFound, ServiceError
from kierratys.common.limits import MAX_QUANTITY
from listings import audience, history
from listings.models import Listing
from listings.wanted.services import wanted_fulfil_by_reservation

from ..errors import ReservationError as Code
from ..models import Reservation

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
        # Issue 20: the owner approves requests.
        "requested": gettext_lazy("Asked for approval"),
        "promoted_to_request": gettext_lazy("Moved from the waiting list to waiting for approval"),
        "approved": gettext_lazy("Request approved"),
        "declined": gettext_lazy("Request declined"),
    }
)
# The fixed reasons the services write, shown in the history in the reader's language.
history.register_notes(
    {
        "not_collected": gettext_lazy("Not collected by the collect-by date."),
        "nothing_left": gettext_lazy("Nothing of this item is left to give."),
        "quantity_freed": gettext_lazy("Quantity became available."),
        "scanned": gettext_lazy("Confirmed by scanning the label."),
        "by_hand": gettext_lazy("Confirmed by hand."),
        "not_decided": gettext_lazy("Not approved or declined in time."),
    }
)
EVENT_FOR_STATUS = {
    Status.ACTIVE: "promoted",
    Status.CANCELLED: "cancelled",
    Status.EXPIRED: "expired",
    Status.COLLECTED: "collected",
    Status.REQUESTED: "promoted_to_request",
    Status.DECLINED: "declined",
}


def _not_enough_message(available: int) -> str:
    if available == 0:
        return _("None left: someone reserved the last ones first.")
    return _("Only %(n)d available now: someone reserved the rest first.") % {"n": available}


def _too_few_message(available: int) -> str:
    """Asked for more than the page showed: nobody was first, so no one is blamed."""
    if available == 0:
        return _("None are left. You can join the waiting list.")
    return _("Only %(n)d available. Choose a smaller quantity, or join the waiting list.") % {
        "n": available
    }


class NotEnoughAvailable(Conflict):
    """Fewer are available than asked: the view answers 409 and offers the waiting list."""


class NotYourDecision(ServiceError):
    """Approving or declining your own unit's request: the reservation page says so (403)."""

    status = 403


@dataclass(frozen=True)
class BasketItem:
    listing_id: int
    quantity: int


# --- helpers --------------------------------------------------------------------------------


def _collect_by(today: date | None = None) -> date:
    return (today or timezone.localdate()) + timedelta(days=settings.RESERVATION_COLLECT_DAYS)


def _holding_status(listing: Listing) -> str:
    """What a reservation that takes its quantity starts as: a request when the owner
    approves requests (issue 20), else active. The fast path never takes such a listing."""
    return Status.REQUESTED if listing.owner_approves else Status.ACTIVE


def _decide_by(listing: Listing):
    """Until when the owner side may approve or decline a request of this listing."""
    return timezone.now() + timedelta(days=listing.approval_days)


def _unit_reserving(actor, for_unit_id: int | None):
    """The unit a reservation is for, and whether it is made on that unit's behalf.

    Without `for_unit_id`, or with the actor's own, the actor's unit. Another unit only for
    warehouse staff and coordinators, and only one of their organisation: anything else is
    404 (kierratys.accounts.roles.unit_acted_for), so no other unit can be probed."""
    if for_unit_id is None or belongs_to_unit(actor, for_unit_id):
        return actor.unit, False
    return unit_acted_for(actor, for_unit_id), True


def _check_reservable(listing: Listing, unit, quantity: int, *, on_behalf: bool = False) -> None:
    """Refuse, with the reason, what cannot be reserved. The fast path's WHERE
    (`fast.RESERVE_SQL`) enforces the same conditions, the audience too, in one statement;
    the parity tests in tests/reservations/test_fast_path_parity.py keep the two in step.

    Every rule is the reserving unit's: for a reservation made on behalf of a unit
    (`on_behalf`), the listing must be shown to that unit and not be its own; the actor,
    who could see it, is told why under the "For unit" field."""
    today = timezone.localdate()
    if unit is not None and not audience.sees(audience.viewer_for_unit(unit), listing):
        if on_behalf:
            raise _for_unit_error(
                _("This item is not shown to %(unit)s yet, so it cannot be reserved for them.")
                % {"unit": unit.display_name},
                Code.FOR_UNIT,
            )
        raise NotFound  # not at a stage that shows it to this unit: as if it did not exist
    if listing.status != Listing.Status.PUBLISHED:
        raise ServiceError(
            _("This item is not available for reservation."), code=Code.NOT_PUBLISHED
        )
    if listing.for_loan:  # lent for a period (reservations.loans): booked on its calendar
        raise ServiceError(
            _("This item is lent, not given: book the days you need on its page."),
            code=Code.FOR_LOAN,
        )
    if not listing.available_from <= today <= listing.available_until:
        raise ServiceError(
            _("This item can be reserved from %(start)s to %(end)s.")
            % {
                "start": date_format(listing.available_from, "SHORT_DATE_FORMAT"),
                "end": date_format(listing.available_until, "SHORT_DATE_FORMAT"),
            },
            code=Code.OUTSIDE_WINDOW,
        )
    if unit is None:
        raise ServiceError(
            _("Your account is not linked to a unit. Contact support."), code=Code.NO_UNIT
        )
    if listing.owner_unit_id == unit.pk and on_behalf:
        raise _for_unit_error(
            _("%(unit)s cannot reserve its own item.") % {"unit": unit.display_name},
            Code.OWN_ITEM,
        )
    if listing.owner_unit_id == unit.pk:
        raise ServiceError(_("Your unit cannot reserve its own item."), code=Code.OWN_ITEM)
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ServiceError(
            _("Choose a quantity between 1 and %(max)d.") % {"max": MAX_QUANTITY},
            code=Code.QUANTITY,
        )
    # Last: a pause refuses what would otherwise go through, with the coordinator's words.
    # The fast path never takes a listing that may be paused (fast.reserve_fast).
    pause = pause_for_listing(listing, today)
    if pause is not None:
        raise paused_refusal(pause)


def _for_unit_error(message: str, code) -> ServiceError:
    """A refusal for the acted-for unit, under the form's "For unit" field, with its code
    (Django keeps none on a dict of errors)."""
    error = ServiceError({"for_unit": message})
    error.code = code
    return error


def _validate_details(wanted_date, contact_name, contact_phone) -> None:
    errors = {}
    if wanted_date is not None and wanted_date < timezone.localdate():
        errors["wanted_date"] = _("The wanted date cannot be in the past.")
    if not (contact_name or "").strip():
        errors["contact_name"] = _("Tell us who to contact.")
    if not (contact_phone or "").strip():
        errors["contact_phone"] = _("Give a phone number for the handover.")
    if errors:
        raise ServiceError(errors)


def _announce_reservation(reservation: Reservation, owner_unit_id: int | None = None) -> None:
    """Both units' open pages hear of it once the transaction commits; so do those of
    whoever made it on the reserving unit's behalf (issue 20)."""
    owner_unit_id = owner_unit_id or reservation.listing.owner_unit_id
    groups = [live.unit_group(reservation.unit_id), live.unit_group(owner_unit_id)]
    if reservation.on_behalf:
        groups.append(live.user_group(reservation.requested_by_id))
    live.publish(
        groups,
        "reservation.changed",
        {
            "id": reservation.pk,
            "listing": reservation.listing_id,
            "status": reservation.status,
            "quantity": reservation.quantity,
        },
        key=f"reservation:{reservation.pk}",
    )


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
    decide_by=None,
    on_behalf=False,
    today: date | None = None,
) -> Reservation:
    """The row to write, unsaved: the same values on both reserving paths.

    `today`, when the caller has it: each look-up of the current time zone goes through a
    lock that all of the process's threads share (asgiref's Local), and on one hot listing
    32 reserving threads queued on it (issue 22)."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    return Reservation(
        listing_id=listing_id,
        unit=unit,
        requested_by=actor,
        on_behalf=on_behalf,
        quantity=quantity,
        status=status,
        handover=handover,
        wanted_date=wanted_date,
        contact_name=contact_name.strip()[:200],
        contact_phone=contact_phone.strip()[:40],
        note=(note or "").strip()[:1000],
        collect_by=_collect_by(today) if status == Status.ACTIVE else None,
        decide_by=decide_by if status == Status.REQUESTED else None,
        created_at=now,
        updated_at=now,
    )


def _fulfil_wanted(reservation: Reservation, actor) -> None:
    """Issue 20: a unit that now holds a listing made in answer to its own open wanted
    request ("I have this") got what it asked for, so the request is closed as fulfilled.
    Called when a reservation becomes active, in its transaction (on the fast path, once
    its statement has committed, and only for a listing that answers a request)."""
    wanted_fulfil_by_reservation(
        listing_id=reservation.listing_id, unit_id=reservation.unit_id, actor=actor
    )
