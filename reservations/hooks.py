"""Moments in reservations that higher layers act on (see kierratys.common.hooks)."""

from kierratys.common.hooks import Hook

# The reserve form offers delivery times for a listing: inventory answers with a list of
# options, each a dict with "value" ("<slot id>:<ISO date>"), "date", "start", "end",
# "left", "warehouse" (its name) and "address". Receivers take `listing`.
delivery_slots = Hook("delivery_slots")

# A reservation made with a delivery time: inventory books its delivery task in the
# reserving transaction (so a full slot writes nothing). Receivers take `actor`,
# `reservation`, `slot_id` and `day`, and raise a ValidationError to refuse.
delivery_book = Hook("delivery_book")

# The pickup slip and the reservation page show where and when the handover happens:
# inventory answers with a dict that may hold "warehouse" (the item's warehouse, a dict
# with "name", "address", "phone" and "opening_hours") and "delivery" (the live delivery
# task, a dict with "date", "start" and "end", the last two None without a slot).
# Receivers take `reservation` and answer None when they know nothing of it.
handover_details = Hook("handover_details")
