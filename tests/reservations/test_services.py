from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation

from kierratys.accounts.roles import WAREHOUSE
from listings.models import Listing
from reservations import notify, services
from reservations.models import Reservation

from ..factories import ListingFactory, StorageLocationFactory, UserFactory, reserve
from ..support.live import capture_published

pytestmark = pytest.mark.django_db
Status = Reservation.Status


def refresh(*objects):
    for obj in objects:
        obj.refresh_from_db()


def test_reserving_takes_quantity_and_records_history():
    listing = ListingFactory(quantity=5)
    reservation = reserve(listing, quantity=2)
    refresh(listing)
    assert reservation.status == Status.ACTIVE
    assert listing.quantity_available == 3
    assert reservation.collect_by == timezone.localdate() + timedelta(days=14)
    event = listing.events.get(kind="reserved")
    assert event.changes["quantity"] == 2 and event.actor == reservation.requested_by


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ({"status": "draft", "published_at": None}, "not_published"),
        ({"status": "withdrawn"}, "not_published"),
        ({"status": "archived"}, "not_published"),
        ({"available_from": timezone.localdate() + timedelta(days=3)}, "outside_window"),
    ],
)
def test_unreservable_listings_are_refused(setup, code):
    listing = ListingFactory(**setup)
    with pytest.raises(ValidationError) as error:
        reserve(listing)
    assert error.value.code == code
    refresh(listing)
    assert listing.quantity_available == listing.quantity
    assert not Reservation.objects.exists()


@pytest.mark.parametrize("quantity", [0, -1, 1000])
def test_absurd_quantities_are_refused(quantity):
    listing = ListingFactory(quantity=5)
    with pytest.raises(ValidationError):
        reserve(listing, quantity=quantity)
    assert not Reservation.objects.exists()


def test_a_unit_cannot_reserve_its_own_listing():
    listing = ListingFactory()
    with pytest.raises(ValidationError) as error:
        reserve(listing, user=UserFactory(unit=listing.owner_unit))
    assert error.value.code == "own_item"


def test_more_than_available_is_a_conflict_unless_joining_the_queue():
    listing = ListingFactory(quantity=3)
    reserve(listing, quantity=2)
    with pytest.raises(services.NotEnoughAvailable):
        reserve(listing, quantity=2)
    waiting = reserve(listing, quantity=2, join_waiting_list=True)
    assert waiting.status == Status.WAITING and waiting.collect_by is None
    refresh(listing)
    assert listing.quantity_available == 1


def test_waiting_list_for_more_than_exists_is_refused():
    listing = ListingFactory(quantity=3)
    with pytest.raises(ValidationError):
        reserve(listing, quantity=4, join_waiting_list=True)


def test_past_wanted_date_is_refused():
    with pytest.raises(ValidationError):
        reserve(ListingFactory(), wanted_date=timezone.localdate() - timedelta(days=1))


def test_cancel_gives_quantity_back_and_promotes_the_first_that_fits():
    listing = ListingFactory(quantity=4)
    holder = reserve(listing, quantity=4)
    big = reserve(listing, quantity=3, join_waiting_list=True)
    small = reserve(listing, quantity=1, join_waiting_list=True)
    services.reservation_cancel(actor=holder.requested_by, reservation_id=holder.pk)
    refresh(listing, holder, big, small)
    assert holder.status == Status.CANCELLED
    assert (big.status, small.status) == (Status.ACTIVE, Status.ACTIVE)
    assert listing.quantity_available == 0
    assert big.collect_by is not None
    kinds = list(listing.events.values_list("kind", flat=True))
    assert kinds.count("promoted") == 2 and "cancelled" in kinds


def test_promotion_skips_those_that_do_not_fit():
    listing = ListingFactory(quantity=3)
    holder = reserve(listing, quantity=1)
    reserve(listing, quantity=2)
    big = reserve(listing, quantity=3, join_waiting_list=True)
    small = reserve(listing, quantity=1, join_waiting_list=True)
    services.reservation_cancel(actor=holder.requested_by, reservation_id=holder.pk)
    refresh(big, small)
    assert (big.status, small.status) == (Status.WAITING, Status.ACTIVE)


