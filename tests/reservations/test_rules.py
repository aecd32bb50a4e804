"""The reservation rules as a whole: every transition, the database's own guards, the
waiting list wherever quantity comes back, reminders that catch up, and the locks."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from inventory import services as inventory_services
from kierratys import live
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from listings import services as listing_services
from listings.models import Listing
from reservations import services
from reservations.models import Reservation

from ..conftest import needs_postgres
from ..factories import ListingFactory, UserFactory, reserve, warehouse_with_slots
from ..support.threads import in_background

pytestmark = pytest.mark.django_db
Status = Reservation.Status
ALLOWED = {(start, to) for start, targets in Reservation.TRANSITIONS.items() for to in targets}


def refresh(*objects):
    for obj in objects:
        obj.refresh_from_db()


def reservation_in(status):
    """A reservation brought to `status` the way people get it there, and the owner."""
    listing = ListingFactory(quantity=3)
    owner = UserFactory(unit=listing.owner_unit)
    if status == Status.WAITING:
        holder = reserve(listing, quantity=3)
        waiting = reserve(listing, quantity=1, join_waiting_list=True)
        # Quantity freed while the listing is off the catalogue stays with the listing, so
        # the waiting reservation can still be moved by hand in this test.
        listing_services.listing_withdraw(actor=owner, listing_id=listing.pk)
        services.reservation_cancel(actor=holder.requested_by, reservation_id=holder.pk)
        refresh(waiting)
        return waiting, owner
    if status in (Status.REQUESTED, Status.DECLINED):  # the owner approves requests
        Listing.objects.filter(pk=listing.pk).update(owner_approves=True)
        listing.refresh_from_db()
    reservation = reserve(listing, quantity=1)
    if status == Status.DECLINED:
        services.reservation_decline(actor=owner, reservation_id=reservation.pk, reason="Ei")
    if status == Status.CANCELLED:
        services.reservation_cancel(actor=reservation.requested_by, reservation_id=reservation.pk)
    elif status == Status.COLLECTED:
        services.reservation_collect(actor=owner, reservation_id=reservation.pk)
    elif status == Status.EXPIRED:
        Reservation.objects.filter(pk=reservation.pk).update(
            collect_by=timezone.localdate() - timedelta(days=1)
        )
        services.reservations_expire()
    refresh(reservation)
    return reservation, owner


@pytest.mark.parametrize("to", Status.values)
@pytest.mark.parametrize("start", Status.values)
def test_every_transition_is_allowed_or_refused_as_the_table_says(start, to):
    reservation, owner = reservation_in(start)
    assert reservation.status == start
    listing = Listing.objects.get(pk=reservation.listing_id)
    before = (listing.quantity_available, listing.quantity_collected, listing.status)
    events_before = listing.events.count()

    def transition():
        with transaction.atomic():
            services.reservation_transition(
                reservation=Reservation.objects.get(pk=reservation.pk),
                listing=Listing.objects.select_for_update().get(pk=listing.pk),
                to=to,
                actor=owner,
                reason="Testi",
                collected=1 if to == Status.COLLECTED else 0,
            )

    if (start, to) in ALLOWED:
        transition()
        refresh(reservation)
        assert reservation.status == to
        event = listing.events.latest("pk")
        assert event.actor == owner
        assert (event.changes["from"], event.changes["to"]) == (start, to)
        return
    with pytest.raises(ValidationError) as error:
        transition()
    assert error.value.code == "illegal_transition"
    refresh(reservation, listing)
    assert reservation.status == start
    assert (listing.quantity_available, listing.quantity_collected, listing.status) == before
    assert listing.events.count() == events_before


@pytest.mark.parametrize(
    "change",
    [
        {"quantity_available": F("quantity") + 1},
        {"quantity_available": -1},
        {"quantity_collected": F("quantity")},  # while all of it is still available
        {"quantity_available": 0, "quantity_collected": 2, "quantity_disposed": 2},
    ],
    ids=["more-available-than-exist", "negative", "collected-and-available", "gone-twice"],
)
def test_the_database_refuses_impossible_quantities(change):
    listing = ListingFactory(quantity=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Listing.objects.filter(pk=listing.pk).update(**change)
    refresh(listing)
    assert (listing.quantity_available, listing.quantity_collected) == (3, 0)


def test_quantity_freed_while_withdrawn_goes_to_the_queue_when_relisted():
    listing = ListingFactory(quantity=2)
    owner = UserFactory(unit=listing.owner_unit)
    holder = reserve(listing, quantity=2)
    waiting = reserve(listing, quantity=1, join_waiting_list=True)
    listing_services.listing_withdraw(actor=owner, listing_id=listing.pk)
    services.reservation_cancel(actor=holder.requested_by, reservation_id=holder.pk)
    refresh(waiting)
    assert waiting.status == Status.WAITING
    listing_services.listing_publish(actor=owner, listing_id=listing.pk)
    refresh(waiting, listing)
    assert waiting.status == Status.ACTIVE and waiting.collect_by is not None
    assert listing.quantity_available == 1


def test_a_larger_quantity_goes_to_the_queue_first():
    listing = ListingFactory(quantity=2)
    owner = UserFactory(unit=listing.owner_unit)
    reserve(listing, quantity=2)
    waiting = reserve(listing, quantity=2, join_waiting_list=True)
    listing_services.listing_update(actor=owner, listing_id=listing.pk, fields={"quantity": 5})
    refresh(waiting, listing)
    assert waiting.status == Status.ACTIVE
    assert listing.quantity_available == 1


def test_when_everything_is_collected_the_queue_is_told_it_is_over(run_tasks):
    listing = ListingFactory(quantity=1, title="Sininen sohva")
    owner = UserFactory(unit=listing.owner_unit)
    holder = reserve(listing)
    waiting = reserve(listing, join_waiting_list=True)
    run_tasks()
    mail.outbox.clear()
    services.reservation_collect(actor=owner, reservation_id=holder.pk)
    refresh(waiting, listing)
    assert listing.status == Listing.Status.ARCHIVED
    assert waiting.status == Status.CANCELLED and waiting.reason
    run_tasks()
    assert waiting.requested_by.email in [m.to[0] for m in mail.outbox]


def test_promoted_unit_is_told_and_open_pages_get_one_final_quantity(
    run_tasks, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(live, "send_events", lambda events: sent.append(list(events)))
    listing = ListingFactory(quantity=3)
    holder = reserve(listing, quantity=3)
    first = reserve(listing, quantity=1, join_waiting_list=True)
    second = reserve(listing, quantity=1, join_waiting_list=True)
    run_tasks()
    mail.outbox.clear()
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reservation_cancel(actor=holder.requested_by, reservation_id=holder.pk)
    assert len(sent) == 1  # one send for the whole transaction
    listing_events = [data for _, event, data in sent[0] if event.startswith("listing.")]
    assert listing_events == [{"id": listing.pk, "status": "published", "quantity_available": 1}]
    promoted = {data["id"] for _, event, data in sent[0] if data.get("status") == "active"}
    assert promoted == {first.pk, second.pk}
    run_tasks()
    told = {m.to[0] for m in mail.outbox}
    assert {first.requested_by.email, second.requested_by.email} <= told


def test_disposed_items_leave_the_listing_and_the_rest_can_still_archive_it():
    warehouse, shelves, _ = warehouse_with_slots()
    keeper = UserFactory(roles=[WAREHOUSE])
    listing = ListingFactory(quantity=3, storage_location=shelves[0])
    task = inventory_services.disposal_request(
        actor=keeper, listing_id=listing.pk, quantity=1, reason="broken"
    )
    inventory_services.disposal_complete(actor=keeper, task_id=task.pk)
    refresh(listing)
    assert (listing.quantity_available, listing.quantity_disposed) == (2, 1)
    reservation = reserve(listing, quantity=2)
    refresh(listing)
    assert listing.quantity_reserved == 2  # disposed items are not counted as reserved
    services.reservation_collect(actor=keeper, reservation_id=reservation.pk)
    refresh(listing)
    assert listing.status == Listing.Status.ARCHIVED
    assert listing.events.filter(kind="archived").exists()


def test_a_missed_reminder_run_is_caught_up_but_never_twice(run_tasks):
    listing = ListingFactory(quantity=2)
    late = reserve(listing)
    today = timezone.localdate()
    Reservation.objects.filter(pk=late.pk).update(collect_by=today + timedelta(days=2))
    run_tasks()
    mail.outbox.clear()
    assert services.reservations_remind() == 1
    assert services.reservations_remind() == 0
    refresh(late)
    assert late.reminded_before_at is not None and late.reminded_due_at is None
    run_tasks()
    assert [m.to[0] for m in mail.outbox] == [late.requested_by.email]


def test_an_extension_re_arms_the_reminders():
    listing = ListingFactory()
    reservation = reserve(listing)
    owner = UserFactory(unit=listing.owner_unit)
    today = timezone.localdate()
    Reservation.objects.filter(pk=reservation.pk).update(collect_by=today + timedelta(days=3))
    assert services.reservations_remind() == 1
    services.reservation_extend(actor=owner, reservation_id=reservation.pk)
    assert services.reservations_remind() == 0  # ten days left now
    assert services.reservations_remind(today=today + timedelta(days=7)) == 1


@pytest.mark.parametrize("role", [COORDINATOR, WAREHOUSE])
def test_coordinators_and_the_warehouse_cancel_with_a_reason(role):
    _, shelves, _ = warehouse_with_slots()
    stored = ListingFactory(storage_location=shelves[0])
    reservation = reserve(stored)
    staff = UserFactory(roles=[role])
    with pytest.raises(ValidationError):
        services.reservation_cancel(actor=staff, reservation_id=reservation.pk)
    services.reservation_cancel(actor=staff, reservation_id=reservation.pk, reason="Rikki")
    refresh(reservation)
    assert reservation.status == Status.CANCELLED


def test_the_warehouse_cannot_cancel_what_stays_at_its_unit():
    reservation = reserve(ListingFactory())
    with pytest.raises(PermissionDenied):
        services.reservation_cancel(
            actor=UserFactory(roles=[WAREHOUSE]), reservation_id=reservation.pk, reason="x"
        )


def test_a_failed_reservation_email_is_queued_again(run_tasks, settings):
    from django_tasks_db.models import DBTaskResult

    from kierratys.common.tasks import send_email

    # A real SMTP client whose server refuses the connection (nothing listens on port 9).
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    listing = ListingFactory()
    reservation = reserve(listing)
    services.reservation_cancel(actor=reservation.requested_by, reservation_id=reservation.pk)
    run_tasks()
    retries = DBTaskResult.objects.filter(
        task_path=send_email.module_path, status="READY", run_after__gt=timezone.now()
    )
    assert retries.exists()
    assert all(r.args_kwargs["kwargs"]["attempt"] == 2 for r in retries)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_handing_over_does_not_wait_for_someone_editing_the_unit():
    """Only the listing and reservation rows are locked, never the unit or user joined in."""
    listing = ListingFactory(quantity=2)
    owner = UserFactory(unit=listing.owner_unit)
    reservation = reserve(listing)
    unit_locked, release = threading.Event(), threading.Event()

    def edit_unit():
        from kierratys.accounts.models import Unit

        with transaction.atomic():
            Unit.objects.select_for_update().get(pk=reservation.unit_id)
            unit_locked.set()
            release.wait(10)

    with in_background(edit_unit, release=release):
        assert unit_locked.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        services.reservation_collect(actor=owner, reservation_id=reservation.pk)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    refresh(reservation)
    assert reservation.status == Status.COLLECTED
