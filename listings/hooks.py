"""Moments in listings that higher layers act on (see kierratys.common.hooks)."""

from kierratys.common.hooks import Hook

# Quantity is on offer again (relisted, or more of it): reservations serves its waiting
# list first. Receivers take the locked listing and the actor.
quantity_freed = Hook("quantity_freed")

# Warehouse staff list straight onto a shelf: inventory answers with the shelves to offer.
warehouse_shelves = Hook("warehouse_shelves")

# A listing is published (first time or again), in the publishing transaction: wanted
# requests (listings.wanted) tell their posters. Receivers take the listing and the actor.
listing_published = Hook("listing_published")

# A listing's audience widened to a later stage (the periodic advance, or its owner), in
# that transaction: wanted requests (listings.wanted) tell the posters it now reaches.
# Receivers take the listing and the stage it widened from (`before`).
audience_widened = Hook("audience_widened")

# A listing's edit, under its lock, with the new values set but not yet saved: higher
# apps refuse what their own rows forbid (loans: switching "for loan" off while loans are
# open, a quantity below what a future day has booked) by raising a ValidationError with
# field errors; nothing of the edit is written. Receivers take the listing and `changes`
# ({field: [old, new]}).
listing_edit_check = Hook("listing_edit_check")

# The owner is about to donate, sell or recycle what is left of a listing, under its lock:
# higher apps refuse (a Conflict) while their own rows still need the items (loans: booked
# or out). Receivers take the listing.
end_of_life_check = Hook("end_of_life_check")
