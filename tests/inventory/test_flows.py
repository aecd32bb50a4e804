from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory import services
from inventory.models import SlotDay, Task
from kierratys.accounts.roles import WAREHOUSE
from kierratys.common.submissions import new_token
from listings.models import Listing
from listings.services import listing_update
from reservations.models import Reservation

from ..factories import (
    ListingFactory,
    UserFactory,
    next_working_day,
    reserve,
    slot_for,
    warehouse_with_slots,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    warehouse, shelves, slots = warehouse_with_slots()
    driver = UserFactory(roles=[WAREHOUSE])
    return warehouse, shelves, slots, driver


def test_sofa_goes_to_the_warehouse_and_is_delivered_to_another_unit(setup, client):
    warehouse, shelves, slots, driver = setup
    sofa = ListingFactory(title="Sohva", quantity=1)
    owner = UserFactory(unit=sofa.owner_unit)

    intake = services.intake_request(actor=owner, listing_id=sofa.pk)
    with pytest.raises(ValidationError):
        services.intake_request(actor=owner, listing_id=sofa.pk)  # once is enough
    day = next_working_day()
    services.task_schedule(
        actor=driver, task_id=intake.pk, day=day, slot_id=slot_for(slots, day).pk
    )
    services.task_start(actor=driver, task_id=intake.pk, scanned_code=sofa.code)
    services.intake_shelve(actor=driver, task_id=intake.pk, location_id=shelves[0].pk)
    sofa.refresh_from_db()
    intake.refresh_from_db()
    assert intake.status == Task.Status.DONE
    assert sofa.storage_location == shelves[0]

    reserver = UserFactory()
    reservation = reserve(sofa, user=reserver, handover=Reservation.Handover.DELIVERY)
    delivery = services.delivery_book(
        actor=reserver, reservation_id=reservation.pk, slot_id=slot_for(slots, day).pk, day=day
    )
    assert delivery.status == Task.Status.SCHEDULED and delivery.to_unit == reserver.unit

    client.force_login(driver)
    sheet = client.get(
        reverse("inventory:run_sheet"), {"warehouse": warehouse.pk, "date": day.isoformat()}
    )
    assert (
        sofa.code in sheet.text
        and reserver.unit.name in sheet.text
        and shelves[0].code in sheet.text
    )
    assert "<svg" in sheet.text  # QR code per stop

    services.task_start(
        actor=driver, task_id=delivery.pk, scanned_code=f"https://x/listings/{sofa.pk}/"
    )
    services.delivery_complete(actor=driver, task_id=delivery.pk, scanned_code=sofa.code)
    reservation.refresh_from_db()
    sofa.refresh_from_db()
    assert reservation.status == Reservation.Status.COLLECTED
    assert sofa.status == Listing.Status.ARCHIVED
    kinds = list(sofa.events.order_by("pk").values_list("kind", flat=True))
    for kind in [
        "intake_requested",
        "task_scheduled",
        "task_started",
        "shelved",
        "reserved",
        "delivery_booked",
        "collected",
        "delivered",
    ]:
        assert kind in kinds


def test_slot_capacity_holidays_and_past_dates(setup):
    warehouse, shelves, slots, driver = setup
    day = next_working_day()
    slot = slot_for(slots, day)
    listing = ListingFactory(quantity=10)
    reservations = [reserve(listing, handover=Reservation.Handover.DELIVERY) for _ in range(3)]
    for reservation in reservations[:2]:
        services.delivery_book(
            actor=reservation.requested_by, reservation_id=reservation.pk, slot_id=slot.pk, day=day
        )
    with pytest.raises(ValidationError) as full:
        services.delivery_book(
            actor=reservations[2].requested_by,
            reservation_id=reservations[2].pk,
            slot_id=slot.pk,
            day=day,
        )
    assert full.value.error_dict["slot"][0].code == "slot_full"
    assert SlotDay.objects.get(slot=slot, date=day).deliveries_booked == 2
    independence_day = date(timezone.localdate().year + 1, 12, 6)
    with pytest.raises(ValidationError):
        services.delivery_book(
            actor=reservations[2].requested_by,
            reservation_id=reservations[2].pk,
            slot_id=slot_for(slots, independence_day).pk,
            day=independence_day,
        )
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError):
        services.delivery_book(
            actor=reservations[2].requested_by,
            reservation_id=reservations[2].pk,
            slot_id=slot_for(slots, yesterday).pk,
            day=yesterday,
        )
    assert not Task.objects.filter(reservation=reservations[2]).exists()
    # Cancelling a delivery frees its place.
    task = Task.objects.get(reservation=reservations[0])
    services.task_cancel(actor=driver, task_id=task.pk)
    services.delivery_book(
        actor=reservations[2].requested_by,
        reservation_id=reservations[2].pk,
        slot_id=slot.pk,
        day=day,
    )
    assert SlotDay.objects.get(slot=slot, date=day).deliveries_booked == 2


def test_scheduling_a_done_task_and_inactive_warehouse_shelves_are_refused(setup):
    warehouse, shelves, slots, driver = setup
    listing = ListingFactory()
    owner = UserFactory(unit=listing.owner_unit)
    task = services.intake_request(actor=owner, listing_id=listing.pk)
    day = next_working_day()
    services.task_schedule(actor=driver, task_id=task.pk, day=day)
    services.task_start(actor=driver, task_id=task.pk)
    closed, closed_shelves, _slots = warehouse_with_slots()
    closed.is_active = False
    closed.save()
    with pytest.raises(ValidationError):
        services.intake_shelve(actor=driver, task_id=task.pk, location_id=closed_shelves[0].pk)
    services.intake_shelve(actor=driver, task_id=task.pk, location_id=shelves[1].pk)
    with pytest.raises(ValidationError) as error:
        services.task_schedule(actor=driver, task_id=task.pk, day=day)
    assert error.value.code == "illegal_transition"


