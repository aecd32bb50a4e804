"""Odd numbers, dates and ids from users are a clear answer (404, a message), never a 500."""

import pytest
from django.urls import reverse

from inventory.models import Task
from kierratys.accounts.roles import WAREHOUSE
from kierratys.common import inputs
from kierratys.common.submissions import new_token
from reservations.models import Reservation

from ..factories import ListingFactory, TaskFactory, UserFactory, warehouse_with_slots

pytestmark = pytest.mark.django_db

# Unicode digits that str.isdigit() and int() accept, huge ints, and other near-numbers.
ODD_IDS = [
    "²",
    "٣",
    "１",
    "1²",
    "٣٣",
    "99999999999999999999",
    "9223372036854775808",
    "9" * 5000,
    "-1",
    "0",
    "1e3",
    "0x1",
    "1.0",
    " ",
    "\x00",
    "1\x00",
    "",
]
HUGE = "99999999999999999999"


@pytest.fixture
def lister(client):
    listing = ListingFactory()
    client.raise_request_exception = True
    client.force_login(listing.created_by)
    return listing


def test_copy_and_labels_with_odd_ids(client, lister):
    for value in ODD_IDS:
        page = client.get(reverse("listings:create"), {"copy": value})
        assert page.status_code == 200
        assert page.context["form"].initial.get("title") in (None, "")
        labels = client.get(reverse("listings:labels"), {"ids": f"{value},{value}"})
        assert labels.status_code == 302 and labels["Location"] == reverse("listings:mine")
        mixed = client.get(reverse("listings:labels"), {"ids": f"{value},{lister.pk}", "id": value})
        assert mixed.status_code == 200 and lister.code in mixed.text
    # plain ids still work
    page = client.get(reverse("listings:create"), {"copy": str(lister.pk)})
    assert page.context["form"].initial["title"] == lister.title
    labels = client.get(reverse("listings:labels"), {"ids": f" {lister.pk} ,x"})
    assert labels.status_code == 200 and lister.code in labels.text


def test_missing_and_impossible_listings_are_not_found(client):
    warehouse_with_slots()
    client.raise_request_exception = True
    client.force_login(UserFactory(roles=[WAREHOUSE]))
    for name in ("inventory:send", "inventory:dispose"):
        for pk in (424242, 1):
            response = client.post(
                reverse(name, args=[pk]),
                {"quantity": "1", "reason": "broken", "submission": new_token()},
            )
            assert response.status_code == 404, (name, pk)
    for name in ["listings:detail", "listings:edit", "listings:label", "listings:card", "reserve"]:
        for pk in (HUGE, "9223372036854775808", "9" * 400):
            url = reverse(name, args=[1]).replace("/1/", f"/{pk}/")
            assert client.get(url).status_code == 404, url


def test_run_sheet_and_task_actions_with_odd_values(client):
    warehouse, _shelves, _slots = warehouse_with_slots()
    driver = UserFactory(roles=[WAREHOUSE])
    client.raise_request_exception = True
    client.force_login(driver)
    listing = ListingFactory()
    for value in ODD_IDS:
        task = TaskFactory(warehouse=warehouse, listing=listing, created_by=driver)
        sheet = client.get(reverse("inventory:run_sheet"), {"warehouse": value, "date": value})
        assert sheet.status_code == 200  # the first warehouse, today
        for action, data in [
            ("schedule", {"date": value, "slot": value}),
            ("schedule", {"date": "٢٠٣٠-٠١-٠١"}),
            ("shelve", {"location": value}),
            # next=foo (a name, not a URL) made the redirect itself fail
            ("cancel", {"reason": value, "next": "foo"}),
        ]:
            response = client.post(reverse("inventory:task_action", args=[task.pk, action]), data)
            assert response.status_code == 302, (action, data)
        task.refresh_from_db()
        assert task.status == Task.Status.CANCELLED and task.to_location_id is None


def test_basket_quantities_with_odd_values(client):
    listing = ListingFactory(quantity=5)
    client.raise_request_exception = True
    client.force_login(UserFactory())
    for value in ODD_IDS:
        response = client.post(
            reverse("reservations:basket_add", args=[listing.pk]), {"quantity": value}
        )
        assert response.status_code == 302
        assert 1 <= client.session["basket"][str(listing.pk)] <= 999
        page = client.post(
            reverse("reservations:basket"),
            {
                f"quantity_{listing.pk}": value,
                "handover": "pickup",
                "contact_name": "R",
                "contact_phone": "040",
                "submission": new_token(),
            },
        )
        assert page.status_code in (400, 409), value
        assert not Reservation.objects.exists()


def test_the_id_parser():
    assert inputs.positive_id("42") == 42
    assert inputs.positive_id(" 42 ") == 42
    assert inputs.positive_id(str(inputs.MAX_ID)) == inputs.MAX_ID
    for value in [*ODD_IDS, None, str(inputs.MAX_ID + 1), True, 0, -3]:
        assert inputs.positive_id(value) is None, value
    assert inputs.positive_ids(["1,²,2", "2", "٣"], limit=10) == [1, 2]
    assert inputs.positive_ids([",".join(map(str, range(1, 500)))], limit=3) == [1, 2, 3]
    assert inputs.iso_date("２０２４-01-01") is None and inputs.iso_date("2024-02-30") is None
    assert inputs.bounded_int("١", low=1, high=9, default=1) == 1
    assert inputs.bounded_int(HUGE, low=1, high=999) is None
    assert inputs.bounded_int("-7", low=0, high=9) == 0
