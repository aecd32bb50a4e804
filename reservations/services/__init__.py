"""Reserving, the waiting list, expiry and handover: the public services.

reserve: the locked path and baskets; fast: the one-statement path on PostgreSQL;
transitions: every status change; approval: the owner approves requests (issue 20);
jobs: expiry and reminders; retention: clearing
closed reservations' contacts. Locks: ..locks;
who may do what: ..permissions.
"""

from ..permissions import can_cancel, can_decide, can_hand_over, is_owner_side  # noqa: F401
from .approval import (  # noqa: F401
    reservation_approve,
    reservation_decline,
    reservation_requests_expire,
)
from .jobs import reservations_expire, reservations_remind  # noqa: F401
from .reserve import basket_reserve, reservation_create  # noqa: F401
from .retention import reservation_contacts_clear, reservation_contacts_expire  # noqa: F401
from .rules import BasketItem, NotEnoughAvailable, NotYourDecision  # noqa: F401
from .transitions import (  # noqa: F401
    reservation_cancel,
    reservation_collect,
    reservation_extend,
    reservation_hold_for_delivery,
    reservation_transition,
    waiting_list_promote,
)
