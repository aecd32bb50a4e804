"""Listings' write side: listing.py (listings and their photos), saved_searches.py,
end_of_life.py (donate, sell or recycle what nobody took; donation recipients),
audience.py (audience stages over time)."""

from .audience import (  # noqa: F401
    audience_phrase,
    listing_audience_set,
    listings_audience_advance,
    match_saved_searches_widened,
)
from .end_of_life import (  # noqa: F401
    awaits_decision,
    decision_open,
    listing_end_of_life_decide,
    recipient_create,
    recipient_update,
    suggested_weight_kg,
)
from .listing import (  # noqa: F401
    EDITABLE_FIELDS,
    PhotoStorageError,
    listing_archive_when_gone,
    listing_create,
    listing_publish,
    listing_update,
    listing_withdraw,
    listings_follow_unit,
    process_uploads,
)
from .saved_searches import (  # noqa: F401
    MAX_SAVED_SEARCHES,
    normalise_query,
    saved_search_create,
    saved_search_delete,
    saved_search_rename,
    saved_search_set_alerts,
)
