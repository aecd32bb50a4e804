"""Loans (issue 20, item 1): a listing offered "for loan" is lent for a period and comes
back, instead of being given for keeps. A unit books days on the item's calendar and a
quantity; the owner side hands it out and takes it back by scanning the item's QR label,
and records the condition it came back in. Reminders before the end, overdue reminders,
overdue lists for the owner and the warehouse; reports count loans apart from reuse.

How two units never get the last bike of a week (the capacity guarantee):

1. Lock (`services._lock_listing`, the listing row first, as every reserving path does):
   booking, cancelling, returning and the jobs take the listing's row lock
   (`select_for_update`) before they look. Two bookings of one listing queue there, on
   PostgreSQL and on SQLite alike, and the second sees what the first booked.
2. Check: under that lock the service reads the per-day ledger (`LoanDay`) and refuses
   a day with too few free, naming it.
3. Ledger with a database constraint: each (listing, day) has one `LoanDay` row, unique,
   holding how many are booked that day and the capacity it was booked against (the
   listing's quantity at that moment). A booking adds its quantity to every day of its
   range with one `UPDATE ... SET booked = booked + n` (F()), and the database refuses a
   row whose `booked` exceeds its `capacity` (CheckConstraint `loanday_within_capacity`).
   So even a write that skipped the lock (a future code path, a bulk script) cannot
   overbook a day: the whole transaction fails instead. Cancelling and returning early
   take the quantity off the remaining days the same way.

Overdue loans keep holding their items (a loan picked up, past its last day, not back):
the periodic job (`services.loans_hold_overdue`, with the other loan jobs) extends the
loan's hold in the same ledger day by day, always today and tomorrow, recording each day
it holds as a `LoanHold` row (day, quantity). So a new booking of those days sees them
taken and is refused with a message saying an earlier loan is late back. A day that
others booked before the loan went overdue cannot be overbooked: the hold takes only
what is free that day, and each booking on a day it could not fully hold is marked
(`told_short_at`) and its borrower and the owner unit are mailed once that they may
come up short. When the loan comes back, its holds from today on are released.

A per-day ledger rather than an exclusion constraint: an exclusion constraint can refuse
overlaps only for a quantity of one, while a listing lends several identical bikes.
"""
