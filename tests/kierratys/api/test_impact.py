"""Impact figures through the API: the report page's own figures, for the token's unit
only; the period and category refused as on the page when wrong."""

import pytest
from django.urls import reverse

from kierratys.api.models import Scope
from reservations import services
from tests.factories import ListingFactory, member_of, reserve

from .conftest import Api, make_token, problem_of

pytestmark = pytest.mark.django_db
IMPACT = "/api/v1/impact/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _collect(listing, receiver, quantity):
    reservation = reserve(listing, user=receiver, quantity=quantity)
    services.reservation_collect(actor=listing.created_by, reservation_id=reservation.pk)


def test_a_token_gets_its_own_units_figures_as_the_report_page_shows_them(api, client, school):
    _collect(ListingFactory(quantity=5, owner_unit=school), member_of(), 3)  # ours, reused
    _collect(ListingFactory(quantity=5), member_of(), 2)  # another unit's
    body = api.get(IMPACT).json()
    assert body["unit"] == school.pk
    client.force_login(member_of(unit=school))
    report = client.get(reverse("reports:index")).context["report"]
    assert body["totals"]["items"] == report.totals["items"] > 0
    assert float(body["totals"]["kg"]) == float(report.totals["kg"])
    assert sum(month["items"] for month in body["monthly"]) == report.totals["items"]


def test_a_token_cannot_ask_for_another_units_figures(api, school):
    body = problem_of(api.get(IMPACT, {"unit": school.pk + 1}, **EN), 400)
    assert body["errors"][0]["parameter"] == "unit"


def test_a_wrong_period_is_refused_in_the_pages_words(api):
    body = problem_of(api.get(IMPACT, {"start": "2026-05-01", "end": "2026-01-01"}, **EN), 400)
    assert body["errors"] == [
        {"parameter": "end", "detail": "The end date is before the start date."}
    ]


def test_the_reports_scope_is_needed(client, coordinator, school):
    reader = Api(client, make_token(coordinator, school, scopes=[Scope.LISTINGS_READ]).secret)
    problem_of(reader.get(IMPACT), 403)
