"""The live events about a listing: one payload, one rule for changed or removed."""

from kierratys import live

from . import audience
from .models import Listing


def listing_announce(
    listing: Listing, event: str | None = None, *, audience_before: str | None = None
) -> None:
    """Tell open catalogues and item pages about the listing once the transaction commits.

    Without `event`: "listing.changed" while it can still be reserved, "listing.removed"
    once it cannot. One event per listing per transaction, with its final figures. Only the
    sockets of those its stage shows it to hear of it (`audience.groups_for`), so the
    listing needs its `audience`, `organisation_id`, `department_id` and `owner_unit_id`.

    `audience_before`: the stage it had before this change. When that was wider (its last
    stage ended), those who saw it then are told "listing.removed" as well; when it widened,
    those who see it now for the first time are told "listing.published", as for a new
    item. Its owners, in both, hear both.
    """
    if event is None:
        on_offer = listing.status == Listing.Status.PUBLISHED and listing.quantity_available > 0
        event = "listing.changed" if on_offer else "listing.removed"
    data = {
        "id": listing.pk,
        "status": listing.status,
        "quantity_available": listing.quantity_available,
    }
    groups = audience.groups_for(listing)
    live.publish(groups, event, data, key=f"listing:{listing.pk}")
    if audience_before is None:
        return
    earlier = audience.groups_for(listing, audience_before)
    if audience.narrows(audience_before, listing.audience):
        lost = [g for g in earlier if g not in groups]
        live.publish(lost, "listing.removed", data, key=f"listing-lost:{listing.pk}")
    elif event == "listing.changed":
        # Those who could not see it before see a new item: open catalogues add its card.
        gained = [g for g in groups if g not in earlier]
        live.publish(gained, "listing.published", data, key=f"listing-new:{listing.pk}")
