from datetime import timedelta

from django.utils import timezone

from listings.models import Listing

from .accounts import UserFactory
from .listings import ListingFactory


def loan_listing(**fields) -> Listing:
    """A published listing lent for a period (issue 20): two bikes, up to 14 days a loan."""
    fields.setdefault("title", "Polkupyörä")
    fields.setdefault("quantity", 2)
    fields.setdefault("loan_max_days", 14)
    return ListingFactory(for_loan=True, **fields)


def book(listing, *, user=None, start=None, end=None, quantity=1, unit_id=None):
    """Book through the real service, as a member of another unit: from tomorrow for a
    week unless told."""
    from reservations.loans import services

    user = user or UserFactory()
    start = start or timezone.localdate() + timedelta(days=1)
    end = end or start + timedelta(days=6)
    return services.loan_book(
        actor=user,
        listing_id=listing.pk,
        start=start,
        end=end,
        quantity=quantity,
        unit_id=unit_id,
    )


def overdue_loan(listing, *, quantity=1, days_late=1, unit=None):
    """A loan picked up and past its last day (`days_late` days ago), not returned: made
    directly, as its past days no longer matter to the ledger."""
    from reservations.loans.models import Loan

    user = UserFactory(unit=unit) if unit else UserFactory()
    end = timezone.localdate() - timedelta(days=days_late)
    return Loan.objects.create(
        listing=listing,
        unit=user.unit,
        booked_by=user,
        quantity=quantity,
        start=end - timedelta(days=3),
        end=end,
        status=Loan.Status.PICKED_UP,
        picked_up_at=timezone.now() - timedelta(days=days_late + 3),
    )
