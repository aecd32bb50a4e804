"""Why a warehouse action was refused: codes that tests and callers rely on, never message text."""

from enum import StrEnum


class InventoryError(StrEnum):
    SLOT_FULL = "slot_full"  # the time slot has no room left on that day (409)
    DELIVERY_ALREADY_BOOKED = "delivery_already_booked"  # one live delivery per reservation (409)
    ILLEGAL_TRANSITION = "illegal_transition"  # the task cannot move that way from here (409)
