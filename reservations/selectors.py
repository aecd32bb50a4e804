from django.db.models import Q

from kierratys.accounts.roles import (
    COORDINATOR,
    WAREHOUSE,
    belongs_to_unit,
    organisation_id_of,
    role_names,
)
from kierratys.common.errors import NotFound
from listings.models import Listing, ListingPhoto

from . import hooks
from .filters import ReservationFilter, open_first
from .models import Reservation
from .permissions import can_cancel, can_decide, can_hand_over, made_it_for_them


def _base():
    return Reservation.objects.select_related(
        "listing",
        "listing__owner_unit",
        "listing__created_by",
        "listing__storage_location__warehouse",
        "unit__department",
        "requested_by__unit",
    )


def reservations_of_unit(*, user, params=None) -> dict:
    """Two lists for the reservations page: what we reserved, and what others reserved of
    ours; both filtered by `params` (filters.ReservationFilter), active ones first."""
    filterset = ReservationFilter(params or None, queryset=Reservation.objects.none())
    if user.unit_id is None:
        return {"ours": [], "theirs": [], "filter": filterset}
    theirs_filter = Q(listing__owner_unit_id=user.unit_id)
    own = organisation_id_of(user)
    if WAREHOUSE in role_names(user) and own is not None:
        # What the organisation's warehouses hold: its own items, or a partner's stored in
        # a warehouse of ours (reservations.permissions.is_owner_side, as a filter).
        theirs_filter |= Q(listing__storage_location__isnull=False) & (
            Q(listing__organisation_id=own)
            | Q(listing__storage_location__warehouse__organisation_id=own)
        )

    def listed(queryset):
        return list(open_first(ReservationFilter(params or None, queryset=queryset).qs)[:200])

    # Ours: the unit's own, and those the user made on behalf of other units (issue 20).
    ours = listed(
        _base().filter(Q(unit_id=user.unit_id) | Q(requested_by_id=user.pk, on_behalf=True))
    )
    theirs_all = _base().filter(theirs_filter).exclude(unit_id=user.unit_id)
    theirs = listed(theirs_all)
    # Requests waiting for our decision (issue 20), whatever the filter shows, soonest first.
    to_decide = list(
        theirs_all.filter(status=Reservation.Status.REQUESTED).order_by("decide_by", "pk")[:200]
    )
    for reservation in ours + theirs + to_decide:
        _add_permissions(user, reservation)
    to_decide = [r for r in to_decide if r.user_can_decide]
    return {"ours": ours, "theirs": theirs, "to_decide": to_decide, "filter": filterset}


def reservations_of_own_unit(*, user):
    """What the user's unit reserved (the reservations page's first list, the API's)."""
    if user.unit_id is None:
        return Reservation.objects.none()
    return _base().filter(unit_id=user.unit_id)


def _add_permissions(user, reservation: Reservation) -> None:
    """What this user may do with it, for the pages' buttons (the services check again)."""
    owner_side = can_hand_over(user, reservation)
    active = reservation.status == Reservation.Status.ACTIVE
    reservation.user_can_cancel = can_cancel(user, reservation) and reservation.is_open
    reservation.user_must_give_reason = not belongs_to_unit(user, reservation.unit_id)
    reservation.user_can_hand_over = owner_side and active
    reservation.user_can_extend = owner_side and active and not reservation.extended
    reservation.user_can_decide = reservation.status == Reservation.Status.REQUESTED and can_decide(
        user, reservation
    )


def sees_reservation(user, reservation: Reservation) -> bool:
    """The two parties: the reserving unit and the owner side (which includes the owner's
    organisation's coordinators), and the coordinators of the reserving unit's
    organisation, and whoever made it on behalf of the reserving unit. Across organisations
    both sides see it; nobody else does."""
    if belongs_to_unit(user, reservation.unit_id) or can_hand_over(user, reservation):
        return True
    if made_it_for_them(user, reservation):
        return True
    own = organisation_id_of(user)
    return (
        own is not None
        and COORDINATOR in role_names(user)
        and own == reservation.unit.department.organisation_id
    )


def reservation_for_user(*, user, reservation_id: int) -> Reservation:
    """Visible to the two parties (`sees_reservation`); anyone else gets 404, so another
    organisation's reservations cannot be probed."""
    reservation = _base().filter(pk=reservation_id).first()
    if reservation is None or not sees_reservation(user, reservation):
        raise NotFound
    _add_permissions(user, reservation)
    return reservation


