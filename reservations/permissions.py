"""Who may do what with a reservation: used by services, selectors and templates alike."""

from kierratys.accounts.roles import (
    COORDINATOR,
    WAREHOUSE,
    belongs_to_unit,
    organisation_id_of,
    role_names,
)
from listings.models import Listing

from .models import Reservation


def is_owner_side(user, listing: Listing) -> bool:
    """The owner unit; the coordinators of the listing's organisation; the warehouse staff
    of the organisation whose warehouse shelves it (its own, or a partner's serving it).
    Another organisation's coordinator or warehouse is never the owner side."""
    if belongs_to_unit(user, listing.owner_unit_id):
        return True
    roles = role_names(user)
    own = organisation_id_of(user)
    if own is None:
        return False
    if COORDINATOR in roles and listing.organisation_id == own:
        return True
    if listing.storage_location_id is not None and WAREHOUSE in roles:
        return own in (listing.organisation_id, listing.storage_location.warehouse.organisation_id)
    return False


def made_it_for_them(user, reservation: Reservation) -> bool:
    """The warehouse staff member or coordinator who made it on behalf of its unit."""
    return reservation.on_behalf and getattr(user, "pk", None) == reservation.requested_by_id


def can_cancel(user, reservation: Reservation) -> bool:
    """The reserving unit (it is theirs, whoever made it), the one who made it on their
    behalf, and the owner side."""
    return (
        belongs_to_unit(user, reservation.unit_id)
        or made_it_for_them(user, reservation)
        or is_owner_side(user, reservation.listing)
    )


def can_hand_over(user, reservation: Reservation, *, by_delivery: bool = False) -> bool:
    """The owner side hands over; a warehouse driver hands over what they deliver, wherever
    it came from."""
    if by_delivery and WAREHOUSE in role_names(user):
        return True
    return is_owner_side(user, reservation.listing)


def can_decide(user, reservation: Reservation) -> bool:
    """Who approves or declines a request (issue 20): whoever hands it over. The
    requesting unit never decides its own request, nor does whoever made it on that unit's
    behalf (services.approval refuses both)."""
    return (
        can_hand_over(user, reservation)
        and not belongs_to_unit(user, reservation.unit_id)
        and not made_it_for_them(user, reservation)
    )
