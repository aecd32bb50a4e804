"""An ordering pause (issue 21, item 2) refuses reserving through the API as on the page:
the same 409 with the coordinator's message, nothing written."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kierratys.accounts.pauses.models import OrderingPause
from kierratys.accounts.roles import COORDINATOR
from reservations.models import Reservation
from tests.factories import ListingFactory, member_of

from .conftest import problem_of

pytestmark = pytest.mark.django_db
MESSAGE = "Varasto muuttaa: tilaukset jatkuvat maanantaina."


def test_reserving_during_a_pause_is_refused_with_its_message(api, turku):
    listing = ListingFactory(quantity=3)
    today = timezone.localdate()
    OrderingPause.objects.create(
        organisation=turku,
        starts_on=today,
        ends_on=today + timedelta(days=2),
        message_fi=MESSAGE,
        created_by=member_of(turku, [COORDINATOR]),
    )
    response = api.post(
        "/api/v1/reservations/",
        {
            "listing": listing.pk,
            "quantity": 1,
            "contact_name": "Anna Virtanen",
            "contact_phone": "040 123 4567",
        },
    )
    body = problem_of(response, 409)
    assert body["code"] == "paused" and MESSAGE in body["detail"]
    assert not Reservation.objects.exists()
    listing.refresh_from_db()
    assert listing.quantity_available == 3
