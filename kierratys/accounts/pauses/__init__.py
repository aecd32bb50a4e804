"""Pausing ordering (issue 21): an organisation, or one of its warehouses, takes no
reservations and no delivery bookings from one date to another, and says why.

The model and its selectors sit in the accounts layer so that every layer above can ask
`pause_for`: reservations (reserving and baskets), inventory (delivery booking) and the
catalogue. Scheduled pauses start and end by themselves: the check compares the local
date with the window, so no job runs at midnight.
"""