def test_every_forbidden_transition_is_refused():
    listing = ListingFactory(quantity=5)
    owner = UserFactory(unit=listing.owner_unit)
    cancelled = reserve(listing)
    services.reservation_cancel(actor=cancelled.requested_by, reservation_id=cancelled.pk)
    with pytest.raises(ValidationError) as error:
        services.reservation_collect(actor=owner, reservation_id=cancelled.pk)
    assert error.value.code == "illegal_transition"
    collected = reserve(listing)
    services.reservation_collect(actor=owner, reservation_id=collected.pk)
    for action in (
        lambda: services.reservation_cancel(
            actor=collected.requested_by, reservation_id=collected.pk
        ),
        lambda: services.reservation_collect(actor=owner, reservation_id=collected.pk),
    ):
        with pytest.raises(ValidationError):
            action()
    waiting = reserve(ListingFactory(quantity=1, quantity_available=0), join_waiting_list=True)
    with pytest.raises(ValidationError):
        services.reservation_transition(
            reservation=waiting, listing=waiting.listing, to=Status.COLLECTED, actor=owner
        )
    with pytest.raises(ValidationError):
        services.reservation_transition(
            reservation=waiting, listing=waiting.listing, to=Status.EXPIRED, actor=owner
        )
    refresh(listing)
    assert listing.quantity_available == 4  # one collected, nothing else moved


def test_collect_partially_returns_the_rest_and_archives_when_all_gone():
    listing = ListingFactory(quantity=5)
    owner = UserFactory(unit=listing.owner_unit)
    first = reserve(listing, quantity=3)
    services.reservation_collect(actor=owner, reservation_id=first.pk, quantity=2)
    refresh(listing, first)
    assert (first.status, first.quantity_collected) == (Status.COLLECTED, 2)
    assert (listing.quantity_collected, listing.quantity_available) == (2, 3)
    rest = reserve(listing, quantity=3)
    services.reservation_collect(actor=owner, reservation_id=rest.pk, scanned_code=listing.code)
    refresh(listing)
    assert listing.quantity_collected == 5
    assert listing.status == Listing.Status.ARCHIVED
    assert listing.events.filter(kind="archived").exists()


def test_scanning_the_wrong_label_is_refused():
    listing = ListingFactory()
    other = ListingFactory()
    reservation = reserve(listing)
    owner = UserFactory(unit=listing.owner_unit)
    with pytest.raises(ValidationError):
        services.reservation_collect(
            actor=owner,
            reservation_id=reservation.pk,
            scanned_code=f"http://x/listings/{other.pk}/",
        )
    with translation.override("en"):  # the note is written in the actor's language
        services.reservation_collect(
            actor=owner,
            reservation_id=reservation.pk,
            scanned_code=f"https://k.example/listings/{listing.pk}/",
        )
    refresh(reservation)
    assert reservation.status == Status.COLLECTED
    assert "scanning" in listing.events.get(kind="collected").note


def test_only_the_owner_side_hands_over_and_extends():
    listing = ListingFactory()
    reservation = reserve(listing)
    for stranger in (reservation.requested_by, UserFactory(), UserFactory(roles=[WAREHOUSE])):
        with pytest.raises(PermissionDenied):
            services.reservation_collect(actor=stranger, reservation_id=reservation.pk)
        with pytest.raises(PermissionDenied):
            services.reservation_extend(actor=stranger, reservation_id=reservation.pk)
    with pytest.raises(PermissionDenied):
        services.reservation_cancel(actor=UserFactory(), reservation_id=reservation.pk)
    refresh(reservation)
    assert reservation.status == Status.ACTIVE


def test_warehouse_hands_over_stored_items():
    listing = ListingFactory(storage_location=StorageLocationFactory())
    reservation = reserve(listing)
    services.reservation_collect(
        actor=UserFactory(roles=[WAREHOUSE]), reservation_id=reservation.pk
    )
    refresh(reservation)
    assert reservation.status == Status.COLLECTED


def test_owner_cancelling_must_say_why():
    listing = ListingFactory()
    reservation = reserve(listing)
    owner = UserFactory(unit=listing.owner_unit)
    with pytest.raises(ValidationError):
        services.reservation_cancel(actor=owner, reservation_id=reservation.pk)
    services.reservation_cancel(actor=owner, reservation_id=reservation.pk, reason="Rikki")
    refresh(reservation)
    assert reservation.status == Status.CANCELLED and reservation.reason == "Rikki"


def test_extend_once():
    listing = ListingFactory()
    reservation = reserve(listing)
    owner = UserFactory(unit=listing.owner_unit)
    old = reservation.collect_by
    services.reservation_extend(actor=owner, reservation_id=reservation.pk)
    refresh(reservation)
    assert reservation.collect_by == old + timedelta(days=7)
    with pytest.raises(ValidationError):
        services.reservation_extend(actor=owner, reservation_id=reservation.pk)


