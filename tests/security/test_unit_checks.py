"""A user without a unit never matches an object without a unit (None == None is no match)."""

import pytest
from django.urls import reverse

from inventory.models import Task
from kierratys.accounts.roles import belongs_to_unit
from listings.models import Listing
from reservations.models import Reservation

from ..factories import (
    ListingFactory,
    TaskFactory,
    UserFactory,
    reserve,
    warehouse_with_slots,
)

pytestmark = pytest.mark.django_db

TASK_ACTIONS = ["assign", "schedule", "start", "shelve", "deliver", "dispose", "cancel", "problem"]


@pytest.fixture
def unitless(client):
    user = UserFactory(unit=None)
    client.force_login(user)
    return user


@pytest.fixture
def orphan_tasks():
    """Tasks of every kind whose from and to units are empty, one with a reserver's contact."""
    warehouse, shelves, _slots = warehouse_with_slots()
    other_warehouse, _other_shelves, _ = warehouse_with_slots()
    listing = ListingFactory(quantity=4)
    reservation = reserve(
        listing,
        handover=Reservation.Handover.DELIVERY,
        contact_name="Salainen Saara",
        contact_phone="040 999 8877",
    )
    tasks = [
        TaskFactory(
            kind=kind,
            warehouse=warehouse,
            listing=listing,
            reservation=reservation if kind == Task.Kind.DELIVERY else None,
            **(
                {"from_location": shelves[0], "to_warehouse": other_warehouse}
                if kind == Task.Kind.TRANSFER
                else {}
            ),
        )
        for kind in Task.Kind
    ]
    assert all(t.from_unit_id is None and t.to_unit_id is None for t in tasks)
    return tasks


def test_task_pages_of_unitless_tasks_are_404_for_a_unitless_user(client, unitless, orphan_tasks):
    for task in orphan_tasks:
        page = client.get(reverse("inventory:task", args=[task.pk]))
        assert page.status_code == 404, task.kind
        assert "Salainen Saara" not in page.text and "040 999 8877" not in page.text


def test_task_actions_on_unitless_tasks_are_404_and_change_nothing(client, unitless, orphan_tasks):
    for task in orphan_tasks:
        for action in TASK_ACTIONS:
            response = client.post(
                reverse("inventory:task_action", args=[task.pk, action]),
                {"reason": "x", "problem": "x", "date": "2030-01-02"},
            )
            assert response.status_code == 404, (task.kind, action)
        task.refresh_from_db()
        assert task.status == Task.Status.OPEN and task.assigned_to_id is None
        assert task.problem == ""


def test_unitless_user_sees_no_one_elses_reservation_or_listing(client, unitless):
    listing = ListingFactory(status=Listing.Status.DRAFT)
    reservation = reserve(ListingFactory(), handover=Reservation.Handover.DELIVERY)
    for url in [
        reverse("reservations:detail", args=[reservation.pk]),
        reverse("reservations:slip", args=[reservation.pk]),
        reverse("reservations:handover", args=[reservation.pk]),
        reverse("inventory:book_delivery", args=[reservation.pk]),
        reverse("listings:edit", args=[listing.pk]),
        reverse("listings:detail", args=[listing.pk]),
        reverse("listings:label", args=[listing.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("reservations:cancel", args=[reservation.pk]),
        reverse("reservations:extend", args=[reservation.pk]),
        reverse("inventory:send", args=[listing.pk]),
        reverse("listings:publish", args=[listing.pk]),
    ]:
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.ACTIVE and not reservation.extended


def test_the_membership_rule_never_matches_a_missing_unit():
    with_unit, without = UserFactory(), UserFactory(unit=None)
    assert belongs_to_unit(with_unit, with_unit.unit_id)
    assert not belongs_to_unit(with_unit, None)
    assert not belongs_to_unit(without, None)
    assert not belongs_to_unit(without, with_unit.unit_id)
    assert not belongs_to_unit(with_unit, with_unit.unit_id + 1)
