"""Listings' write side: listing.py (listings and their photos), saved_searches.py."""

from .listing import (  # noqa: F401
    EDITABLE_FIELDS,
    PhotoStorageError,
    listing_archive_when_gone,
    listing_create,
    listing_publish,
    listing_update,
    listing_withdraw,
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
