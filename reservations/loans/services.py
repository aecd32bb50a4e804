"""Writes: booking, cancelling, picking up and returning a loan, and the periodic jobs.

Every service takes the listing's row lock first (`reservations.locks`: the listing, then
its rows), checks under it, writes the loan and the day ledger in one transaction, and
publishes `loan.changed` after commit, so open item pages redraw their calendar. The
ledger's constraint refuses any day booked beyond its capacity (see the package's
docstring); a refusal writes nothing.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kierratys import live
from kierratys.accounts.pauses.errors import paused_refusal
from kierratys.accounts.pauses.selectors import pause_for_listing
from kierratys.accounts.roles import belongs_to_unit, unit_acted_for
from kierratys.common.errors import Conflict, NotFound, ServiceError
from listings import audience, history
from listings.codes import code_problem
from listings.models import Listing

from ..locks import listing_lock
from ..models import Reservation
from ..permissions import is_owner_side
from . import notify
from .errors import LoanError as Code
from .models import Loan, LoanDay, LoanHold

Status = Loan.Status

history.register_kinds(
    {
        "loan_booked": gettext_lazy("Booked for loan"),
        "loan_cancelled": gettext_lazy("Loan cancelled"),
        "loan_picked_up": gettext_lazy("Lent out"),
        "loan_returned": gettext_lazy("Returned from loan"),
    }
)
history.register_fields({"days": gettext_lazy("loan days")})
history.register_notes(
    {
        "loan_not_picked_up": gettext_lazy("Not picked up by the last day of the loan."),
    }
)


def _day(value: date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


# --- helpers ------------------------------------------------------------------------------


def _invalid(errors: dict, code: Code) -> ServiceError:
    """Field errors that keep their code (Django sets none on a dict of errors)."""
    error = ServiceError(errors)
    error.code = code
    return error


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _booked(listing_id: int, start: date, end: date) -> dict[date, int]:
    return dict(
        LoanDay.objects.filter(listing_id=listing_id, day__gte=start, day__lte=end).values_list(
            "day", "booked"
        )
    )


def _ledger_add(listing: Listing, start: date, end: date, quantity: int) -> None:
    """Add `quantity` to every day from `start` to `end`; the database refuses a day over
    its capacity (the listing's quantity now). Callers hold the listing's lock."""
    have = set(_booked(listing.pk, start, end))
    LoanDay.objects.bulk_create(
        LoanDay(listing_id=listing.pk, day=day, booked=0, capacity=listing.quantity)
        for day in _days(start, end)
        if day not in have
    )
    try:
        with transaction.atomic():  # a savepoint: the refusal below leaves nothing written
            LoanDay.objects.filter(listing_id=listing.pk, day__gte=start, day__lte=end).update(
                booked=F("booked") + quantity, capacity=listing.quantity
            )
    except IntegrityError as error:  # loanday_within_capacity: never past the lock's check
        raise Conflict(
            _("Those days are no longer free: someone booked them first."), code=Code.NOT_FREE
        ) from error


def _ledger_release(listing_id: int, start: date, end: date, quantity: int) -> None:
    if end < start:
        return
    LoanDay.objects.filter(listing_id=listing_id, day__gte=start, day__lte=end).update(
        booked=F("booked") - quantity
    )


def _announce(loan: Loan, listing: Listing) -> None:
    """Whoever may see the item hears that its calendar changed (ids and a status only),
    and so do the borrowing and the owner unit."""
    groups = [
        *audience.groups_for(listing),
        live.unit_group(loan.unit_id),
        live.unit_group(listing.owner_unit_id),
    ]
    live.publish(
        list(dict.fromkeys(groups)),
        "loan.changed",
        {"id": loan.pk, "listing": listing.pk, "status": loan.status},
        key=f"loan:{loan.pk}",
    )


def _record(loan: Loan, listing: Listing, actor, kind: str, note: str = "", **more) -> None:
    history.record(
        listing=listing,
        actor=actor,
        kind=kind,
        changes={"loan": loan.pk, "unit": loan.unit.name, "quantity": loan.quantity, **more},
        note=note,
    )


def _loan_lock(loan_id: int) -> tuple[Loan, Listing]:
    """The listing first, then the loan: the same order as booking."""
    listing_id = Loan.objects.filter(pk=loan_id).values_list("listing_id", flat=True).first()
    if listing_id is None:
        raise NotFound
    listing = listing_lock(listing_id)
    loan = (
        Loan.objects.select_for_update(of=("self",))
        .select_related("unit", "booked_by")
        .get(pk=loan_id)
    )
    loan.listing = listing
    return loan, listing


def too_long_message(max_days: int) -> str:
    return ngettext(
        "This item can be borrowed for at most %(n)d day at a time.",
        "This item can be borrowed for at most %(n)d days at a time.",
        max_days,
    ) % {"n": max_days}


def _check_dates(listing: Listing, start: date | None, end: date | None, today: date) -> None:
    errors = {}
    if start is None:
        errors["start"] = _("Choose the first day.")
    elif start < today:
        errors["start"] = _("The first day cannot be in the past.")
    if end is None:
        errors["end"] = _("Choose the last day.")
    elif start is not None and end < start:
        errors["end"] = _("The last day cannot be before the first day.")
    if errors:
        raise _invalid(errors, Code.DATES)
    if start < listing.available_from or end > listing.available_until:
        raise _invalid(
            {
                "end" if start >= listing.available_from else "start": _(
                    "This item can be borrowed from %(start)s to %(end)s."
                )
                % {"start": _day(listing.available_from), "end": _day(listing.available_until)}
            },
            Code.DATES,
        )
    if (end - start).days + 1 > listing.loan_max_days:
        raise _invalid({"end": too_long_message(listing.loan_max_days)}, Code.TOO_LONG)


def _check_free(listing: Listing, start: date, end: date, quantity: int) -> None:
    booked = _booked(listing.pk, start, end)
    for day in _days(start, end):
        free = max(0, listing.quantity - booked.get(day, 0))
        if free < quantity:
            if LoanHold.objects.filter(loan__listing_id=listing.pk, day=day).exists():
                text = _(
                    "Only %(n)d free on %(day)s: an earlier loan is late back and still "
                    "holds the rest. Choose other days or a smaller quantity."
                ) % {"n": free, "day": _day(day)}
            elif free == 0:
                text = _("%(day)s is fully booked. Choose other days.") % {"day": _day(day)}
            else:
                text = _("Only %(n)d free on %(day)s. Choose other days or a smaller quantity.") % {
                    "n": free,
                    "day": _day(day),
                }
            raise Conflict(text, code=Code.NOT_FREE)


# --- booking ------------------------------------------------------------------------------


def loan_book(
    *,
    actor,
    listing_id: int,
    start: date | None,
    end: date | None,
    quantity: int,
    unit_id: int | None = None,
) -> Loan:
    """Book `quantity` of a for-loan listing from `start` to `end` (both included) for the
    actor's unit, or, for warehouse staff and coordinators, another unit of their
    organisation (`unit_id`; any other unit is a 404). Bad input is 400, too few free on a
    day 409 (naming the day); nothing is written either way."""
    if getattr(actor, "unit_id", None) is None:
        raise ServiceError(
            _("Your account is not linked to a unit. Contact support."), code=Code.NO_UNIT
        )
    unit = unit_acted_for(actor, unit_id)
    today = timezone.localdate()
    with transaction.atomic():
        try:
            listing = listing_lock(listing_id)
        except Listing.DoesNotExist:
            raise NotFound from None
        shown = audience.sees(audience.viewer_for_unit(unit), listing)
        if not shown and listing.owner_unit_id != unit.pk:
            if belongs_to_unit(actor, unit.pk) or not audience.sees(
                audience.viewer_of(actor), listing
            ):
                raise NotFound  # not shown to them: as if it did not exist
            raise _invalid(  # the actor sees it; the unit they book for does not yet
                {
                    "unit": _(
                        "This item is not shown to %(unit)s yet, so it cannot be lent to them."
                    )
                    % {"unit": unit.display_name}
                },
                Code.FOR_UNIT,
            )
        if not listing.for_loan:
            raise ServiceError(
                _("This item is given for keeps, not lent. Reserve it instead."),
                code=Code.NOT_FOR_LOAN,
            )
        if listing.status != Listing.Status.PUBLISHED:
            raise ServiceError(_("This item cannot be borrowed now."), code=Code.NOT_PUBLISHED)
        if listing.owner_unit_id == unit.pk:
            raise ServiceError(_("A unit cannot borrow its own item."), code=Code.OWN_ITEM)
        if not 1 <= quantity <= listing.quantity:
            raise _invalid(
                {
                    "quantity": ngettext(
                        "Choose a quantity of %(max)d.",
                        "Choose a quantity between 1 and %(max)d.",
                        listing.quantity,
                    )
                    % {"max": listing.quantity}
                },
                Code.QUANTITY,
            )
        _check_dates(listing, start, end, today)
        pause = pause_for_listing(listing, today)
        if pause is not None:
            raise paused_refusal(pause)
        _check_free(listing, start, end, quantity)
        _ledger_add(listing, start, end, quantity)
        loan = Loan.objects.create(
            listing=listing,
            unit=unit,
            booked_by=actor,
            on_behalf=not belongs_to_unit(actor, unit.pk),
            quantity=quantity,
            start=start,
            end=end,
            status=Status.BOOKED,
        )
        _record(
            loan,
            listing,
            actor,
            "loan_booked",
            days=[start.isoformat(), end.isoformat()],
            # Booked on the unit's behalf (issue 20): the history says "X for unit Y".
            **({"on_behalf": True} if loan.on_behalf else {}),
        )
        _announce(loan, listing)
        notify.booked(loan)
    return loan


def is_borrower_side(user, loan: Loan) -> bool:
    """A member of the borrowing unit, or whoever booked it for them."""
    return belongs_to_unit(user, loan.unit_id) or loan.booked_by_id == user.pk


def can_cancel(user, loan: Loan) -> bool:
    return is_borrower_side(user, loan) or is_owner_side(user, loan.listing)


def loan_actions(*, user, loan: Loan) -> dict:
    """What `user` may do with the loan now, for its page (the services check again)."""
    hands_over = can_hand_over(user, loan)
    return {
        "can_cancel": loan.status == Status.BOOKED and can_cancel(user, loan),
        "must_give_reason": not is_borrower_side(user, loan),
        "can_pick_up": loan.status == Status.BOOKED and hands_over,
        "can_return": loan.status == Status.PICKED_UP and hands_over,
        "overdue": loan.status == Status.PICKED_UP and loan.end < timezone.localdate(),
    }


def loan_cancel(*, actor, loan_id: int, reason: str = "") -> Loan:
    """The borrower (or whoever booked it) or the owner side cancels a booking not yet
    picked up; the owner side says why. Its days are free again."""
    with transaction.atomic():
        loan, listing = _loan_lock(loan_id)
        if not can_cancel(actor, loan):
            raise PermissionDenied
        if loan.status != Status.BOOKED:
            raise Conflict(
                _("Only a booking that is not picked up yet can be cancelled."),
                code=Code.NOT_BOOKED,
            )
        if not is_borrower_side(actor, loan) and not (reason or "").strip():
            raise ServiceError({"reason": _("Tell the borrowing unit why you cancel.")})
        _cancel(loan, listing, actor, reason)
    return loan


def _cancel(loan: Loan, listing: Listing, actor, reason: str) -> None:
    _ledger_release(listing.pk, loan.start, loan.end, loan.quantity)
    loan.status = Status.CANCELLED
    loan.cancelled_at = timezone.now()
    loan.reason = (reason or "").strip()[:500]
    loan.save(update_fields=["status", "cancelled_at", "reason", "updated_at"])
    _record(loan, listing, actor, "loan_cancelled", note=loan.reason)
    _announce(loan, listing)
    notify.cancelled(
        loan,
        by_owner_side=actor is not None and is_owner_side(actor, listing),
        expired=actor is None,
    )


# --- handing out and taking back ------------------------------------------------------------


def can_hand_over(user, loan: Loan) -> bool:
    """The owner side hands it out and takes it back, as with a reservation's handover."""
    return is_owner_side(user, loan.listing)


def _check_label(scanned_code: str, listing: Listing) -> None:
    problem = code_problem(scanned_code, listing) if scanned_code else None
    if problem:
        raise _invalid({"scanned_code": problem}, Code.SCAN)


def loan_pick_up(*, actor, loan_id: int, scanned_code: str = "") -> Loan:
    """The owner side hands the items out, from the loan's first day to its last,
    confirming it by scanning the item's label (or by hand)."""
    with transaction.atomic():
        loan, listing = _loan_lock(loan_id)
        if not can_hand_over(actor, loan):
            raise PermissionDenied
        if loan.status != Status.BOOKED:
            raise Conflict(
                _("This loan is not waiting to be picked up: it is “%(status)s”.")
                % {"status": loan.get_status_display()},
                code=Code.NOT_BOOKED,
            )
        today = timezone.localdate()
        if today < loan.start:
            raise Conflict(
                _("This loan can be picked up from %(date)s.") % {"date": _day(loan.start)},
                code=Code.TOO_EARLY,
            )
        if today > loan.end:
            raise Conflict(
                _("The last day of this loan has passed. Book new days."), code=Code.DATES
            )
        if listing.status != Listing.Status.PUBLISHED:
            raise Conflict(
                _("This item is no longer lent: its owner has withdrawn it."),
                code=Code.NOT_LENT,
            )
        _check_label(scanned_code, listing)
        loan.status = Status.PICKED_UP
        loan.picked_up_at = timezone.now()
        loan.save(update_fields=["status", "picked_up_at", "updated_at"])
        how = _("Confirmed by scanning the label.") if scanned_code else _("Confirmed by hand.")
        _record(loan, listing, actor, "loan_picked_up", note=how)
        _announce(loan, listing)
        notify.status_changed(loan)
    return loan


def loan_return(
    *, actor, loan_id: int, condition: str, damage_note: str = "", scanned_code: str = ""
) -> Loan:
    """The owner side takes the items back, confirming by the label, and records the
    condition they came back in (a description of any damage). Today and the days left
    of a loan returned early are free again."""
    with transaction.atomic():
        loan, listing = _loan_lock(loan_id)
        if not can_hand_over(actor, loan):
            raise PermissionDenied
        if loan.status != Status.PICKED_UP:
            raise Conflict(
                _("Only a loan that was picked up can be returned."), code=Code.NOT_PICKED_UP
            )
        errors = {}
        if condition not in Loan.Condition.values:
            errors["condition"] = _("Choose the condition it came back in.")
        note = (damage_note or "").strip()
        if condition == Loan.Condition.DAMAGED and not note:
            errors["damage_note"] = _("Describe the damage, so the next borrower knows.")
        if errors:
            raise _invalid(errors, Code.CONDITION)
        _check_label(scanned_code, listing)
        today = timezone.localdate()
        # Back today: today and the days left are free again (it can go out again today).
        _ledger_release(listing.pk, max(loan.start, today), loan.end, loan.quantity)
        _holds_release(loan, today)
        loan.status = Status.RETURNED
        loan.returned_at = timezone.now()
        loan.return_condition = condition
        loan.damage_note = note[:1000]
        loan.save(
            update_fields=["status", "returned_at", "return_condition", "damage_note", "updated_at"]
        )
        how = _("Confirmed by scanning the label.") if scanned_code else _("Confirmed by hand.")
        _record(
            loan,
            listing,
            actor,
            "loan_returned",
            note=note or how,
            condition=condition,
        )
        _announce(loan, listing)
        notify.status_changed(loan)
    return loan


# --- the listing's edit --------------------------------------------------------------------


def loans_check_listing_edit(*, listing: Listing, changes: dict) -> None:
    """`listings.hooks.listing_edit_check`, under the listing's lock: the owner cannot
    switch "for loan" off while loans are open, nor lower the quantity below what a day
    from today on has booked (the days' own limit, `loanday_within_capacity`)."""
    today = timezone.localdate()
    if "for_loan" in changes and listing.for_loan:
        # Lent from then on: every piece must still be here, none promised for keeps.
        given = listing.quantity - listing.quantity_available
        promised = Reservation.objects.filter(
            listing_id=listing.pk, status__in=Reservation.OPEN_STATUSES
        ).exists()
        if given or promised:
            raise ValidationError(
                {
                    "for_loan": _(
                        "Some of this item is reserved, handed over or on a waiting list for "
                        "keeps. List the pieces still free as a new listing to lend them."
                    )
                }
            )
    if "for_loan" in changes and not listing.for_loan:
        open_loans = Loan.objects.filter(listing_id=listing.pk, status__in=Loan.HOLDING_STATUSES)
        count = open_loans.count()
        if count:
            raise ValidationError(
                {
                    "for_loan": ngettext(
                        "%(n)d loan of this item is booked or out. It can be given for keeps "
                        "once it is back or cancelled.",
                        "%(n)d loans of this item are booked or out. It can be given for keeps "
                        "once they are back or cancelled.",
                        count,
                    )
                    % {"n": count}
                }
            )
    if "quantity" in changes:
        busiest = (
            LoanDay.objects.filter(
                listing_id=listing.pk, day__gte=today, booked__gt=listing.quantity
            )
            .order_by("-booked", "day")
            .first()
        )
        if busiest is not None:
            raise ValidationError(
                {
                    "quantity": _(
                        "%(n)d are booked for loan on %(day)s; the quantity cannot be less."
                    )
                    % {"n": busiest.booked, "day": _day(busiest.day)}
                }
            )


def loans_check_end_of_life(*, listing: Listing) -> None:
    """`listings.hooks.end_of_life_check`: nothing lent is donated, sold or recycled while
    loans of it are booked or out."""
    count = Loan.objects.filter(listing_id=listing.pk, status__in=Loan.HOLDING_STATUSES).count()
    if count:
        raise Conflict(
            ngettext(
                "%(n)d loan of this item is booked or out. Decide what happens to it once "
                "it is back or cancelled.",
                "%(n)d loans of this item are booked or out. Decide what happens to it once "
                "they are back or cancelled.",
                count,
            )
            % {"n": count},
            code=Code.OPEN_LOANS,
        )


# --- periodic jobs ----------------------------------------------------------------------------

REMIND_DAYS_BEFORE = 1  # "return it tomorrow"
OVERDUE_REMIND_EVERY = timedelta(days=3)


def loans_remind(*, today: date | None = None) -> int:
    """Mail the borrower before the last day (once), and while a loan is overdue (on its
    first overdue day, then every few days). Rows another run holds are skipped."""
    today = today or timezone.localdate()
    now = timezone.now()
    sent = 0
    before = Loan.objects.filter(
        status=Status.PICKED_UP,
        reminded_before_at__isnull=True,
        end__gte=today,
        end__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
    )
    overdue = Loan.objects.filter(status=Status.PICKED_UP, end__lt=today).exclude(
        reminded_overdue_at__gt=now - OVERDUE_REMIND_EVERY
    )
    for flag, owed, which in (
        ("reminded_before_at", before, "before"),
        ("reminded_overdue_at", overdue, "overdue"),
    ):
        for loan_id in list(owed.values_list("pk", flat=True)):
            with transaction.atomic():
                loan = (
                    owed.select_for_update(skip_locked=True, of=("self",))
                    .select_related("listing", "unit", "booked_by")
                    .filter(pk=loan_id)
                    .first()
                )
                if loan is None:
                    continue
                setattr(loan, flag, now)
                loan.save(update_fields=[flag])
                notify.reminder(loan, which)
                sent += 1
    return sent


def _due_loans_locked(due: dict):
    """Each loan matching `due`, in its own transaction with its listing's lock and its
    own; one another process holds is skipped (the next run takes it)."""
    for loan_id, listing_id in list(
        Loan.objects.filter(**due).order_by("listing_id", "pk").values_list("pk", "listing_id")
    ):
        with transaction.atomic():
            listing = (
                Listing.objects.select_for_update(skip_locked=True).filter(pk=listing_id).first()
            )
            if listing is None:
                continue
            loan = (
                Loan.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("unit", "booked_by")
                .filter(pk=loan_id, **due)
                .first()
            )
            if loan is not None:
                yield loan, listing


def loans_expire(*, today: date | None = None) -> int:
    """Bookings never picked up by their last day are cancelled (their days are past)."""
    today = today or timezone.localdate()
    done = 0
    for loan, listing in _due_loans_locked({"status": Status.BOOKED, "end__lt": today}):
        _cancel(loan, listing, None, _("Not picked up by the last day of the loan."))
        done += 1
    return done


# --- overdue loans keep holding their items --------------------------------------------------


def _holds_release(loan: Loan, today: date) -> None:
    """An overdue loan back: the days it held from today on are free again."""
    for hold in list(loan.holds.filter(day__gte=today)):
        _ledger_release(loan.listing_id, hold.day, hold.day, hold.quantity)
        hold.delete()


def _hold_day(loan: Loan, listing: Listing, day: date, held: int) -> bool:
    """Hold up to the loan's quantity on `day` (as many as are free); False if short."""
    want = loan.quantity - held
    row, _created = LoanDay.objects.get_or_create(
        listing_id=listing.pk, day=day, defaults={"booked": 0, "capacity": listing.quantity}
    )
    take = min(want, max(0, listing.quantity - row.booked))
    if take:
        LoanDay.objects.filter(pk=row.pk).update(
            booked=F("booked") + take, capacity=listing.quantity
        )
        LoanHold.objects.update_or_create(loan=loan, day=day, defaults={"quantity": held + take})
    return take == want


def loans_hold_overdue(*, today: date | None = None) -> int:
    """Overdue loans keep holding their items: each loan picked up and past its last day
    holds its quantity in the ledger today and tomorrow (one day more each run), so nobody
    books what is still out. A day already booked by others gets what is free; those
    bookings' borrowers and the owner unit are told, once, that they may come up short.
    Returns how many loans hold days."""
    today = today or timezone.localdate()
    done = 0
    for loan, listing in _due_loans_locked({"status": Status.PICKED_UP, "end__lt": today}):
        held = dict(loan.holds.values_list("day", "quantity"))
        short = [
            day
            for day in (today, today + timedelta(days=1))
            if held.get(day, 0) < loan.quantity
            and not _hold_day(loan, listing, day, held.get(day, 0))
        ]
        if short:
            _tell_short(loan, listing, short)
        done += 1
    return done


def _tell_short(overdue: Loan, listing: Listing, short: list[date]) -> None:
    """The bookings on the days an overdue loan could not hold, told once each."""
    later = (
        Loan.objects.select_for_update(of=("self",))
        .filter(listing_id=listing.pk, status=Status.BOOKED, told_short_at__isnull=True)
        .filter(start__lte=max(short), end__gte=min(short))
        .exclude(pk=overdue.pk)
    )
    for loan in later:
        if not any(loan.start <= day <= loan.end for day in short):
            continue
        loan.told_short_at = timezone.now()
        loan.save(update_fields=["told_short_at"])
        notify.short(loan, overdue)
