"""Every `next` goes through kierratys.common.redirects: never off-site, never a 500."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from inventory.models import Task
from kierratys.accounts.roles import WAREHOUSE
from kierratys.common.redirects import safe_next

from ..factories import (
    ListingFactory,
    TaskFactory,
    UserFactory,
    reserve,
    warehouse_with_slots,
)

pytestmark = pytest.mark.django_db

HOSTILE = [
    "//evil.example",
    "https://evil.example",
    "http://evil.example/listings/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "foo",
    "listings:catalogue",
    "  //evil.example",
    "\t//evil.example",
    "/%2F%2Fevil.example",
    "///evil.example",
    "https:evil.example",
    "/ok\r\nSet-Cookie: x=1",
    "/ok\x00",
    "",
]


def assert_on_site(response, fallback):
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert "evil" not in location.split("?")[0].replace("%2F%2Fevil.example", "") or (
        location == "/%2F%2Fevil.example"
    )
    if fallback is not None:
        assert location in (fallback, "/%2F%2Fevil.example")


@pytest.fixture
def task(client):
    warehouse, _, _ = warehouse_with_slots()
    listing = ListingFactory()
    driver = UserFactory(roles=[WAREHOUSE])
    client.force_login(driver)
    return TaskFactory(
        kind=Task.Kind.DISPOSAL, warehouse=warehouse, listing=listing, created_by=driver
    )


def test_task_actions_never_leave_the_site(client, task):
    for target in HOSTILE:
        response = client.post(
            reverse("inventory:task_action", args=[task.pk, "problem"]),
            {"problem": "Jalka irti", "next": target},
        )
        assert_on_site(response, task.get_absolute_url())
    board = reverse("inventory:board") + "?kind=disposal"
    response = client.post(
        reverse("inventory:task_action", args=[task.pk, "assign"]), {"next": board}
    )
    assert response.status_code == 302 and response["Location"] == board


def test_reservation_actions_and_basket_never_leave_the_site(client, task):
    listing = ListingFactory(quantity=len(HOSTILE) + 1)
    for target in HOSTILE:
        reservation = reserve(listing)  # each extended once
        client.force_login(listing.created_by)
        response = client.post(
            reverse("reservations:extend", args=[reservation.pk]), {"next": target}
        )
        assert_on_site(response, reverse("reservations:detail", args=[reservation.pk]))
        client.force_login(UserFactory())
        response = client.post(
            reverse("reservations:basket_add", args=[listing.pk]),
            {"quantity": "1", "next": target},
        )
        assert_on_site(response, reverse("reservations:basket"))
        # and the task pages, which had no check of their own before
        client.force_login(task.created_by)
        response = client.post(
            reverse("inventory:task_action", args=[task.pk, "problem"]),
            {"problem": "x", "next": target},
        )
        assert_on_site(response, task.get_absolute_url())


@pytest.mark.parametrize("secure", [False, True])
def test_the_rule_itself(secure):
    request = RequestFactory().post("/", secure=secure)
    for target in HOSTILE:
        if target == "/%2F%2Fevil.example":
            assert safe_next(request, target) == target  # a path on this site
        else:
            assert safe_next(request, target) is None, target
    assert safe_next(request, "/reservations/?page=2") == "/reservations/" + "?page=2"
    assert safe_next(request, " /inventory/ ") == "/inventory/"
    http = "http://testserver/inventory/"
    assert safe_next(request, http) is None  # only paths
