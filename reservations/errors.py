"""Why a reservation was refused: codes that tests and views rely on, never message text."""

from enum import StrEnum


class ReservationError(StrEnum):
    NOT_ENOUGH = "not_enough"  # someone reserved the rest first (409)
    NOT_PUBLISHED = "not_published"  # withdrawn, archived or a draft (400)
    OUTSIDE_WINDOW = "outside_window"  # before available-from or after available-until (400)
    ILLEGAL_TRANSITION = "illegal_transition"  # the status cannot change that way (409)
    ALREADY_EXTENDED = "already_extended"  # the one extension is used (409)
    NOT_ACTIVE = "not_active"  # only an active reservation can do this (409)
    OWN_ITEM = "own_item"  # a unit cannot reserve its own item (400)
    NO_UNIT = "no_unit"  # the account has no unit (400)
    QUANTITY = "quantity"  # outside 1..MAX_QUANTITY, or more than the waiting list can serve (400)
    DELIVERY = "delivery"  # a delivery time that cannot be booked with the reservation (400)
    PAUSED = "paused"  # ordering is paused for its organisation or warehouse (409)
    OWN_REQUEST = "own_request"  # approving or declining your own unit's request (403)
    DECIDE_LATE = "decide_late"  # the time to approve or decline a request has passed (409)
    NOT_REQUESTED = "not_requested"  # only a request waiting for approval can be decided (409)
    FOR_UNIT = "for_unit"  # the unit reserved for cannot have this item (not shown to it, its own)
    FOR_LOAN = "for_loan"  # the item is lent for a period, booked on its calendar (400)
    BASKET = "basket"  # some items of a basket were refused (400, or 409 if all for NOT_ENOUGH)