def waiting_position(reservation: Reservation) -> int | None:
    if reservation.status != Reservation.Status.WAITING:
        return None
    return (
        Reservation.objects.filter(
            listing_id=reservation.listing_id, status=Reservation.Status.WAITING
        )
        .filter(
            Q(created_at__lt=reservation.created_at)
            | Q(created_at=reservation.created_at, pk__lt=reservation.pk)
        )
        .count()
        + 1
    )


def reservations_of_listing(*, listing: Listing, user=None):
    """The listing's open reservations; with `user`, what that user may decide of them."""
    reservations = list(
        Reservation.objects.filter(listing=listing, status__in=Reservation.OPEN_STATUSES)
        .select_related("unit", "requested_by")
        .order_by("status", "created_at")
    )
    for reservation in reservations:
        reservation.listing = listing
        reservation.user_can_decide = (
            user is not None
            and reservation.status == Reservation.Status.REQUESTED
            and can_decide(user, reservation)
        )
    return reservations


def basket_listings(*, basket: dict) -> list[Listing]:
    ids = [int(pk) for pk in basket]
    listings = list(Listing.objects.filter(pk__in=ids).select_related("owner_unit").order_by("pk"))
    covers = dict(
        ListingPhoto.objects.filter(listing_id__in=ids, position=0).values_list(
            "listing_id", "thumb"
        )
    )
    for listing in listings:
        listing.basket_quantity = basket.get(str(listing.pk), 1)
        listing.cover_thumb = covers.get(listing.pk)
    return listings


# --- the reserve form (issue 15: contact prefill, waiting list, delivery times) ---------------


def contact_prefill(*, user) -> dict:
    """The contact to prefill the reserve and basket forms with, per field: the profile's
    name and phone, else the user's last reservation's contact, then the unit's phone.
    At most one query (the unit comes with it when the user has no phone of their own)."""
    name, phone = (user.full_name or "").strip(), (user.phone or "").strip()
    if name and phone:
        return {"contact_name": name, "contact_phone": phone}
    last = (
        Reservation.objects.filter(requested_by_id=user.pk)
        .order_by("-created_at", "-pk")
        .values("contact_name", "contact_phone")
        .first()
    ) or {}
    name = name or last.get("contact_name", "")
    phone = phone or last.get("contact_phone", "")
    if not phone and user.unit_id is not None:
        phone = user.unit.phone  # `user.unit` is usually loaded with the request's user
    return {"contact_name": name, "contact_phone": phone}


def queue_place(*, listing_id: int, unit_id: int | None) -> dict:
    """Where the user's unit stands in a listing's queue: its own waiting reservation and
    place if it is queueing already, else the place it would get by joining now."""
    waiting = Reservation.objects.filter(listing_id=listing_id, status=Reservation.Status.WAITING)
    own = (
        waiting.filter(unit_id=unit_id).order_by("created_at", "pk").first()
        if unit_id is not None
        else None
    )
    if own is not None:
        return {"place": waiting_position(own), "reservation": own}
    return {"place": waiting.count() + 1, "reservation": None}


def delivery_options(*, listing: Listing) -> list[dict]:
    """The delivery times to offer in the reserve form (the `delivery_slots` hook: inventory
    knows the warehouses), in time order."""
    return [option for options in hooks.delivery_slots(listing=listing) for option in options or ()]


# --- at the door: the slip and the reservation page (issue 15) -------------------------------


def handover_details(*, reservation: Reservation, with_photo: bool = False) -> dict:
    """Where and when the handover happens and whom to call: the giving unit's contact
    person and phone, the item's warehouse with its opening hours and the delivery day and
    slot (both from inventory, the `handover_details` hook), and the cover photo."""
    from .hooks import handover_details as hook

    listing = reservation.listing
    giver = listing.created_by
    details = {
        "is_delivery": reservation.handover == Reservation.Handover.DELIVERY,
        "giver_name": giver.full_name,
        "giver_phone": giver.phone or listing.owner_unit.phone,
        "unit_phone": listing.owner_unit.phone,
        "warehouse": None,
        "delivery": None,
        "photo": None,
    }
    for answer in hook(reservation=reservation):
        details.update({key: value for key, value in (answer or {}).items() if value})
    if with_photo:
        details["photo"] = ListingPhoto.objects.filter(listing=listing, position=0).first()
    return details