def test_basket_is_all_or_nothing():
    chairs = ListingFactory(quantity=20)
    tables = ListingFactory(quantity=5)
    user = UserFactory()
    details = {"contact_name": "Rasmus", "contact_phone": "040 1"}
    reservations = services.basket_reserve(
        actor=user,
        items=[services.BasketItem(chairs.pk, 20), services.BasketItem(tables.pk, 5)],
        **details,
    )
    assert len(reservations) == 2
    refresh(chairs, tables)
    assert (chairs.quantity_available, tables.quantity_available) == (0, 0)

    more_chairs = ListingFactory(quantity=20)
    few_tables = ListingFactory(quantity=2)
    with pytest.raises(services.NotEnoughAvailable) as error:
        services.basket_reserve(
            actor=user,
            items=[services.BasketItem(more_chairs.pk, 20), services.BasketItem(few_tables.pk, 5)],
            **details,
        )
    assert few_tables.title in " ".join(error.value.messages)
    refresh(more_chairs, few_tables)
    assert (more_chairs.quantity_available, few_tables.quantity_available) == (20, 2)
    assert Reservation.objects.count() == 2


def test_expiry_gives_back_promotes_and_is_idempotent():
    listing = ListingFactory(quantity=2)
    old = reserve(listing, quantity=2)
    waiting = reserve(listing, quantity=1, join_waiting_list=True)
    Reservation.objects.filter(pk=old.pk).update(
        collect_by=timezone.localdate() - timedelta(days=1)
    )
    assert services.reservations_expire() == 1
    assert services.reservations_expire() == 0
    refresh(old, waiting, listing)
    assert old.status == Status.EXPIRED
    assert waiting.status == Status.ACTIVE
    assert listing.quantity_available == 1
    assert listing.events.filter(kind="expired").exists()


def test_reminders_three_days_before_and_on_the_day_once_each(run_tasks):
    listing = ListingFactory(quantity=3)
    soon = reserve(listing)
    due = reserve(listing)
    today = timezone.localdate()
    Reservation.objects.filter(pk=soon.pk).update(collect_by=today + timedelta(days=3))
    Reservation.objects.filter(pk=due.pk).update(collect_by=today)
    run_tasks()
    mail.outbox.clear()
    assert services.reservations_remind() == 2
    assert services.reservations_remind() == 0
    run_tasks()
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2


def test_emails_go_out_only_after_commit(run_tasks, django_capture_on_commit_callbacks):
    listing = ListingFactory()
    with (
        capture_published() as sends,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        reserve(listing)
        raise RuntimeError("rolled back")
    assert sends == []  # no live event either
    run_tasks()
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        reserve(listing)
    run_tasks()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [listing.created_by.email]


def owner_sweeps_queued() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=notify.notify_owners.module_path).count()


def test_one_sweep_tells_the_owners_of_reservations_made_close_together(
    run_tasks, settings, django_capture_on_commit_callbacks
):
    settings.RESERVATION_OWNER_NOTIFY_SECONDS = 30
    notify._SweepClock.covered_until = 0.0
    listings = ListingFactory.create_batch(3)
    for listing in listings:
        with django_capture_on_commit_callbacks(execute=True):
            reserve(listing)
    assert owner_sweeps_queued() == 1  # not one task per reservation
    run_tasks()
    assert mail.outbox == []  # the sweep waits its 30 seconds
    assert notify.notify_owners.call() == 3
    assert notify.notify_owners.call() == 0  # each owner is told once
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(x.created_by.email for x in listings)


def test_periodic_jobs_tell_owners_whose_sweep_was_never_queued(run_tasks):
    from django.core.management import call_command

    listing = ListingFactory()
    reserve(listing)  # no commit in this test: as if the process died right after it
    assert owner_sweeps_queued() == 0
    call_command("periodic_jobs", verbosity=0)
    run_tasks()
    assert [m.to for m in mail.outbox] == [[listing.created_by.email]]


def test_owners_hear_of_active_reservations_not_of_waiting_ones(run_tasks):
    listing = ListingFactory(quantity=1)
    reserve(listing)
    reserve(listing, join_waiting_list=True)
    assert notify.notify_owners.call() == 1
    run_tasks()
    assert len(mail.outbox) == 1


def test_a_mail_failure_never_fails_the_reservation(run_tasks, settings):
    # A real SMTP client whose server refuses the connection (nothing listens on port 9).
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    listing = ListingFactory()
    reservation = reserve(listing)
    run_tasks()
    refresh(reservation)
    assert reservation.status == Status.ACTIVE
