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
