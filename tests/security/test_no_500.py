"""Never a 500 for any input: every URL pattern, four kinds of user, GET and POST, hostile values.

The URL list comes from the resolver itself, so a new page is covered the day it is added.
Each request sends every common parameter at once with the same hostile value; path ids
are real objects (so the views get past their lookups) and impossible ones.
"""

import re

import pytest
from django.urls import URLResolver, get_resolver

from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from listings import search
from listings.models import SavedSearch

from ..factories import (
    ListingFactory,
    TaskFactory,
    UserFactory,
    book,
    loan_listing,
    reserve,
    warehouse_with_slots,
)

pytestmark = pytest.mark.django_db

KEYS = [
    "ids", "id", "copy", "page", "q", "date", "warehouse", "slot", "quantity",
    "start", "end", "department", "unit", "category", "kind", "assignee", "choice", "location",
    "reason", "problem", "scanned_code", "action", "enabled", "language", "username", "email",
    "contact_name", "contact_phone", "handover", "wanted_date", "title", "name", "query",
    "width_min", "sort", "submission", "count_1", "month", "condition", "lending",
]  # fmt: skip
# Already percent-encoded: an unpaired surrogate can only travel as its (invalid) UTF-8 bytes.
VALUES = [
    "%D9%A3",  # Arabic-Indic three: str.isdigit() and int() accept it
    "%C2%B2",  # superscript two: isdigit() accepts it, int() does not
    "99999999999999999999",  # beyond bigint
    "-1",
    "",
    "x" * 1200,
    "%00",
    "%ED%A0%80",  # an unpaired surrogate
]
# `next` gets one of these in every request, whatever the other keys get.
REPEATING = ("warehouse", "coordinator")  # after "staff", in the order of `world`'s users
NEXTS = ["%20%20//evil.example", "//evil.example", "/%5Cevil.example", "javascript:alert(1)", "foo"]
LOGIN_PAGES = ("/accounts/login/", "/admin/login/")
CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
SLUGS = {
    "action": ["assign", "schedule", "start", "shelve", "deliver", "dispose", "cancel", "x"],
    "table": ["summary", "monthly", "categories", "departments", "quality", "listings", "x"],
}
ODD_PATH = {"id": ["0", "999999999999999999"], "other": ["x", "%ED%A0%80", "a" * 300, "%00"]}


def routes():
    """(route, is_admin) for every pattern; regex ones (the admin's app index) as written."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    for route in dict.fromkeys(walk(get_resolver().url_patterns, "")):
        if route.startswith("^") or "(?P" in route:
            continue  # regex patterns: the admin's app index, reached through its links
        yield route, route.startswith("admin/")


def fill(route: str, objects: dict) -> tuple[str, list[str]]:
    """The route with real objects' ids (every slug), and variants with one impossible value."""
    real = [route]
    odd = []
    for match in CONVERTER.finditer(route):
        conv, name = match.group("conv") or "str", match.group("name")
        if conv in ("id", "int"):
            values, impossible = [str(objects.get(_owner(route, name), 1))], ODD_PATH["id"]
        elif name in SLUGS:
            values, impossible = SLUGS[name], []
        else:
            values, impossible = ["x"], ODD_PATH["other"]
        odd = [p.replace(match.group(0), values[0], 1) for p in odd]
        odd += [real[0].replace(match.group(0), v, 1) for v in impossible]
        real = [p.replace(match.group(0), v, 1) for p in real for v in values]
    odd = [CONVERTER.sub("x", p) for p in odd]
    return ["/" + p for p in real], ["/" + p for p in odd]


def _owner(route: str, name: str) -> str:
    if route.startswith("loans/item/"):
        return "bike"
    if route.startswith("loans/"):
        return "loan"
    if name == "listing_pk" or route.startswith(("listings/<", "reservations/basket")):
        return "listing"
    if name == "reservation_pk" or route.startswith("reservations/"):
        return "reservation"
    if route.startswith("listings/searches/"):
        return "search"
    if route.startswith("inventory/tasks/"):
        return "task"
    if route.startswith("inventory/locations/"):
        return "location"
    return "other"


@pytest.fixture
def world(monkeypatch):
    monkeypatch.setattr(search, "RATE_PER_MINUTE", 10**6, raising=False)
    warehouse, shelves, _slots = warehouse_with_slots()
    staff = UserFactory()
    listing = ListingFactory(owner_unit=staff.unit, created_by=staff, quantity=50)
    reservation = reserve(listing, handover="delivery")
    task = TaskFactory(warehouse=warehouse, listing=listing, created_by=staff)
    saved = SavedSearch.objects.create(user=staff, name="Tuolit", query="q=tuoli")
    bike = loan_listing(owner_unit=staff.unit, created_by=staff)
    loan = book(bike)
    users = {
        "anonymous": None,
        "staff": staff,
        "warehouse": UserFactory(roles=[WAREHOUSE]),
        "coordinator": UserFactory(roles=[COORDINATOR], is_staff=True),
    }
    objects = {
        "listing": listing.pk,
        "reservation": reservation.pk,
        "task": task.pk,
        "location": shelves[0].pk,
        "search": saved.pk,
        "bike": bike.pk,
        "loan": loan.pk,
    }
    return users, objects


def test_no_input_gives_a_server_error(client, world):
    users, objects = world
    client.raise_request_exception = False
    failures = []
    # (path, method, value) that got past sign-in and the role and object checks. Warehouse
    # staff and coordinators send only what the plain staff user could not get through: their
    # own pages get every value, the shared ones are not walked three times.
    reached = set()
    sent = iter(range(10**9))

    def send(who, path, value) -> bool:
        """Both methods with this value; True when both only sent the user to sign in."""
        body = "&".join(f"{key}={value}" for key in KEYS)
        body += "&next=" + NEXTS[next(sent) % len(NEXTS)]
        sign_in = True
        for method in ("GET", "POST"):
            if who in REPEATING and (path, method, value) in reached:
                sign_in = False
                continue
            if method == "GET":
                response = client.get(path, QUERY_STRING=body)
            else:
                response = client.post(path, body, content_type="application/x-www-form-urlencoded")
            if response.status_code >= 500:
                failures.append((who, method, path, value[:30], response.status_code))
            location = response.get("Location", "")
            to_sign_in = response.status_code == 302 and location.startswith(LOGIN_PAGES)
            if who != "anonymous" and not to_sign_in and response.status_code not in (403, 404):
                reached.add((path, method, value))
            sign_in &= to_sign_in
        return sign_in

    for who, user in users.items():
        for route, is_admin in routes():
            real, odd = fill(route, objects)
            for path in real + odd:
                if user is not None:
                    client.force_login(user)  # again: logout and password pages sign out
                else:
                    client.logout()
                values = VALUES if path in real else VALUES[:1]
                if is_admin:
                    values = values[:2]  # Django's own forms; the ids are what matter there
                for value in values:
                    if send(who, path, value):
                        break  # the page is behind sign-in: the values never reach it
    assert not failures, "\n".join(map(str, failures))
