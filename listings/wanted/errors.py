"""Why a wanted request was refused: codes that tests and callers rely on."""

from enum import StrEnum


class WantedError(StrEnum):
    EMPTY = "empty"  # neither a category nor any details
    NOT_OPEN = "not_open"  # fulfilled, closed or expired already
    OWN_REQUEST = "own_request"  # a unit answering its own request
    NO_UNIT = "no_unit"  # the account is not linked to a unit
