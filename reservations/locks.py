"""Row locks of reservations, in one place (after Saleor's lock_objects.py).

The lock order, everywhere: the listing row first (several in primary-key order), then its
reservations. So two people reserving the last chair queue on the listing row, and
concurrent baskets never deadlock. Each helper must be called inside transaction.atomic();
the rows stay locked until that transaction ends. Only the rows checked are locked
(`of=("self",)`), never the units or users joined to them.
"""

from listings.models import Listing

from .models import Reservation

# What no reserving rule reads: left unloaded.
UNUSED_FIELDS = ("search_vector", "description", "pickup_instructions")


def listing_lock(listing_id: int) -> Listing:
    listing = (
        Listing.objects.select_for_update().defer(*UNUSED_FIELDS).filter(pk=listing_id).first()
    )
    if listing is None:
        raise Listing.DoesNotExist
    return listing


def listings_lock(listing_ids) -> list[Listing]:
    """Lock several listings in primary-key order (a basket)."""
    return list(Listing.objects.select_for_update().filter(pk__in=listing_ids).order_by("pk"))


def reservation_lock(reservation_id: int) -> tuple[Reservation, Listing]:
    """Listing first, then the reservation: the same order as reserving."""
    listing_id = (
        Reservation.objects.filter(pk=reservation_id).values_list("listing_id", flat=True).first()
    )
    if listing_id is None:
        raise Reservation.DoesNotExist
    listing = listing_lock(listing_id)
    reservation = (
        Reservation.objects.select_for_update(of=("self",))
        .select_related("unit", "requested_by")
        .get(pk=reservation_id)
    )
    return reservation, listing
