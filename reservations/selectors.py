from django.db.models import Q

from kierratys.accounts.roles import COORDINATOR, WAREHOUSE, belongs_to_unit, role_names
from kierratys.common.errors import NotFound
from listings.models import Listing, ListingPhoto

from .models import Reservation
from .permissions import can_cancel, can_hand_over


def _base():
    return Reservation.objects.select_related(
        "listing",
        "listing__owner_unit",
        "listing__storage_location__warehouse",
        "unit",
        "requested_by",
    )


def reservations_of_unit(*, user) -> dict:
    """Two lists for the reservations page: what we reserved, and what others reserved of ours."""
    if user.unit_id is None:
        return {"ours": [], "theirs": []}
    theirs_filter = Q(listing__owner_unit_id=user.unit_id)
    if WAREHOUSE in role_names(user):
        theirs_filter |= Q(listing__storage_location__isnull=False)
    ours = list(_base().filter(unit_id=user.unit_id)[:200])
    theirs = list(_base().filter(theirs_filter).exclude(unit_id=user.unit_id)[:200])
    for reservation in ours + theirs:
        _add_permissions(user, reservation)
    return {"ours": ours, "theirs": theirs}


def _add_permissions(user, reservation: Reservation) -> None:
    """What this user may do with it, for the pages' buttons (the services check again)."""
    owner_side = can_hand_over(user, reservation)
    active = reservation.status == Reservation.Status.ACTIVE
    reservation.user_can_cancel = can_cancel(user, reservation) and reservation.is_open
    reservation.user_must_give_reason = not belongs_to_unit(user, reservation.unit_id)
    reservation.user_can_hand_over = owner_side and active
    reservation.user_can_extend = owner_side and active and not reservation.extended


def reservation_for_user(*, user, reservation_id: int) -> Reservation:
    """Visible to the reserving unit, the owner side, and coordinators; others get 404."""
    reservation = _base().filter(pk=reservation_id).first()
    if reservation is None:
        raise NotFound
    if not (
        belongs_to_unit(user, reservation.unit_id)
        or can_hand_over(user, reservation)
        or COORDINATOR in role_names(user)
    ):
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


def reservations_of_listing(*, listing: Listing):
    return list(
        Reservation.objects.filter(listing=listing, status__in=Reservation.OPEN_STATUSES)
        .select_related("unit")
        .order_by("status", "created_at")
    )


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
