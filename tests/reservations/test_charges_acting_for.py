"""Internal charges when warehouse staff or a coordinator act for another unit (issues 20
and 21): the quote is the acted-for unit's once it is chosen, and the charge made at the
handover is always against the acted-for unit's cost centre, whatever was quoted."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from kierratys.common.submissions import new_token
from listings.models import ListingEvent
from reservations import services
from reservations.charges import services as charges
from reservations.charges.models import Charge
from reservations.models import Reservation

from ..factories import (
    ListingFactory,
    OrganisationFactory,
    UnitFactory,
    member_of,
    reserve,
    warehouse_with_slots,
)

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def turku():
    return OrganisationFactory()


@pytest.fixture
def shelf(turku):
    warehouse, shelves, _slots = warehouse_with_slots()
    assert warehouse.organisation == turku
    charges.price_list_save(
        actor=member_of(turku, [COORDINATOR]),
        delivery_basis="trip",
        delivery_eur="25",
        storage_month_eur="3,50",
        cleaning_eur="10",
    )
    return shelves[0]


@pytest.fixture
def worker(turku):
    return member_of(turku, [WAREHOUSE], full_name="Ville Varasto")


@pytest.fixture
def school(turku):
    unit = UnitFactory(name="Puolalan koulu", cost_centre="KP-KOULU")
    assert unit.department.organisation == turku
    return unit


def stored(shelf, quantity=3):
    listing = ListingFactory(storage_location=shelf, quantity=quantity)
    ListingEvent.objects.create(
        listing=listing, kind="shelved", created_at=timezone.now() - timedelta(days=40)
    )
    return listing


def reserve_data(**overrides):
    return {
        "quantity": "1",
        "handover": "pickup",
        "wanted_date": "",
        "contact_name": "Kaisa Koulu",
        "contact_phone": "040 123 4567",
        "note": "",
        "submission": new_token(),
        **overrides,
    }


def test_the_handover_charges_the_acted_for_units_cost_centre(shelf, worker, school):
    listing = stored(shelf)
    reservation = reserve(listing, user=worker, quantity=2, for_unit_id=school.pk)
    services.reservation_collect(actor=worker, reservation_id=reservation.pk)
    made = {c.kind: c for c in Charge.objects.filter(reservation=reservation)}
    assert set(made) == {"storage", "cleaning"}
    assert {c.cost_centre for c in made.values()} == {"KP-KOULU"}
    assert {c.unit for c in made.values()} == {school}
    assert worker.unit.cost_centre != "KP-KOULU"


def test_the_reserve_page_quotes_the_actors_unit_until_one_is_chosen(client, shelf, worker, school):
    listing = stored(shelf)
    client.force_login(worker)
    page = client.get(reverse("reserve", args=[listing.pk]), **EN).text
    assert worker.unit.cost_centre in page and "data-quote-own" in page
    assert "Its own cost centre is charged instead" in page
    # Chosen, and the form comes back (a field left empty): the quote is the school's.
    answer = client.post(
        reverse("reserve", args=[listing.pk]),
        reserve_data(for_unit=str(school.pk), contact_phone=""),
        **EN,
    )
    assert answer.status_code == 400
    assert "Charged to the cost centre KP-KOULU of Puolalan koulu" in answer.text
    assert "In all, collected by Puolalan koulu" in answer.text
    assert worker.unit.cost_centre not in answer.text
    assert not Reservation.objects.exists()


def test_the_basket_quotes_the_chosen_unit(client, shelf, worker, school):
    listing = stored(shelf, quantity=2)
    client.force_login(worker)
    client.post(reverse("reservations:basket_add", args=[listing.pk]), {"quantity": "2"})
    page = client.get(reverse("reservations:basket"), **EN).text
    assert worker.unit.cost_centre in page and "data-quote-own" in page
    answer = client.post(
        reverse("reservations:basket"),
        {**reserve_data(for_unit=str(school.pk), contact_name=""), f"quantity_{listing.pk}": 2},
        **EN,
    )
    assert answer.status_code == 400
    assert "Charged to the cost centre KP-KOULU of Puolalan koulu" in answer.text
    assert "<strong>34.00 €</strong>" in answer.text  # 2 × 2 months × 3.50 + 2 × 10
    # Reserved for the school and collected: the charge is the school's.
    client.post(
        reverse("reservations:basket"),
        {**reserve_data(for_unit=str(school.pk)), f"quantity_{listing.pk}": 2},
    )
    reservation = Reservation.objects.get()
    services.reservation_collect(actor=worker, reservation_id=reservation.pk)
    assert Charge.objects.filter(reservation=reservation).count() == 2
    assert set(Charge.objects.values_list("cost_centre", flat=True)) == {"KP-KOULU"}
    assert sum(c.amount_eur for c in Charge.objects.all()) == Decimal("34.00")


def test_unit_staff_are_not_told_of_other_units(client, shelf, turku):
    listing = stored(shelf)
    client.force_login(member_of(turku))
    page = client.get(reverse("reserve", args=[listing.pk]), **EN).text
    assert "Internal charges" in page and "data-quote-own" not in page
