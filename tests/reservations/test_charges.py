"""Internal prices (issue 21, item 4): an organisation's price list, the quote a unit sees
before confirming, the charges made against the receiving unit's cost centre at handover
(storage and cleaning at the collection, delivery when it arrives), the coordinator's month
per cost centre and its CSV and XLSX downloads. Zero prices hide it all."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from inventory import services as inventory_services
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from kierratys.common.errors import Conflict, ServiceError
from kierratys.common.submissions import new_token
from listings.models import Listing, ListingEvent
from reservations import services
from reservations.charges import pricing, selectors
from reservations.charges import services as charges
from reservations.charges.models import Charge, PriceList
from reservations.models import Reservation

from ..factories import (
    ListingFactory,
    OrganisationFactory,
    book_delivery,
    member_of,
    next_working_day,
    other_organisation,
    reserve,
    running_partnership,
    warehouse_with_slots,
)

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
FI = {"HTTP_ACCEPT_LANGUAGE": "fi"}


@pytest.fixture
def turku():
    return OrganisationFactory()


@pytest.fixture
def coordinator(turku):
    return member_of(turku, [COORDINATOR], full_name="Tuula Talous")


@pytest.fixture
def depot(turku):
    warehouse, shelves, slots = warehouse_with_slots()
    assert warehouse.organisation == turku
    return warehouse, shelves, slots


@pytest.fixture
def driver(turku):
    return member_of(turku, [WAREHOUSE], full_name="Kuski Turku")


@pytest.fixture
def reserver(turku):
    return member_of(turku, full_name="Riikka Varaaja")


def set_prices(coordinator, basis="trip", delivery="25", storage="3,50", cleaning="10"):
    return charges.price_list_save(
        actor=coordinator,
        delivery_basis=basis,
        delivery_eur=delivery,
        storage_month_eur=storage,
        cleaning_eur=cleaning,
    )


def stored(shelf, *, days_ago=0, quantity=3, **fields):
    """A listing on the shelf, shelved `days_ago` days ago."""
    listing = ListingFactory(storage_location=shelf, quantity=quantity, **fields)
    ListingEvent.objects.create(
        listing=listing, kind="shelved", created_at=timezone.now() - timedelta(days=days_ago)
    )
    return listing


def delivered(reservation, slots, driver, listing):
    task = book_delivery(reservation, slots, next_working_day())
    inventory_services.task_start(actor=driver, task_id=task.pk, scanned_code=listing.code)
    return inventory_services.delivery_complete(
        actor=driver, task_id=task.pk, scanned_code=listing.code
    )


def by_kind(reservation):
    return {c.kind: c for c in Charge.objects.filter(reservation=reservation)}


# --- arithmetic ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored_on", "handed_over_on", "months"),
    [
        (date(2026, 1, 15), date(2026, 1, 15), 1),  # the intake day itself: one month
        (date(2026, 1, 15), date(2026, 2, 14), 1),
        (date(2026, 1, 15), date(2026, 2, 15), 2),  # the second month starts
        (date(2026, 1, 31), date(2026, 2, 27), 1),
        (date(2026, 1, 31), date(2026, 2, 28), 2),  # a shorter month: its last day
        (date(2025, 11, 20), date(2026, 3, 1), 4),  # over the new year
        (date(2026, 3, 1), date(2026, 2, 1), 1),  # never fewer than one
    ],
)
def test_storage_counts_the_months_started_since_intake(stored_on, handed_over_on, months):
    assert pricing.storage_months(stored_on=stored_on, handed_over_on=handed_over_on) == months


def test_lines_multiply_the_price_by_items_months_and_trips():
    prices = PriceList(
        delivery_eur=Decimal("25.00"),
        storage_month_eur=Decimal("3.50"),
        cleaning_eur=Decimal("10.00"),
    )
    storage, cleaning = pricing.warehouse_lines(prices, items=2, months=3)
    assert (storage.quantity, storage.per, storage.amount_eur) == (
        6,
        "item-month",
        Decimal("21.00"),
    )
    assert (cleaning.quantity, cleaning.amount_eur) == (2, Decimal("20.00"))
    assert pricing.delivery_line(prices, items=4).amount_eur == Decimal("25.00")  # one trip
    prices.delivery_basis = PriceList.DeliveryBasis.ITEM
    assert pricing.delivery_line(prices, items=4).amount_eur == Decimal("100.00")
    assert pricing.warehouse_lines(PriceList(), items=5, months=2) == []
    assert pricing.delivery_line(PriceList(), items=5) is None


# --- the price list ----------------------------------------------------------------------------


def test_prices_are_read_as_typed_in_finnish(coordinator, turku):
    saved = set_prices(coordinator, delivery="1 234,50 €", storage="3.5", cleaning="")
    saved.refresh_from_db()
    assert saved.organisation == turku and saved.updated_by == coordinator
    assert saved.delivery_eur == Decimal("1234.50")
    assert saved.storage_month_eur == Decimal("3.50")
    assert saved.cleaning_eur == Decimal("0.00")
    assert not saved.is_free


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("delivery_eur", "kymppi", "Enter a price in euros"),
        ("delivery_eur", "NaN", "Enter a price in euros"),
        ("storage_month_eur", "-5", "cannot be negative"),
        ("cleaning_eur", "100000", "at most 99 999,99"),
        ("cleaning_eur", "1,234", "at most two decimals"),
    ],
)
def test_a_bad_price_changes_nothing(coordinator, field, typed, message):
    set_prices(coordinator)
    before = list(PriceList.objects.values())
    with pytest.raises(ServiceError) as caught, translation.override("en"):
        set_prices(
            coordinator,
            **{
                {
                    "delivery_eur": "delivery",
                    "storage_month_eur": "storage",
                    "cleaning_eur": "cleaning",
                }[field]: typed
            },
        )
    assert message in " ".join(caught.value.message_dict[field])
    assert list(PriceList.objects.values()) == before


def test_only_a_coordinator_sets_prices(turku, reserver):
    with pytest.raises(PermissionDenied):
        set_prices(reserver)
    assert not PriceList.objects.exists()


def test_the_price_page_saves_and_refuses_bad_input_with_messages(client, coordinator):
    client.force_login(coordinator)
    url = reverse("charges:prices")
    page = client.get(url, **EN)
    assert page.status_code == 200 and "not in use" in page.text
    bad = client.post(
        url,
        {
            "delivery_eur": "-1",
            "delivery_basis": "trip",
            "storage_month_eur": "abc",
            "cleaning_eur": "",
            "submission": new_token(),
        },
        **EN,
    )
    assert bad.status_code == 400
    assert "A price cannot be negative." in bad.text
    assert "Enter a price in euros, for example 12,50." in bad.text
    assert not PriceList.objects.exists()
    good = client.post(
        url,
        {
            "delivery_eur": "30",
            "delivery_basis": "item",
            "storage_month_eur": "2,00",
            "cleaning_eur": "5",
            "submission": new_token(),
        },
        follow=True,
        **EN,
    )
    assert good.status_code == 200 and "Prices saved." in good.text
    prices = PriceList.objects.get()
    assert (prices.delivery_eur, prices.delivery_basis) == (Decimal("30.00"), "item")
    assert 'value="2.00"' in client.get(url, **EN).text  # shown back as saved
    assert 'value="2,00"' in client.get(url, **FI).text  # with a decimal comma in Finnish


def test_the_finance_pages_are_for_coordinators_only(client, turku, reserver, driver):
    for user in (reserver, driver):
        client.force_login(user)
        for url in (
            reverse("charges:month"),
            reverse("charges:prices"),
            reverse("charges:export", args=["totals", "csv"]) + "?month=2026-01",
        ):
            assert client.get(url, **EN).status_code == 403, url


# --- charges at handover -----------------------------------------------------------------------


def test_a_collection_from_the_warehouse_charges_storage_and_cleaning_once(
    coordinator, depot, driver, reserver
):
    set_prices(coordinator)
    listing = stored(depot[1][0], days_ago=40)  # 40 days: the second month has started
    reservation = reserve(listing, user=reserver, quantity=3)
    services.reservation_collect(actor=driver, reservation_id=reservation.pk, quantity=2)
    made = by_kind(reservation)
    assert set(made) == {"storage", "cleaning"}
    storage, cleaning = made["storage"], made["cleaning"]
    # Two items handed over (not the three reserved), two months each.
    assert (storage.quantity, storage.unit_price_eur, storage.amount_eur) == (
        4,
        Decimal("3.50"),
        Decimal("14.00"),
    )
    assert (cleaning.quantity, cleaning.amount_eur) == (2, Decimal("20.00"))
    assert storage.cost_centre == reserver.unit.cost_centre != ""
    assert storage.unit == reserver.unit and storage.organisation == listing.organisation
    assert storage.item == f"{listing.code} {listing.title}"
    with pytest.raises(Conflict):  # a reservation is handed over once
        services.reservation_collect(actor=driver, reservation_id=reservation.pk)
    assert Charge.objects.count() == 2


def test_a_delivery_charges_the_trip_once_besides_storage_and_cleaning(
    coordinator, depot, driver, reserver
):
    set_prices(coordinator)
    warehouse, shelves, slots = depot
    listing = stored(shelves[0], quantity=2)
    reservation = reserve(
        listing, user=reserver, quantity=2, handover=Reservation.Handover.DELIVERY
    )
    task = delivered(reservation, slots, driver, listing)
    made = by_kind(reservation)
    assert set(made) == {"storage", "cleaning", "delivery"}
    assert (made["delivery"].quantity, made["delivery"].per) == (1, "trip")
    assert made["delivery"].amount_eur == Decimal("25.00")
    assert made["storage"].amount_eur == Decimal("7.00")  # 2 items × 1 month × 3.50
    with pytest.raises(Exception):  # noqa: B017 (the task is done: no second handover)
        inventory_services.delivery_complete(
            actor=driver, task_id=task.pk, scanned_code=listing.code
        )
    assert Charge.objects.filter(kind="delivery").count() == 1


def test_delivery_priced_per_item_charges_each_item_delivered(coordinator, depot, driver, reserver):
    set_prices(coordinator, basis="item", storage="0", cleaning="0")
    warehouse, shelves, slots = depot
    listing = stored(shelves[0], quantity=3)
    reservation = reserve(
        listing, user=reserver, quantity=3, handover=Reservation.Handover.DELIVERY
    )
    delivered(reservation, slots, driver, listing)
    (charge,) = Charge.objects.all()
    assert (charge.kind, charge.quantity, charge.per, charge.amount_eur) == (
        "delivery",
        3,
        "item",
        Decimal("75.00"),
    )


def test_a_delivery_from_the_giving_unit_charges_only_the_trip(
    coordinator, depot, driver, reserver
):
    set_prices(coordinator)
    warehouse, shelves, slots = depot
    listing = ListingFactory(quantity=1)  # at its owner unit, fetched by the warehouse's van
    reservation = reserve(listing, user=reserver, handover=Reservation.Handover.DELIVERY)
    delivered(reservation, slots, driver, listing)
    assert set(by_kind(reservation)) == {"delivery"}


def test_zero_prices_make_no_charges(coordinator, depot, driver, reserver):
    set_prices(coordinator, delivery="0", storage="0", cleaning="0")
    warehouse, shelves, slots = depot
    picked = stored(shelves[0], days_ago=100)
    services.reservation_collect(actor=driver, reservation_id=reserve(picked, user=reserver).pk)
    brought = stored(shelves[1])
    reservation = reserve(brought, user=reserver, handover=Reservation.Handover.DELIVERY)
    delivered(reservation, slots, driver, brought)
    assert not Charge.objects.exists()


def test_a_handover_without_the_warehouse_is_not_charged(coordinator, reserver):
    set_prices(coordinator)
    listing = ListingFactory()  # collected at the giving unit
    owner = member_of(unit=listing.owner_unit)
    services.reservation_collect(actor=owner, reservation_id=reserve(listing, user=reserver).pk)
    assert not Charge.objects.exists()


def test_handovers_between_organisations_are_never_charged(turku, coordinator, depot, driver):
    set_prices(coordinator)
    raisio = other_organisation(2, name="Raisio")
    running_partnership(turku, raisio)
    set_prices(member_of(raisio, [COORDINATOR]))
    # Turku's item to a Raisio unit, from Turku's warehouse.
    listing = stored(depot[1][0], audience=Listing.Audience.PARTNERS)
    outsider = member_of(raisio)
    services.reservation_collect(actor=driver, reservation_id=reserve(listing, user=outsider).pk)
    # Raisio's item to a Raisio unit, from Turku's warehouse serving its partner.
    theirs = stored(depot[1][1], owner_unit=outsider.unit, audience=Listing.Audience.PARTNERS)
    assert theirs.organisation == raisio
    services.reservation_collect(
        actor=driver, reservation_id=reserve(theirs, user=member_of(raisio)).pk
    )
    assert not Charge.objects.exists()


def test_the_cost_centre_is_the_one_the_unit_had_then(coordinator, depot, driver, reserver):
    set_prices(coordinator)
    then = reserver.unit.cost_centre
    listing = stored(depot[1][0])
    services.reservation_collect(actor=driver, reservation_id=reserve(listing, user=reserver).pk)
    reserver.unit.cost_centre = "KP-UUSI"
    reserver.unit.save()
    set_prices(coordinator, storage="99")  # new prices leave the charge as it was
    assert {c.cost_centre for c in Charge.objects.all()} == {then}
    assert Charge.objects.get(kind="storage").amount_eur == Decimal("3.50")


# --- the quote before confirming --------------------------------------------------------------


def test_the_reserve_form_shows_the_quote_with_and_without_delivery(
    client, coordinator, depot, reserver
):
    set_prices(coordinator)
    listing = stored(depot[1][0], days_ago=40)
    client.force_login(reserver)
    page = client.get(reverse("reserve", args=[listing.pk]), **EN)
    assert page.status_code == 200
    assert "Internal charges" in page.text and reserver.unit.cost_centre in page.text
    assert "1 × 2 months × 3.50 €" in page.text  # storage of the one item
    assert "In all, collected by your unit: <strong>17.00 €</strong>" in page.text
    assert "Delivery, only when delivered" in page.text
    assert "In all, delivered: <strong>42.00 €</strong>" in page.text
    item = client.get(listing.get_absolute_url(), **EN)  # the same on the item page's box
    assert "data-quote" in item.text and "17.00 €" in item.text


def test_the_quote_is_for_the_quantity_in_the_form(coordinator, depot, reserver):
    set_prices(coordinator)
    listing = stored(depot[1][0], quantity=5)
    quote = selectors.quote(unit_id=reserver.unit_id, listing=listing, quantity=3)
    assert quote.total_eur == Decimal("40.50")  # 3 × 3.50 + 3 × 10, no delivery asked
    assert quote.delivery_line is None


def test_the_delivery_booking_page_shows_the_quote(client, coordinator, depot, reserver):
    set_prices(coordinator)
    listing = stored(depot[1][0])
    reservation = reserve(listing, user=reserver, handover=Reservation.Handover.DELIVERY)
    client.force_login(reserver)
    page = client.get(reverse("inventory:book_delivery", args=[reservation.pk]), **EN)
    assert page.status_code == 200
    assert "Internal charges" in page.text
    assert "In all: <strong>38.50 €</strong>" in page.text  # 3.50 + 10 + 25


def test_zero_prices_show_no_quote_anywhere(client, coordinator, depot, reserver):
    listing = stored(depot[1][0])
    reservation = reserve(listing, user=reserver, handover=Reservation.Handover.DELIVERY)
    client.force_login(reserver)
    for prices in (None, "zero"):
        if prices:
            set_prices(coordinator, delivery="0", storage="0", cleaning="0")
        for url in (
            reverse("reserve", args=[listing.pk]),
            listing.get_absolute_url(),
            reverse("inventory:book_delivery", args=[reservation.pk]),
        ):
            page = client.get(url, **EN)
            assert page.status_code == 200
            assert "data-quote" not in page.text and "Internal charges" not in page.text, url


def test_another_organisations_unit_sees_no_quote(client, turku, coordinator, depot):
    set_prices(coordinator)
    raisio = other_organisation(2, name="Raisio")
    running_partnership(turku, raisio)
    listing = stored(depot[1][0], audience=Listing.Audience.PARTNERS)
    client.force_login(member_of(raisio))
    page = client.get(reverse("reserve", args=[listing.pk]), **EN)
    assert page.status_code == 200 and "data-quote" not in page.text


# --- the coordinator's month and the downloads ------------------------------------------------


@pytest.fixture
def month_of_charges(coordinator, depot, driver, turku):
    """Charges to two cost centres this month, and one last month (not in this one)."""
    set_prices(coordinator)
    warehouse, shelves, slots = depot
    school, office = member_of(turku), member_of(turku)
    for user, quantity in ((school, 2), (office, 1), (school, 1)):
        listing = stored(shelves[0], days_ago=35, quantity=quantity)
        services.reservation_collect(
            actor=driver, reservation_id=reserve(listing, user=user, quantity=quantity).pk
        )
    old = stored(shelves[1])
    services.reservation_collect(actor=driver, reservation_id=reserve(old, user=office).pk)
    Charge.objects.filter(reservation__listing=old).update(
        charged_at=timezone.now().replace(day=1) - timedelta(days=3)
    )
    return school, office


def test_the_month_shows_totals_per_cost_centre(client, coordinator, month_of_charges):
    school, office = month_of_charges
    client.force_login(coordinator)
    page = client.get(reverse("charges:month"), **EN)
    assert page.status_code == 200
    this_month = Charge.objects.filter(charged_at__gte=timezone.now().replace(day=1, hour=0))
    total = sum(c.amount_eur for c in this_month)
    # School: 3 items × 2 months × 3.50 + 3 × 10 = 51.00; office: 1 × 2 × 3.50 + 10 = 17.00.
    assert total == Decimal("68.00")
    assert f'data-cost-centre="{school.unit.cost_centre}"' in page.text
    assert "51.00 €" in page.text and "17.00 €" in page.text
    assert "data-grand-total>68.00 €" in page.text


def test_the_downloads_total_what_was_charged(client, coordinator, month_of_charges):
    school, office = month_of_charges
    client.force_login(coordinator)
    month = timezone.localdate().strftime("%Y-%m")
    charged = {
        cost_centre: sum(
            c.amount_eur
            for c in selectors.month_charges(
                organisation_id=coordinator.unit.department.organisation_id,
                month=timezone.localdate(),
            )
            if c.cost_centre == cost_centre
        )
        for cost_centre in (school.unit.cost_centre, office.unit.cost_centre)
    }
    assert charged == {
        school.unit.cost_centre: Decimal("51.00"),
        office.unit.cost_centre: Decimal("17.00"),
    }

    totals = client.get(reverse("charges:export", args=["totals", "csv"]), {"month": month}, **EN)
    assert totals.status_code == 200 and totals["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(totals.content.decode("utf-8-sig"))))
    assert rows[0] == ["Month", "Cost centre", "Units", "Charges", "Total (€)"]
    assert {row[1]: Decimal(row[4]) for row in rows[1:]} == charged

    lines = client.get(reverse("charges:export", args=["lines", "csv"]), {"month": month}, **FI)
    rows = list(csv.reader(io.StringIO(lines.content.decode("utf-8-sig")), delimiter=";"))
    summed: dict = {}
    for row in rows[1:]:
        summed[row[0]] = summed.get(row[0], Decimal("0")) + Decimal(row[-1].replace(",", "."))
    assert summed == charged

    for kind in ("totals", "lines"):
        xlsx = client.get(reverse("charges:export", args=[kind, "xlsx"]), {"month": month}, **EN)
        assert xlsx.status_code == 200
        sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
        values = list(sheet.iter_rows(min_row=2, values_only=True))
        code_at = 1 if kind == "totals" else 0
        summed = {}
        for row in values:
            summed[row[code_at]] = summed.get(row[code_at], Decimal("0")) + Decimal(str(row[-1]))
        assert summed == charged, kind


def test_another_organisations_coordinator_sees_none_of_it(client, month_of_charges):
    raisio = other_organisation(2, name="Raisio")
    client.force_login(member_of(raisio, [COORDINATOR]))
    page = client.get(reverse("charges:month"), **EN)
    assert page.status_code == 200
    assert "No charges this month." in page.text and "not in use" in page.text
    for unit_user in month_of_charges:
        assert unit_user.unit.cost_centre not in page.text
    month = timezone.localdate().strftime("%Y-%m")
    export = client.get(reverse("charges:export", args=["lines", "csv"]), {"month": month})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == 1  # the header only


def test_a_bad_month_is_told_and_changes_nothing(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("charges:month"), {"month": "2026-13"}, **EN)
    assert page.status_code == 400 and "Choose a month, for example 2026-03." in page.text
    export = client.get(reverse("charges:export", args=["totals", "csv"]), {"month": "x"}, **EN)
    assert export.status_code == 302 and export["Location"] == reverse("charges:month")
    assert client.get(reverse("charges:export", args=["totals", "pdf"]), **EN).status_code == 404


def test_the_finance_page_says_when_prices_are_not_in_use(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("charges:month"), **EN)
    assert page.status_code == 200
    assert "Internal prices are not in use" in page.text and "No charges this month." in page.text


def test_the_organisation_page_links_the_finance_pages(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("organisation_hub"), **EN)
    assert reverse("charges:month") in page.text and "Internal prices" in page.text


def test_the_month_page_query_count_does_not_grow_with_charges(
    client, coordinator, month_of_charges, django_assert_max_num_queries
):
    client.force_login(coordinator)
    client.get(reverse("charges:month"), **EN)  # warm the session and caches
    with django_assert_max_num_queries(25):
        assert client.get(reverse("charges:month"), **EN).status_code == 200


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_finance_pages_answer_in_each_language(client, coordinator, month_of_charges, language):
    client.force_login(coordinator)
    for url in (reverse("charges:month"), reverse("charges:prices")):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert page.status_code == 200
        assert f'<html lang="{language}"' in page.text
    export = client.get(
        reverse("charges:export", args=["lines", "csv"]),
        {"month": timezone.localdate().strftime("%Y-%m")},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    delimiter = "," if language == "en" else ";"  # as that language's Excel opens it
    header = export.content.decode("utf-8-sig").splitlines()[0]
    assert header.count(delimiter) == 8


def test_the_admin_shows_charges_read_only_and_never_another_organisations(
    client, turku, month_of_charges
):
    raisio = other_organisation(2, name="Raisio")
    superuser = member_of(raisio, [COORDINATOR], is_staff=True, is_superuser=True)
    client.force_login(superuser)  # the operator sees every organisation's
    listing = client.get(reverse("admin:charges_charge_changelist"), **EN)
    assert listing.status_code == 200
    assert month_of_charges[0].unit.cost_centre in listing.text
    charge = Charge.objects.first()
    page = client.get(reverse("admin:charges_charge_change", args=[charge.pk]), **EN)
    assert page.status_code == 200 and 'name="amount_eur"' not in page.text  # read-only
    staff = member_of(raisio, [COORDINATOR], is_staff=True)
    client.force_login(staff)
    own_only = client.get(reverse("admin:charges_charge_changelist"), **EN)
    assert own_only.status_code in (200, 403)
    assert month_of_charges[0].unit.cost_centre not in own_only.text


def test_the_basket_shows_the_charges_of_its_items(client, coordinator, depot, reserver):
    stool, chair = stored(depot[1][0], quantity=2), ListingFactory()  # only the stool stored
    client.force_login(reserver)
    for listing in (stool, chair):
        client.post(reverse("reservations:basket_add", args=[listing.pk]), {"quantity": "2"})
    assert "data-quote" not in client.get(reverse("reservations:basket"), **EN).text
    set_prices(coordinator)
    page = client.get(reverse("reservations:basket"), **EN)
    assert f'data-quote-item="{stool.pk}"' in page.text
    assert f'data-quote-item="{chair.pk}"' not in page.text  # at its unit: nothing charged
    assert "In all, collected by your unit: <strong>27.00 €</strong>" in page.text  # 7 + 20
