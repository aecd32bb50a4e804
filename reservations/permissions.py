"""Who may do what with a reservation: used by services, selectors and templates alike."""

from kierratys.accounts.roles import COORDINATOR, WAREHOUSE, belongs_to_unit, role_names
from listings.models import Listing

from .models import Reservation


def is_owner_side(user, listing: Listing) -> bool:
    roles = role_names(user)
    if COORDINATOR in roles:
        return True
    if listing.storage_location_id is not None and WAREHOUSE in roles:
        return True
    return belongs_to_unit(user, listing.owner_unit_id)


def can_cancel(user, reservation: Reservation) -> bool:
    return belongs_to_unit(user, reservation.unit_id) or is_owner_side(user, reservation.listing)


def can_hand_over(user, reservation: Reservation, *, by_delivery: bool = False) -> bool:
    """The owner side hands over; a warehouse driver hands over what they deliver, wherever
    it came from."""
    if by_delivery and WAREHOUSE in role_names(user):
        return True
    return is_owner_side(user, reservation.listing)
