"""Why a photo or a listing form was refused: codes that tests and callers rely on."""

from enum import StrEnum


class PhotoError(StrEnum):
    NOT_A_PHOTO = "not_a_photo"  # not a JPEG, PNG, WebP or HEIC by its contents
    DAMAGED = "damaged"  # cut short or corrupt: it cannot be decoded
    EMPTY = "empty"  # a file of no bytes
    TOO_LARGE = "too_large"  # more bytes than MAX_PHOTO_BYTES
    TOO_MANY_PIXELS = "too_many_pixels"  # one photo beyond the pixel limit
    TOO_MANY_PIXELS_TOGETHER = "too_many_pixels_together"  # a batch beyond the pixel budget
    EXTRA_DATA = "extra_data"  # bytes hidden after the image
    TOO_MANY = "too_many"  # more than MAX_PHOTOS on one listing
