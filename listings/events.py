"""The live events about a listing: one payload, one rule for changed or removed."""

from kierratys import live

from .models import Listing


def listing_announce(listing: Listing, event: str | None = None) -> None:
    """Tell open catalogues and item pages about the listing once the transaction commits.

    Without `event`: "listing.changed" while it can still be reserved, "listing.removed"
    once it cannot. One event per listing per transaction, with its final figures.
    """
    if event is None:
        on_offer = listing.status == Listing.Status.PUBLISHED and listing.quantity_available > 0
        event = "listing.changed" if on_offer else "listing.removed"
    live.publish(
        [live.CATALOGUE_GROUP],
        event,
        {
            "id": listing.pk,
            "status": listing.status,
            "quantity_available": listing.quantity_available,
        },
        key=f"listing:{listing.pk}",
    )
