"""Who hears about a loan: one queued task per mail, in the causing transaction.

The borrower (whoever booked it, and the unit's first members when they booked for
another unit) hears of each status change and the reminders; the mail says "by X for
unit Y" when someone booked on the unit's behalf. Context values are codes and ISO dates:
the templates turn them into words in the recipient's language.
"""

from django.conf import settings
from django_tasks import task

from kierratys.accounts.models import User
from kierratys.accounts.roles import belongs_to_unit
from kierratys.common import mail

from .models import Loan

MAX_UNIT_RECIPIENTS = 3


def status_changed(loan: Loan) -> None:
    notify_loan.enqueue(loan.pk, "loan_status")


def reminder(loan: Loan, which: str) -> None:
    notify_loan.enqueue(loan.pk, "loan_reminder", which)


def recipients(loan: Loan) -> list[User]:
    people = [loan.booked_by] if loan.booked_by.is_active else []
    if not belongs_to_unit(loan.booked_by, loan.unit_id):  # booked on the unit's behalf
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
        "on_behalf": not belongs_to_unit(loan.booked_by, loan.unit_id),
        "status_code": loan.status,
        "start": loan.start.isoformat(),
        "end": loan.end.isoformat(),
        "condition": loan.return_condition,
        "damage_note": loan.damage_note,
        "reason": loan.reason,
        "url": settings.SITE_URL + loan.get_absolute_url(),
    }


@task()
def notify_loan(loan_id: int, template: str, which: str = "") -> int:
    loan = Loan.objects.select_related("listing", "unit", "booked_by").filter(pk=loan_id).first()
    if loan is None:
        return 0
    people = recipients(loan)
    data = {**context(loan), "which": which}
    for user in people:
        mail.send_later(
            to=user.email, template=template, context=data, language=user.language or None
        )
    return len(people)
