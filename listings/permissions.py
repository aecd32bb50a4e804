"""Who may do what with a listing. Checked on the server for every object touched."""

from kierratys.accounts.roles import (
    COORDINATOR,
    WAREHOUSE,
    belongs_to_unit,
    organisation_id_of,
    role_names,
)

from . import audience
from .models import Listing


def can_edit(user, listing: Listing) -> bool:
    """The owner unit's staff; the warehouse staff and coordinators of its organisation."""
    if not user.is_authenticated:
        return False
    if belongs_to_unit(user, listing.owner_unit_id):
        return True
    roles = role_names(user)
    return bool(roles & {WAREHOUSE, COORDINATOR}) and (
        organisation_id_of(user) == listing.organisation_id
    )


def lists_onto_shelves(user) -> bool:
    """Warehouse staff list items straight onto a shelf."""
    return WAREHOUSE in role_names(user)


def can_view(user, listing: Listing) -> bool:
    """Those who may edit it always; others once it is published and its stage shows it
    to them (a withdrawn or archived item's page stays readable to the same audience, so
    links in reservations and e-mails keep working)."""
    if can_edit(user, listing):
        return True
    if listing.status == Listing.Status.DRAFT or not user.is_authenticated:
        return False
    if audience.sees(audience.viewer_of(user), listing):
        return True
    # A unit keeps its view of what it has reserved when the audience moves on or a
    # partnership ends: its reservations stay valid to the end.
    return (
        user.unit_id is not None
        and listing.reservations.filter(
            unit_id=user.unit_id, status__in=["active", "collected"]
        ).exists()
    )


def can_see_history(user, listing: Listing) -> bool:
    return can_edit(user, listing)
