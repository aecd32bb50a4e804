"""Limits quoted to users: each number lives here once, and messages read it from here."""

from django.conf import settings

MAX_QUANTITY = 999  # pieces in one listing or one reservation
MAX_SLOT_CAPACITY = 999  # deliveries or pickups in one weekly warehouse slot
MAX_PHOTOS = 8  # photos on one listing
MAX_PHOTO_BYTES = 20 * 1024 * 1024  # one photo file as uploaded
MAX_BULK_LISTINGS = 200  # listings in one bulk action of "Our listings" (one transaction)


def request_body_limit() -> int:
    """A listing's photos at their limits plus the form fields, within the server's cap."""
    photos = MAX_PHOTOS * MAX_PHOTO_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return min(photos, settings.REQUEST_BODY_MAX_BYTES)
