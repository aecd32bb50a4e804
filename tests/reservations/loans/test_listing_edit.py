"""The listing's edit page refuses what would break its loans (issue 20): switching "for
loan" off while loans are open, or a quantity below what a future day has booked."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from listings import services as listing_services
from reservations import services as reservation_services
from reservations.loans import services

from ...factories import ListingFactory, book, loan_listing, reserve
from ...listings.test_listing_pages import edit_data

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + timedelta(days=n)


def loan_edit_data(listing, **overrides):
    data = edit_data(listing, **{"listing-for_loan": "on", "listing-loan_max_days": "14"})
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(client, listing, **overrides):
    return client.post(
        reverse("listings:edit", args=[listing.pk]),
        loan_edit_data(listing, **overrides),
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_for_loan_cannot_be_switched_off_while_loans_are_open(client):
    bikes = loan_listing(quantity=2)
    loan = book(bikes)
    client.force_login(bikes.created_by)
    answer = post(client, bikes, **{"listing-for_loan": None})
    assert answer.status_code == 400
    assert "1 loan of this item is booked or out" in answer.text
    bikes.refresh_from_db()
    assert bikes.for_loan
    services.loan_cancel(actor=loan.booked_by, loan_id=loan.pk)
    answer = post(client, bikes, **{"listing-for_loan": None})
    assert answer.status_code == 302
    bikes.refresh_from_db()
    assert not bikes.for_loan


def test_the_quantity_cannot_go_below_what_a_future_day_has_booked(client):
    bikes = loan_listing(quantity=3)
    book(bikes, start=days(2), end=days(4), quantity=2)
    client.force_login(bikes.created_by)
    answer = post(client, bikes, **{"listing-quantity": "1"})
    assert answer.status_code == 400
    assert f"2 are booked for loan on {days(2).strftime('%-d.%-m.%Y')}" in answer.text
    bikes.refresh_from_db()
    assert bikes.quantity == 3
    assert post(client, bikes, **{"listing-quantity": "2"}).status_code == 302
    bikes.refresh_from_db()
    assert bikes.quantity == 2


def test_the_service_refuses_it_too_and_writes_nothing():
    bikes = loan_listing(quantity=2)
    book(bikes, quantity=2)
    with pytest.raises(ValidationError) as refused:
        listing_services.listing_update(
            actor=bikes.created_by, listing_id=bikes.pk, fields={"quantity": 1}
        )
    assert list(refused.value.message_dict) == ["quantity"]
    bikes.refresh_from_db()
    assert bikes.quantity == 2 and not bikes.events.filter(kind="edited").exists()


def test_for_loan_cannot_be_switched_on_while_pieces_are_promised_for_keeps(client):
    chairs = ListingFactory(quantity=2)
    reservation = reserve(chairs, quantity=2)
    client.force_login(chairs.created_by)
    answer = post(client, chairs)
    assert answer.status_code == 400
    assert "reserved, handed over or on a waiting list for keeps" in answer.text
    chairs.refresh_from_db()
    assert not chairs.for_loan
    reservation_services.reservation_cancel(
        actor=reservation.requested_by, reservation_id=reservation.pk
    )
    assert post(client, chairs).status_code == 302
    chairs.refresh_from_db()
    assert chairs.for_loan
