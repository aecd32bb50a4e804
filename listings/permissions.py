"""Who may do what with a listing. Checked on the server for every object touched."""

from kierratys.accounts.roles import COORDINATOR, WAREHOUSE, belongs_to_unit, role_names

from .models import Listing


def can_edit(user, listing: Listing) -> bool:
    if not user.is_authenticated:
        return False
    roles = role_names(user)
    return (
        belongs_to_unit(user, listing.owner_unit_id) or WAREHOUSE in roles or COORDINATOR in roles
    )


def lists_onto_shelves(user) -> bool:
    """Warehouse staff list items straight onto a shelf."""
    return WAREHOUSE in role_names(user)


def can_view(user, listing: Listing) -> bool:
    """Drafts are private to those who may edit them; everything else is visible to staff."""
    if listing.status == Listing.Status.DRAFT:
        return can_edit(user, listing)
    return user.is_authenticated


def can_see_history(user, listing: Listing) -> bool:
    return can_edit(user, listing)
