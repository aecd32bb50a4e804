"""Moments in accounts and organisation that higher layers act on (see common.hooks)."""

from kierratys.common.hooks import Hook

# A department or unit was saved: the catalogue's cached filter choices are stale.
organisation_changed = Hook("organisation_changed")

# A unit moved to another department (or organisation): `unit_moved(unit=)`; listings keep
# copies of their owner unit's department and organisation for visibility.
unit_moved = Hook("unit_moved")
