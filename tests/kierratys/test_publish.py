"""One way to publish: every event of a transaction leaves in one send after commit,
nothing on rollback, and a keyed event (a listing's figures) once, with its final values."""

import pytest
from django.db import transaction

from inventory import services as inventory_services
from kierratys import live
from kierratys.accounts.roles import WAREHOUSE
from listings.models import Listing
from reservations import services as reservation_services
from reservations.models import Reservation

from ..factories import ListingFactory, UserFactory, next_working_day, reserve, warehouse_with_slots
from ..support.live import capture_published

pytestmark = pytest.mark.django_db(transaction=True)


def names(send):
    return [event for _groups, event, _data in send]


def test_a_transactions_events_leave_together_after_commit():
    with capture_published() as sends, transaction.atomic():
        live.publish(["a"], "one", {"n": 1})
        live.publish(["b"], "two", {"n": 2})
        assert sends == []  # nothing before commit
    assert sends == [[(["a"], "one", {"n": 1}), (["b"], "two", {"n": 2})]]


def test_nothing_leaves_on_rollback_and_a_rolled_back_savepoint_takes_only_its_own():
    with capture_published() as sends:
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            live.publish(["a"], "lost", {})
            raise ZeroDivisionError
        assert sends == []
        with transaction.atomic():
            live.publish(["a"], "kept", {})
            with pytest.raises(ZeroDivisionError), transaction.atomic():
                live.publish(["a"], "dropped", {})
                raise ZeroDivisionError
            live.publish(["a"], "after", {})
    assert [names(send) for send in sends] == [["kept", "after"]]


def test_the_first_event_in_a_rolled_back_savepoint_does_not_stop_the_rest():
    with capture_published() as sends, transaction.atomic():
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            live.publish(["a"], "dropped", {})
            raise ZeroDivisionError
        live.publish(["a"], "kept", {})
    assert [names(send) for send in sends] == [["kept"]]


def test_a_keyed_event_is_sent_once_with_its_last_values():
    with capture_published() as sends, transaction.atomic():
        live.publish(["c"], "listing.changed", {"q": 3}, key="listing:1")
        live.publish(["c"], "other", {})
        live.publish(["c"], "listing.changed", {"q": 1}, key="listing:1")
    assert sends == [[(["c"], "other", {}), (["c"], "listing.changed", {"q": 1})]]


def test_outside_a_transaction_an_event_leaves_at_once():
    with capture_published() as sends:
        live.publish(["a"], "now", {})
    assert [names(send) for send in sends] == [["now"]]


def test_a_cancel_that_promotes_the_queue_announces_the_listing_once_with_its_final_quantity():
    listing = ListingFactory(quantity=3)
    first = reserve(listing, quantity=3)
    queued = [reserve(listing, quantity=1, join_waiting_list=True) for _ in range(2)]
    with capture_published() as sends:
        reservation_services.reservation_cancel(
            actor=first.requested_by, reservation_id=first.pk, reason="Not needed"
        )
    assert len(sends) == 1
    listing_events = [e for e in sends[0] if e[1].startswith("listing.")]
    assert listing_events == [
        (
            [live.organisation_group(listing.organisation_id)],
            "listing.changed",
            {"id": listing.pk, "status": Listing.Status.PUBLISHED, "quantity_available": 1},
        )
    ]
    changed = sorted(d["id"] for _g, e, d in sends[0] if e == "reservation.changed")
    assert changed == sorted([first.pk, *(r.pk for r in queued)])
    assert Reservation.objects.filter(status=Reservation.Status.ACTIVE).count() == 2


def test_a_delivery_handed_over_is_one_send():
    warehouse, shelves, slots = warehouse_with_slots()
    driver = UserFactory(roles=[WAREHOUSE])
    sofa = ListingFactory(quantity=1)
    reserver = UserFactory()
    reservation = reserve(sofa, user=reserver, handover="delivery")
    day = next_working_day()
    slot = next(s for s in slots if s.weekday == day.weekday())
    delivery = inventory_services.delivery_book(
        actor=reserver, reservation_id=reservation.pk, slot_id=slot.pk, day=day
    )
    inventory_services.task_start(actor=driver, task_id=delivery.pk, scanned_code=sofa.code)
    with capture_published() as sends:
        inventory_services.delivery_complete(
            actor=driver, task_id=delivery.pk, scanned_code=sofa.code
        )
    assert len(sends) == 1
    assert sorted(names(sends[0])) == ["listing.removed", "reservation.changed", "task.changed"]
