"""The basket: listings a user means to reserve together, kept in the session until then.

The session holds {listing id: quantity} under SESSION_KEY; reservations/views.py reads and
writes it, and the header shows how many listings it holds (kierratys.context_processors).
"""

SESSION_KEY = "basket"


def basket_count(session) -> int:
    """How many listings are in the basket (not their quantities): what the header shows."""
    basket = session.get(SESSION_KEY) if session is not None else None
    return len(basket) if isinstance(basket, dict) else 0
