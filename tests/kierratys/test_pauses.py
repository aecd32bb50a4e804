"""Pausing ordering (issue 21, 2): a coordinator pauses the organisation or one warehouse from
a date to a date with a message; reserving (one item, a basket, a partner's reservation) and
booking deliveries are refused with that message; reservations made before keep their dates;
the catalogue and the listing show the pause; pauses start and end by the date alone."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from inventory.models import Task
from kierratys.accounts.pauses import selectors
from kierratys.accounts.pauses import services as pauses
from kierratys.accounts.pauses.models import OrderingPause
from kierratys.accounts.roles import COORDINATOR
from kierratys.common.errors import Conflict, NotFound, ServiceError, status_of
from kierratys.common.submissions import new_token
from listings.models import Listing
from reservations import services as reservation_services
from reservations.errors import ReservationError
from reservations.models import Reservation

from ..conftest import needs_postgres
from ..factories import (
    ListingFactory,
    OrganisationFactory,
    StorageLocationFactory,
    UnitFactory,
    WarehouseFactory,
    book_delivery,
    member_of,
    next_working_day,
    other_organisation,
    reserve,
    running_partnership,
    slot_for,
    warehouse_with_slots,
)

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
MESSAGE = "Varasto muuttaa, tilaukset avautuvat taas maanantaina."
Code = pauses.PauseError


def today():
    return timezone.localdate()


@pytest.fixture
def turku():
    return OrganisationFactory()


@pytest.fixture
def coordinator(turku):
    return member_of(turku, [COORDINATOR], full_name="Tuula Turku")


def paused(organisation, start=0, end=0, warehouse=None, **fields):
    """A pause written as it is (it may lie in the past), days counted from today."""
    fields.setdefault("created_by", member_of(organisation, [COORDINATOR]))
    return OrderingPause.objects.create(
        organisation=organisation,
        warehouse=warehouse,
        starts_on=today() + timedelta(days=start),
        ends_on=today() + timedelta(days=end),
        message_fi=fields.pop("message_fi", MESSAGE),
        **fields,
    )


def refused_with_pause(call):
    with pytest.raises(Conflict) as caught:
        call()
    assert caught.value.code == ReservationError.PAUSED == "paused"
    assert status_of(caught.value) == 409
    assert any(MESSAGE in m for m in caught.value.messages)
    return caught.value


# --- reserving -------------------------------------------------------------------------------


def test_an_organisation_pause_refuses_reserving_with_its_message(turku):
    listing = ListingFactory(quantity=3)
    paused(turku, 0, 2)
    error = refused_with_pause(lambda: reserve(listing))
    day = (today() + timedelta(days=2)).strftime("%-d.%-m.%Y")
    assert day in error.messages[0]  # "until" the last day
    listing.refresh_from_db()
    assert listing.quantity_available == 3
    assert not Reservation.objects.exists()


def test_a_sold_out_paused_listing_is_refused_with_the_pause_not_as_sold_out(turku):
    """The pause is the reason to give: on PostgreSQL a sold-out listing is refused without
    its row lock only when no rule refuses it first."""
    listing = ListingFactory(quantity=1, quantity_available=0)
    paused(turku)
    refused_with_pause(lambda: reserve(listing))


def test_joining_the_waiting_list_is_refused_too(turku):
    listing = ListingFactory(quantity=1, quantity_available=0)
    paused(turku)
    refused_with_pause(lambda: reserve(listing, join_waiting_list=True))


def test_a_basket_with_a_paused_item_reserves_nothing(turku):
    warehouse = WarehouseFactory(organisation=turku)
    open_one = ListingFactory()
    paused_one = ListingFactory(storage_location=StorageLocationFactory(warehouse=warehouse))
    user = member_of(turku)
    paused(turku, warehouse=warehouse)
    with pytest.raises(ServiceError) as caught:
        reservation_services.basket_reserve(
            actor=user,
            items=[
                reservation_services.BasketItem(open_one.pk, 1),
                reservation_services.BasketItem(paused_one.pk, 1),
            ],
            contact_name="Testi",
            contact_phone="040 1",
        )
    assert any(MESSAGE in m and paused_one.title in m for m in caught.value.messages)
    assert not Reservation.objects.exists()


def test_a_partner_reserving_a_paused_organisations_item_is_refused(turku):
    raisio = other_organisation(2, name="Raisio")
    running_partnership(turku, raisio)
    listing = ListingFactory(audience=Listing.Audience.PARTNERS)
    partner = member_of(raisio)
    reserve(listing, user=partner)  # seen and reservable before the pause
    paused(turku)
    refused_with_pause(lambda: reserve(listing, user=partner))
    # The partner's own pause is not the owner's: Raisio pausing stops only Raisio's items.
    OrderingPause.objects.update(ended_at=timezone.now())
    paused(raisio)
    assert reserve(listing, user=partner).status == Reservation.Status.ACTIVE


def test_reservations_made_before_keep_their_dates(turku):
    listing = ListingFactory(quantity=3)
    before = reserve(listing)
    paused(turku, 0, 5)
    refused_with_pause(lambda: reserve(listing))
    kept = Reservation.objects.get(pk=before.pk)
    assert (kept.status, kept.collect_by) == (Reservation.Status.ACTIVE, before.collect_by)


def test_another_organisations_pause_changes_nothing(turku):
    paused(other_organisation(4))
    assert reserve(ListingFactory()).status == Reservation.Status.ACTIVE


@pytest.mark.parametrize(
    ("start", "end", "refused"),
    [
        (0, 3, True),  # today is the first day
        (-3, 0, True),  # today is the last day
        (-3, -1, False),  # yesterday was the last day: open again by itself
        (1, 3, False),  # not started yet
    ],
)
def test_a_pause_starts_and_ends_by_the_date(turku, start, end, refused):
    listing = ListingFactory()
    paused(turku, start, end)
    if refused:
        refused_with_pause(lambda: reserve(listing))
    else:
        assert reserve(listing).status == Reservation.Status.ACTIVE


@needs_postgres
@pytest.mark.parametrize("scope", ["organisation", "warehouse"])
def test_the_fast_path_leaves_a_paused_listing_to_the_rules(turku, scope):
    """The one-statement path (PostgreSQL) takes nothing that may be paused; the locked
    path then refuses with the message (above)."""
    from reservations.services import fast

    warehouse = WarehouseFactory(organisation=turku)
    listing = ListingFactory(storage_location=StorageLocationFactory(warehouse=warehouse))
    user = member_of(turku)
    details = {"handover": "pickup", "wanted_date": None, "contact_name": "M", "note": ""}

    def take():
        return fast.reserve_fast(
            actor=user,
            unit=user.unit,
            listing_id=listing.pk,
            quantity=1,
            contact_phone="040 1",
            **details,
        )

    pause = paused(turku, warehouse=warehouse if scope == "warehouse" else None)
    assert take() is None
    pause.ended_at = timezone.now()
    pause.save()
    assert take() is not None


def test_the_window_is_inclusive_on_both_ends(turku):
    pause = paused(turku, 1, 3)
    first, last = pause.starts_on, pause.ends_on
    assert selectors.pause_for(organisation_id=turku.pk, day=first - timedelta(days=1)) is None
    assert selectors.pause_for(organisation_id=turku.pk, day=first) == pause
    assert selectors.pause_for(organisation_id=turku.pk, day=last) == pause
    assert selectors.pause_for(organisation_id=turku.pk, day=last + timedelta(days=1)) is None


def test_a_pause_ended_early_opens_ordering_at_once(turku, coordinator):
    listing = ListingFactory()
    pause = paused(turku, 0, 5)
    refused_with_pause(lambda: reserve(listing))
    pauses.pause_end(actor=coordinator, pause_id=pause.pk)
    assert reserve(listing).status == Reservation.Status.ACTIVE


def test_a_warehouse_pause_stops_only_that_warehouses_items(turku):
    warehouse = WarehouseFactory(organisation=turku)
    other = WarehouseFactory(organisation=turku)
    stored = ListingFactory(storage_location=StorageLocationFactory(warehouse=warehouse))
    elsewhere = ListingFactory(storage_location=StorageLocationFactory(warehouse=other))
    at_unit = ListingFactory()
    paused(turku, warehouse=warehouse)
    refused_with_pause(lambda: reserve(stored))
    assert reserve(elsewhere).status == Reservation.Status.ACTIVE
    assert reserve(at_unit).status == Reservation.Status.ACTIVE


# --- delivery booking ------------------------------------------------------------------------


def test_booking_a_delivery_is_refused_during_a_pause(turku):
    warehouse, shelves, slots = warehouse_with_slots()
    listing = ListingFactory(storage_location=shelves[0])
    reservation = reserve(listing, handover=Reservation.Handover.DELIVERY)
    paused(turku, warehouse=warehouse)
    refused_with_pause(lambda: book_delivery(reservation, slots, next_working_day()))
    assert not Task.objects.filter(kind=Task.Kind.DELIVERY).exists()


def test_a_delivery_day_inside_a_coming_pause_is_refused(turku):
    warehouse, shelves, slots = warehouse_with_slots()
    listing = ListingFactory(storage_location=shelves[0])
    reservation = reserve(listing, handover=Reservation.Handover.DELIVERY)
    day = next_working_day(3)
    paused(turku, (day - today()).days, (day - today()).days)
    refused_with_pause(lambda: book_delivery(reservation, slots, day))
    assert book_delivery(reservation, slots, next_working_day(1)).date != day


def test_reserving_with_a_delivery_time_writes_nothing_during_a_warehouse_pause(turku):
    warehouse, shelves, slots = warehouse_with_slots()
    listing = ListingFactory(quantity=2, storage_location=shelves[0])
    paused(turku, warehouse=warehouse)
    day = next_working_day()
    refused_with_pause(
        lambda: reserve(
            listing,
            handover=Reservation.Handover.DELIVERY,
            delivery=(slot_for(slots, day).pk, day),
        )
    )
    assert not Reservation.objects.exists()
    assert not Task.objects.exists()


def test_the_delivery_booking_page_shows_the_message_and_offers_no_time(client, turku):
    warehouse, shelves, slots = warehouse_with_slots()
    listing = ListingFactory(storage_location=shelves[0])
    reservation = reserve(listing, handover=Reservation.Handover.DELIVERY)
    paused(turku, warehouse=warehouse)
    client.force_login(reservation.requested_by)
    url = reverse("inventory:book_delivery", args=[reservation.pk])
    page = client.get(url, **EN)
    assert MESSAGE in page.text
    assert 'name="choice"' not in page.text
    assert "No free delivery times" not in page.text  # the pause says why instead
    day = next_working_day()
    stale = post(client, url, {"choice": f"{slot_for(slots, day).pk}:{day.isoformat()}"})
    assert stale.status_code == 400
    assert MESSAGE in stale.text
    assert not Task.objects.filter(kind=Task.Kind.DELIVERY).exists()


def test_the_delivery_picker_leaves_out_the_days_of_a_coming_pause(client, turku):
    warehouse, shelves, slots = warehouse_with_slots()
    listing = ListingFactory(storage_location=shelves[0])
    reservation = reserve(listing, handover=Reservation.Handover.DELIVERY)
    day = next_working_day(2)
    paused(turku, (day - today()).days, (day - today()).days, warehouse=warehouse)
    client.force_login(reservation.requested_by)
    page = client.get(reverse("inventory:book_delivery", args=[reservation.pk]), **EN)
    assert f"{slot_for(slots, day).pk}:{day.isoformat()}" not in page.text
    other = next_working_day(1)
    assert f'value="{slot_for(slots, other).pk}:{other.isoformat()}"' in page.text
    assert MESSAGE not in page.text  # not in effect yet: the days are simply not offered


def test_the_reserve_form_offers_no_delivery_day_inside_a_pause(turku):
    from inventory.selectors import delivery_options

    warehouse, shelves, slots = warehouse_with_slots()
    listing = ListingFactory(storage_location=shelves[0])
    day = next_working_day(1)
    paused(turku, (day - today()).days, (day - today()).days)
    offered = {option["date"] for option in delivery_options(listing=listing)}
    assert day not in offered and next_working_day(2) in offered


def test_another_warehouses_pause_leaves_delivery_booking_open(turku):
    warehouse, shelves, slots = warehouse_with_slots()
    listing = ListingFactory(storage_location=shelves[0])
    reservation = reserve(listing, handover=Reservation.Handover.DELIVERY)
    paused(turku, warehouse=WarehouseFactory(organisation=turku))
    assert book_delivery(reservation, slots, next_working_day()).kind == Task.Kind.DELIVERY


# --- scheduling and ending -------------------------------------------------------------------


def schedule(actor, **fields):
    values = {"starts_on": today(), "ends_on": today(), "message_fi": MESSAGE, **fields}
    return pauses.pause_schedule(actor=actor, **values)


def test_a_coordinator_schedules_a_pause_for_a_warehouse(turku, coordinator):
    warehouse = WarehouseFactory(organisation=turku)
    pause = schedule(coordinator, warehouse_id=warehouse.pk, message_sv="Lagret flyttar.")
    assert (pause.organisation, pause.warehouse, pause.created_by) == (
        turku,
        warehouse,
        coordinator,
    )
    with translation.override("sv"):
        assert pause.message == "Lagret flyttar."
    with translation.override("en"):
        assert pause.message == MESSAGE  # no English: the Finnish one


@pytest.mark.parametrize(
    ("fields", "field", "code", "message"),
    [
        (
            {"ends_on": "yesterday"},
            "ends_on",
            Code.DATES_ORDER,
            "The last day cannot be before the first day.",
        ),
        (
            {"starts_on": "yesterday"},
            "starts_on",
            Code.START_PAST,
            "The first day cannot be in the past.",
        ),
        (
            {"message_fi": "   ", "message_en": "Closed"},
            "message_fi",
            Code.MESSAGE,
            "Write the message in Finnish: it is shown to everyone whose language has none.",
        ),
        (
            {"warehouse_id": "other"},
            "warehouse",
            Code.WAREHOUSE,
            "Choose one of your organisation's warehouses.",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(
    turku, coordinator, fields, field, code, message
):
    values = {
        "yesterday": today() - timedelta(days=1),
        "other": WarehouseFactory(organisation=other_organisation(5)).pk,
    }
    fields = {k: values.get(v, v) for k, v in fields.items()}
    with translation.override("en"), pytest.raises(ServiceError) as caught:
        schedule(coordinator, **fields)
    # Through gettext in the reader's language (/work/i18n/pause.json has fi and sv).
    assert [(e.code, e.message) for e in caught.value.error_dict[field]] == [(code, message)]
    assert not OrderingPause.objects.exists()


def test_overlapping_pauses_for_the_same_place_are_refused(turku, coordinator):
    warehouse = WarehouseFactory(organisation=turku)
    schedule(coordinator, ends_on=today() + timedelta(days=5))
    with pytest.raises(Conflict) as caught:
        later = today() + timedelta(days=5)
        schedule(coordinator, starts_on=later, ends_on=later + timedelta(days=2))
    assert caught.value.code == Code.OVERLAP
    # A warehouse's pause may sit inside the organisation's, and days after it are free.
    schedule(coordinator, warehouse_id=warehouse.pk)
    schedule(
        coordinator, starts_on=today() + timedelta(days=6), ends_on=today() + timedelta(days=6)
    )
    assert OrderingPause.objects.count() == 3


def test_the_database_refuses_a_pause_ending_before_it_starts(turku, coordinator):
    with pytest.raises(IntegrityError), transaction.atomic():
        paused(turku, 2, 1)


def test_only_coordinators_schedule_or_end(turku, coordinator):
    staff = member_of(turku)
    with pytest.raises(PermissionDenied):
        schedule(staff)
    pause = schedule(coordinator)
    with pytest.raises(PermissionDenied):
        pauses.pause_end(actor=staff, pause_id=pause.pk)
    with pytest.raises(NotFound):  # another organisation's coordinator
        pauses.pause_end(actor=member_of(other_organisation(6), [COORDINATOR]), pause_id=pause.pk)
    pauses.pause_end(actor=coordinator, pause_id=pause.pk)
    with pytest.raises(Conflict):
        pauses.pause_end(actor=coordinator, pause_id=pause.pk)


# --- pages -----------------------------------------------------------------------------------


def post(client, url, data=None):
    return client.post(url, {**(data or {}), "submission": new_token()}, **EN)


def test_the_coordinator_schedules_sees_and_ends_a_pause_on_the_page(client, turku, coordinator):
    client.force_login(coordinator)
    url = reverse("pauses:list")
    page = client.get(url, **EN)
    assert page.status_code == 200
    assert "Ordering pauses" in page.text
    assert reverse("pauses:list") in client.get(reverse("organisation_hub"), **EN).text
    answer = post(
        client,
        url,
        {"starts_on": today().isoformat(), "ends_on": today().isoformat(), "message_fi": MESSAGE},
    )
    assert answer.status_code == 302
    pause = OrderingPause.objects.get()
    page = client.get(url, **EN)
    assert MESSAGE in page.text and "End the pause now" in page.text
    answer = post(client, reverse("pauses:end", args=[pause.pk]))
    assert answer.status_code == 302
    assert "The pause has ended" in client.get(url, **EN).text
    pause.refresh_from_db()
    assert pause.ended_at is not None


def test_bad_input_on_the_page_is_shown_under_its_field(client, turku, coordinator):
    client.force_login(coordinator)
    dates = {"starts_on": (today() + timedelta(days=2)).isoformat(), "ends_on": today().isoformat()}
    answer = post(client, reverse("pauses:list"), {**dates, "message_fi": ""})
    assert answer.status_code == 400
    assert "Write the message in Finnish" in answer.text
    answer = post(client, reverse("pauses:list"), {**dates, "message_fi": MESSAGE})
    assert answer.status_code == 400
    assert "The last day cannot be before the first day." in answer.text
    assert not OrderingPause.objects.exists()


def test_a_warehouse_of_another_organisation_cannot_be_chosen_on_the_page(
    client, turku, coordinator
):
    client.force_login(coordinator)
    foreign = WarehouseFactory(organisation=other_organisation(7))
    answer = post(
        client,
        reverse("pauses:list"),
        {
            "warehouse": foreign.pk,
            "starts_on": today().isoformat(),
            "ends_on": today().isoformat(),
            "message_fi": MESSAGE,
        },
    )
    assert answer.status_code == 400
    assert not OrderingPause.objects.exists()


def test_the_page_is_for_coordinators_and_their_own_pauses(client, turku, coordinator):
    pause = paused(turku, 0, 1)
    client.force_login(member_of(turku))
    assert client.get(reverse("pauses:list"), **EN).status_code == 403
    assert post(client, reverse("pauses:end", args=[pause.pk])).status_code == 403
    client.force_login(member_of(other_organisation(8), [COORDINATOR]))
    assert post(client, reverse("pauses:end", args=[pause.pk])).status_code == 404
    assert MESSAGE not in client.get(reverse("pauses:list"), **EN).text
    pause.refresh_from_db()
    assert pause.ended_at is None


def test_the_catalogue_and_the_listing_show_the_pause_instead_of_the_reserve_form(client, turku):
    listing = ListingFactory()
    paused(turku, 0, 2)
    client.force_login(member_of(turku))
    catalogue = client.get(reverse("listings:catalogue"), **EN)
    assert "Ordering from Turku is paused until" in catalogue.text
    assert MESSAGE in catalogue.text
    detail = client.get(listing.get_absolute_url(), **EN)
    assert MESSAGE in detail.text
    assert "data-reserve-form" not in detail.text


def test_a_stale_reserve_form_posted_during_a_pause_is_refused_with_the_message(client, turku):
    listing = ListingFactory()
    user = member_of(turku, unit=UnitFactory())
    client.force_login(user)
    paused(turku)
    answer = post(
        client,
        reverse("reserve", args=[listing.pk]),
        {
            "quantity": 1,
            "handover": Reservation.Handover.PICKUP,
            "contact_name": "Testi",
            "contact_phone": "040 1",
            "seen_available": listing.quantity_available,
        },
    )
    assert answer.status_code == 409
    assert MESSAGE in answer.text
    assert not Reservation.objects.exists()


def test_the_catalogue_shows_no_pause_of_an_organisation_it_does_not_show(client, turku):
    paused(other_organisation(9))
    client.force_login(member_of(turku))
    assert MESSAGE not in client.get(reverse("listings:catalogue"), **EN).text


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_pages_come_in_each_language(client, turku, coordinator, language):
    pause = paused(turku, 0, 1, message_sv="Lagret flyttar.", message_en="The warehouse moves.")
    client.force_login(coordinator)
    page = client.get(reverse("pauses:list"), HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    assert f'lang="{language}"' in page.text
    catalogue = client.get(reverse("listings:catalogue"), HTTP_ACCEPT_LANGUAGE=language)
    expected = {"fi": MESSAGE, "sv": pause.message_sv, "en": pause.message_en}[language]
    assert expected in catalogue.text
