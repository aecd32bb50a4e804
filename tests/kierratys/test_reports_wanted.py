"""The report counts wanted requests closed as fulfilled (issue 20, item 2)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from listings.models import Listing
from listings.wanted import services
from listings.wanted.models import WantedRequest

from ..factories import CategoryFactory, UnitFactory, UserFactory, member_of, other_organisation

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")


def fulfilled(user, category, *, when, fulfil=True):
    wanted = services.wanted_post(
        actor=user,
        unit=user.unit,
        fields={
            "category": category,
            "quantity": 1,
            "details": "",
            "needed_by": None,
            "audience": Listing.Audience.ORGANISATION,
        },
    )
    services.wanted_close(actor=user, request_id=wanted.pk, fulfilled=fulfil)
    WantedRequest.objects.filter(pk=wanted.pk).update(closed_at=when)
    return wanted


def test_fulfilled_requests_are_counted_in_the_period_unit_and_category(client, coordinator):
    chairs, tables = CategoryFactory(), CategoryFactory()
    unit = UnitFactory(department=coordinator.unit.department)
    staff = UserFactory(unit=unit)
    in_2025 = datetime(2025, 5, 1, 12, tzinfo=HELSINKI)
    fulfilled(staff, chairs, when=in_2025)
    fulfilled(staff, tables, when=in_2025)
    fulfilled(staff, chairs, when=in_2025, fulfil=False)  # no longer needed: not counted
    fulfilled(staff, chairs, when=datetime(2024, 12, 31, 12, tzinfo=HELSINKI))  # before
    fulfilled(UserFactory(), chairs, when=in_2025)  # another unit of the organisation
    fulfilled(member_of(other_organisation()), chairs, when=in_2025)  # another organisation

    client.force_login(coordinator)
    year = {"start": "2025-01-01", "end": "2025-12-31"}
    response = client.get(reverse("reports:index"), year, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["report"].totals["wanted_fulfilled"] == 3
    assert "Wanted requests fulfilled" in response.text
    by_unit = client.get(reverse("reports:index"), {**year, "unit": unit.pk})
    assert by_unit.context["report"].totals["wanted_fulfilled"] == 2
    by_category = client.get(reverse("reports:index"), {**year, "category": chairs.pk})
    assert by_category.context["report"].totals["wanted_fulfilled"] == 2
    csv = client.get(reverse("reports:csv", args=["summary"]), year, HTTP_ACCEPT_LANGUAGE="en")
    assert "Wanted requests fulfilled,3,requests" in csv.content.decode("utf-8")