def test_disposal_never_touches_reserved_items(setup):
    warehouse, shelves, slots, driver = setup
    listing = ListingFactory(quantity=5, storage_location=shelves[0])
    reserve(listing, quantity=3)
    with pytest.raises(ValidationError):
        services.disposal_request(actor=driver, listing_id=listing.pk, quantity=3, reason="broken")
    task = services.disposal_request(
        actor=driver, listing_id=listing.pk, quantity=2, reason="broken"
    )
    services.disposal_complete(actor=driver, task_id=task.pk)
    listing.refresh_from_db()
    assert (
        listing.quantity_available == 0 and listing.status == Listing.Status.PUBLISHED
    )  # 3 still reserved
    event = listing.events.get(kind="disposed")
    assert event.changes["quantity"] == 2 and event.changes["reason"] == "broken"
    with pytest.raises(PermissionDenied):
        services.disposal_request(
            actor=UserFactory(), listing_id=listing.pk, quantity=1, reason="broken"
        )


def test_stocktake_records_discrepancies(setup, client):
    warehouse, shelves, slots, driver = setup
    full = ListingFactory(quantity=4, storage_location=shelves[0])
    short = ListingFactory(quantity=6, storage_location=shelves[0])
    client.force_login(driver)
    response = client.post(
        reverse("inventory:location", args=[shelves[0].pk]),
        {f"count_{full.pk}": 4, f"count_{short.pk}": 5},
    )
    assert response.status_code == 302
    assert not full.events.filter(kind="stocktake").exists()
    event = short.events.get(kind="stocktake")
    assert (event.changes["expected"], event.changes["counted"]) == (6, 5)


def test_warehouse_pages_are_for_warehouse_staff(setup, client):
    warehouse, shelves, slots, driver = setup
    listing = ListingFactory()
    task = services.intake_request(
        actor=UserFactory(unit=listing.owner_unit), listing_id=listing.pk
    )
    client.force_login(UserFactory())
    for url in [
        reverse("inventory:board"),
        reverse("inventory:run_sheet"),
        reverse("inventory:locations"),
        reverse("inventory:location", args=[shelves[0].pk]),
    ]:
        assert client.get(url).status_code == 403, url
    assert (
        client.post(reverse("inventory:task_action", args=[task.pk, "assign"])).status_code == 404
    )
    client.force_login(driver)
    assert client.get(reverse("inventory:board")).status_code == 200
    client.post(reverse("inventory:task_action", args=[task.pk, "assign"]))
    task.refresh_from_db()
    assert task.assigned_to == driver


def test_board_query_count_is_constant(setup, client):
    warehouse, shelves, slots, driver = setup
    client.force_login(driver)

    def queries():
        client.get(reverse("inventory:board"))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("inventory:board"))
        assert response.status_code == 200
        return len(captured)

    listing = ListingFactory()
    services.intake_request(actor=UserFactory(unit=listing.owner_unit), listing_id=listing.pk)
    one = queries()
    for _ in range(15):
        other = ListingFactory()
        services.intake_request(actor=UserFactory(unit=other.owner_unit), listing_id=other.pk)
    assert queries() == one


def test_bad_dates_on_the_board_do_not_break_it(setup, client):
    client.force_login(setup[3])
    response = client.get(
        reverse("inventory:board"), {"date": "not-a-date", "warehouse": "x", "kind": "??"}
    )
    assert response.status_code == 200


def test_owner_is_asked_about_expired_unreserved_listings_once(run_tasks):
    expired = ListingFactory(
        available_from=timezone.localdate() - timedelta(days=40),
        available_until=timezone.localdate() - timedelta(days=1),
    )
    reserved = ListingFactory(
        available_from=timezone.localdate() - timedelta(days=40),
        available_until=timezone.localdate() - timedelta(days=1),
    )
    Listing.objects.filter(pk=reserved.pk).update(quantity_available=F("quantity") - 1)
    assert services.listings_expiry_notify() == 1
    assert services.listings_expiry_notify() == 0
    run_tasks()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [expired.created_by.email]


def test_an_extended_listing_asks_its_owner_again_when_the_new_last_day_passes(run_tasks):
    today = timezone.localdate()
    listing = ListingFactory(
        available_from=today - timedelta(days=40), available_until=today - timedelta(days=1)
    )
    assert services.listings_expiry_notify() == 1
    listing_update(
        actor=listing.created_by,
        listing_id=listing.pk,
        fields={"available_until": today + timedelta(days=30)},
    )
    assert services.listings_expiry_notify(today=today + timedelta(days=31)) == 1
    run_tasks()
    assert len(mail.outbox) == 2


def test_delivery_booking_page(setup, client):
    warehouse, shelves, slots, driver = setup
    listing = ListingFactory()
    reserver = UserFactory()
    reservation = reserve(listing, user=reserver, handover=Reservation.Handover.DELIVERY)
    client.force_login(reserver)
    page = client.get(reverse("reservations:detail", args=[reservation.pk]))
    assert reverse("inventory:book_delivery", args=[reservation.pk]) in page.text
    form = client.get(reverse("inventory:book_delivery", args=[reservation.pk]))
    choice = form.context["form"].fields["choice"].choices[0][0]
    response = client.post(
        reverse("inventory:book_delivery", args=[reservation.pk]),
        {"choice": choice, "submission": new_token()},
    )
    assert response.status_code == 302
    assert Task.objects.get(reservation=reservation).kind == Task.Kind.DELIVERY
    bad = client.post(
        reverse("inventory:book_delivery", args=[reservation.pk]), {"choice": "1:2001-01-01"}
    )
    assert bad.status_code == 400
