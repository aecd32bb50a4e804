"""Real threads on PostgreSQL: the last chair goes to exactly one unit, under any load."""

import random
import threading

import pytest
from django.db import close_old_connections, connection

from listings.models import Listing
from reservations import services
from reservations.models import Reservation

from ..conftest import needs_postgres
from ..factories import ListingFactory, UserFactory, reserve
from ..support.threads import race

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]
THREADS = 32


class Racers:
    """32 long-lived threads (each keeps its connection) that race once per round.

    Each round every thread calls `attempt(user, stake)`; a NotEnoughAvailable is a lost
    race, anything else raised is an error the test asserts on.
    """

    def __init__(self, users, attempt):
        self.attempt = attempt
        self.start = threading.Barrier(len(users) + 1)
        self.done = threading.Barrier(len(users) + 1)
        self.stake = None
        self.stop = False
        self.won, self.errors = [], []
        self.threads = [threading.Thread(target=self._run, args=(u,)) for u in users]
        for thread in self.threads:
            thread.start()

    def _run(self, user):
        try:
            while True:
                self.start.wait(timeout=60)
                if self.stop:
                    return
                try:
                    self.attempt(user, self.stake)
                    self.won.append(user.pk)
                except services.NotEnoughAvailable:
                    pass
                except Exception as error:  # asserted on by the test
                    self.errors.append(error)
                self.done.wait(timeout=60)
        finally:
            connection.close()

    def race(self, stake):
        self.stake, self.won = stake, []
        self.start.wait(timeout=60)
        self.done.wait(timeout=60)  # a BrokenBarrierError here means a thread hung
        return self.won

    def close(self):
        self.stop = True
        self.start.wait(timeout=60)
        for thread in self.threads:
            thread.join(timeout=60)


def reserve_one(user, listing_id):
    services.reservation_create(
        actor=user, listing_id=listing_id, quantity=1, contact_name="x", contact_phone="1"
    )


def reserved_of(listing) -> int:
    return sum(Reservation.objects.filter(listing=listing).values_list("quantity", flat=True))


def test_32_threads_race_for_the_last_items_200_rounds():
    racers = Racers([UserFactory() for _ in range(THREADS)], reserve_one)
    rng = random.Random(7)
    oversold = 0
    try:
        for _ in range(200):
            stock = rng.randint(1, 4)
            listing = ListingFactory(quantity=stock)
            won = racers.race(listing.pk)
            listing.refresh_from_db()
            reserved = reserved_of(listing)
            oversold += max(0, reserved - stock)
            assert len(won) == stock == reserved
            assert listing.quantity_available == 0
    finally:
        racers.close()
    assert racers.errors == []
    assert oversold == 0
    close_old_connections()


def basket_of_three(user, listings):
    """Three of the round's listings, in an order of the thread's own, 1-3 of each."""
    rng = random.Random(user.pk * 7919 + listings[0].pk)
    services.basket_reserve(
        actor=user,
        items=[services.BasketItem(x.pk, rng.randint(1, 3)) for x in rng.sample(listings, 3)],
        contact_name="x",
        contact_phone="1",
    )


def test_competing_baskets_over_overlapping_listings_200_rounds():
    """Never a deadlock (a thread would hang or raise), never an oversell, all or nothing."""
    racers = Racers([UserFactory() for _ in range(THREADS)], basket_of_three)
    rng = random.Random(11)
    try:
        for _ in range(200):
            listings = [ListingFactory(quantity=rng.randint(3, 8)) for _ in range(5)]
            won = racers.race(listings)
            assert won, "someone must get a basket from fresh stock"
            for listing in Listing.objects.filter(pk__in=[x.pk for x in listings]):
                assert reserved_of(listing) + listing.quantity_available == listing.quantity
            # All or nothing: each winner holds exactly three reservations, losers none.
            per_unit = Reservation.objects.filter(listing__in=listings).values_list(
                "requested_by_id", flat=True
            )
            assert sorted(per_unit) == sorted(won * 3)
    finally:
        racers.close()
    assert racers.errors == []
    close_old_connections()


def test_expiry_job_twice_in_parallel_expires_each_once():
    from datetime import timedelta

    from django.utils import timezone

    listings = [ListingFactory(quantity=2) for _ in range(10)]
    for listing in listings:
        reserve(listing, quantity=2)
    Reservation.objects.update(collect_by=timezone.localdate() - timedelta(days=1))
    counts, errors = race([services.reservations_expire] * 2)
    assert errors == []
    counts.append(services.reservations_expire())  # a later run picks up anything skipped
    assert sum(counts) == 10
    assert set(Reservation.objects.values_list("status", flat=True)) == {Reservation.Status.EXPIRED}
    assert set(
        Listing.objects.filter(pk__in=[x.pk for x in listings]).values_list(
            "quantity_available", flat=True
        )
    ) == {2}
    assert sum(x.events.filter(kind="expired").count() for x in listings) == 10


def test_owner_sweeps_in_parallel_tell_each_owner_once():
    from django_tasks_db.models import DBTaskResult

    from reservations import notify

    listings = [ListingFactory() for _ in range(150)]  # more than one sweep batch
    for listing in listings:
        reserve(listing)
    DBTaskResult.objects.all().delete()  # the sweeps queued after each commit
    counts, errors = race([notify.notify_owners.call] * 3)
    assert errors == []
    assert sum(counts) == 150
    assert not Reservation.objects.filter(owner_notified_at__isnull=True).exists()
    emails = DBTaskResult.objects.filter(task_path__endswith="send_email")
    recipients = [task.args_kwargs["kwargs"]["to"] for task in emails]
    assert sorted(recipients) == sorted(x.created_by.email for x in listings)


def test_a_sold_out_listing_says_so_at_once_while_someone_holds_it():
    """Refusing needs no lock: while another transaction holds the listing (an owner
    saving an edit, a cancel giving pieces back), a unit asking for a sold-out item is told
    at once instead of queueing behind it."""
    listing = ListingFactory(quantity=1)
    reserve(listing, user=UserFactory(), quantity=1)
    locked, release, released = threading.Event(), threading.Event(), threading.Event()

    def hold():
        from django.db import transaction

        from reservations.locks import listing_lock

        try:
            with transaction.atomic():
                listing_lock(listing.pk)
                locked.set()
                release.wait(timeout=5)
            released.set()
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=5)
        with pytest.raises(services.NotEnoughAvailable):
            reserve(listing, user=UserFactory(), quantity=1)
        assert not released.is_set(), "the refusal waited for the other transaction"
    finally:
        release.set()
        holder.join()
