"""Who hears about a loan: one queued task per mail, in the causing transaction.

The borrower (whoever booked it, and the unit's first members when they booked for
another unit) hears of each status change and the reminders; the owner unit's first
members hear of a new booking and of a cancellation they did not make themselves; both
hear when an earlier loan late back may leave a booking short. Every mail says "X booked
this for unit Y" when someone booked on the unit's behalf. Context values are codes and ISO dates:
the templates turn them into words in the recipient's language.
"""

from django.conf import settings
from django_tasks import task

from kierratys.accounts.models import User
from kierratys.common import mail

from .models import Loan

MAX_UNIT_RECIPIENTS = 3


def status_changed(loan: Loan) -> None:
    notify_loan.enqueue(loan.pk, "loan_status")


def reminder(loan: Loan, which: str) -> None:
    notify_loan.enqueue(loan.pk, "loan_reminder", which)


def booked(loan: Loan) -> None:
    """The owner unit hears of a new booking."""
    notify_loan.enqueue(loan.pk, "loan_owner", "booked", "owner")


def cancelled(loan: Loan, *, by_owner_side: bool, expired: bool = False) -> None:
    """The borrower hears of the cancellation, and the owner unit unless it cancelled;
    `expired`: nobody did, the periodic job found it not picked up by its last day."""
    status_changed(loan)
    if not by_owner_side:
        notify_loan.enqueue(loan.pk, "loan_owner", "expired" if expired else "cancelled", "owner")


def short(loan: Loan, overdue: Loan) -> None:
    """A booking may come up short: an earlier loan is late back (its last day in `which`)."""
    notify_loan.enqueue(loan.pk, "loan_short", overdue.end.isoformat(), "both")


def owner_recipients(loan: Loan) -> list[User]:
    return list(
        User.objects.filter(unit_id=loan.listing.owner_unit_id, is_active=True).order_by("pk")[
            :MAX_UNIT_RECIPIENTS
        ]
    )


def recipients(loan: Loan) -> list[User]:
    people = [loan.booked_by] if loan.booked_by.is_active else []
    if loan.on_behalf:  # the unit's own people hear of it too
        people += list(
            User.objects.filter(unit_id=loan.unit_id, is_active=True).order_by("pk")[
                :MAX_UNIT_RECIPIENTS
            ]
        )
    return people


def context(loan: Loan) -> dict:
    listing = loan.listing
    return {
        "loan_id": loan.pk,
        "code": listing.code,
        "title": listing.title,
        "quantity": loan.quantity,
        "unit": loan.unit.name,
        "booked_by": loan.booked_by.full_name,
        "on_behalf": loan.on_behalf,
        "status_code": loan.status,
        "start": loan.start.isoformat(),
        "end": loan.end.isoformat(),
        "condition": loan.return_condition,
        "damage_note": loan.damage_note,
        "reason": loan.reason,
        "url": settings.SITE_URL + loan.get_absolute_url(),
    }


@task()
def notify_loan(loan_id: int, template: str, which: str = "", to: str = "borrower") -> int:
    """`to`: "borrower", "owner" (the owner unit's members) or "both"."""
    loan = Loan.objects.select_related("listing", "unit", "booked_by").filter(pk=loan_id).first()
    if loan is None:
        return 0
    people = [] if to == "owner" else recipients(loan)
    if to in ("owner", "both"):
        people += [user for user in owner_recipients(loan) if user not in people]
    data = {**context(loan), "which": which}
    for user in people:
        mail.send_later(
            to=user.email, template=template, context=data, language=user.language or None
        )
    return len(people)
