"""Why a loan was refused: codes that tests and views rely on, never message text."""

from enum import StrEnum


class LoanError(StrEnum):
    NOT_FOR_LOAN = "not_for_loan"  # the listing is given for keeps, not lent (400)
    NOT_PUBLISHED = "not_published"  # withdrawn, archived or a draft (400)
    OWN_ITEM = "own_item"  # a unit cannot borrow its own item (400)
    FOR_UNIT = "for_unit"  # the unit booked for does not see the item yet (400)
    NO_UNIT = "no_unit"  # the account has no unit (400)
    DATES = "dates"  # past start, end before start, outside the listing's dates (400)
    TOO_LONG = "too_long"  # longer than the owner allows (400)
    QUANTITY = "quantity"  # outside 1..the listing's quantity (400)
    NOT_FREE = "not_free"  # too few free on some day: someone booked them first (409)
    NOT_BOOKED = "not_booked"  # only a booked loan can be picked up or cancelled (409)
    NOT_PICKED_UP = "not_picked_up"  # only a loan picked up can be returned (409)
    TOO_EARLY = "too_early"  # picked up before its first day (409)
    CONDITION = "condition"  # a return without its condition, or damage without a note (400)
    SCAN = "scan"  # the scanned label is not this item's (400)
    PAUSED = "paused"  # ordering is paused for its organisation or warehouse (409)
    NOT_LENT = "not_lent"  # picking up from a listing withdrawn since the booking (409)
    OPEN_LOANS = "open_loans"  # an end of life decided while loans are booked or out (409)
