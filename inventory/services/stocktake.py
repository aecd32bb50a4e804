"""Stock-takes: counted shelves against what the system says."""

from django.db import transaction
from django.utils.translation import gettext as _

from kierratys.common.errors import NotFound, ServiceError
from kierratys.common.limits import MAX_QUANTITY
from listings import history
from listings.models import Listing

from ..models import (
    StockTake,
    StockTakeLine,
    StorageLocation,
)
from ..permissions import staff_of
from ..selectors import expected_on_shelf, in_transit
from .tasks import _require_warehouse


def stocktake_record(*, actor, location_id: int, counts: dict[int, int]) -> StockTake:
    """Count a shelf: the expected quantity is what has not been collected or disposed of,
    less what a transfer under way has taken off the shelf (it is in transit, counted on
    neither shelf until it is shelved at the other warehouse). The listings' row locks
    serialise a count with a transfer's loading and shelving, so neither sees half of the
    other."""
    _require_warehouse(actor)
    with transaction.atomic():
        location = StorageLocation.objects.select_related("warehouse").get(pk=location_id)
        if not staff_of(actor, location.warehouse):
            raise NotFound  # another organisation's shelf
        listings = list(
            Listing.objects.select_for_update().filter(storage_location=location).order_by("pk")
        )
        if any(count < 0 or count > MAX_QUANTITY for count in counts.values()):
            raise ServiceError(_("Counts must be between 0 and %(max)d.") % {"max": MAX_QUANTITY})
        stocktake = StockTake.objects.create(location=location, counted_by=actor)
        transit = in_transit(listing_ids=[listing.pk for listing in listings])
        for listing in listings:
            expected = expected_on_shelf(listing, transit)
            counted = counts.get(listing.pk, expected)
            StockTakeLine.objects.create(
                stocktake=stocktake, listing=listing, expected=expected, counted=counted
            )
            if counted != expected:
                history.record(
                    listing=listing,
                    actor=actor,
                    kind="stocktake",
                    changes={"location": str(location), "expected": expected, "counted": counted},
                )
    return stocktake
