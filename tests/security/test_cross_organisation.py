"""Isolation by default (issue 17): nobody sees or touches another organisation's data.

Every URL pattern with an object id is walked as the unit staff, warehouse staff and
coordinator of organisation B against organisation A's objects (a listing at the
organisation stage, a draft, a shelved item, a reservation, tasks, a warehouse with its
slot and shelf, a saved search, a donation recipient, a partnership A proposed to C...),
GET and POST. Each answer must be a 404, or exactly what the same request gets for an id
that does not exist (a page refused by role, 403 or 405, for every id alike): either way
nothing can be probed. And nothing of A's changes.

The pattern list comes from the resolver: a new pattern with an id fails
`test_every_pattern_with_an_id_has_a_case` until it gets a case in CASES (or, when it
legitimately takes other organisations' ids, a line in ALLOWED with the reason).
"""

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import URLResolver, get_resolver
from django.utils import timezone, translation

from inventory.models import StorageLocation, Task, TimeSlot, Warehouse
from kierratys.accounts.models import User
from kierratys.accounts.partnerships import Partnership
from kierratys.accounts.pauses.models import OrderingPause
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from kierratys.announcements.models import Announcement
from kierratys.api import services as token_services
from kierratys.api.models import ServiceToken
from kierratys.common.submissions import new_token
from kierratys.legal.models import AccessibilityFeedback, AccessibilityStatement, PrivacyNotice
from kierratys.webhooks.models import Endpoint
from listings.models import Listing, Recipient, SavedSearch
from listings.projects.models import Project, ProjectItem
from listings.wanted import services as wanted_services
from listings.wanted.models import WantedAnswer, WantedRequest
from reservations import services as reservation_services
from reservations.charges.models import PriceList
from reservations.loans.models import Loan
from reservations.models import Reservation

from ..factories import (
    DepartmentFactory,
    ListingFactory,
    OrganisationFactory,
    StorageLocationFactory,
    TaskFactory,
    TimeSlotFactory,
    UnitFactory,
    UserFactory,
    WarehouseFactory,
    book,
    book_delivery,
    loan_listing,
    next_working_day,
    other_organisation,
    reserve,
    warehouse_with_slots,
)

pytestmark = pytest.mark.django_db

CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
MISSING = "987654321"

# Route -> for each id in it, the names of organisation A's objects to put there (each
# tried in turn). Slugs get every value in SLUGS.
LISTINGS = ("listing", "draft", "shelved")
CASES = {
    "listings/<id:pk>/reserve/": {"pk": LISTINGS},
    "listings/<id:pk>/card/": {"pk": LISTINGS},
    "listings/searches/<id:pk>/rename/": {"pk": ("search",)},
    "listings/searches/<id:pk>/delete/": {"pk": ("search",)},
    "listings/searches/<id:pk>/alerts/": {"pk": ("search",)},
    "listings/<id:pk>/": {"pk": LISTINGS},
    "listings/<id:pk>/edit/": {"pk": LISTINGS},
    "listings/<id:pk>/publish/": {"pk": LISTINGS},
    "listings/<id:pk>/withdraw/": {"pk": LISTINGS},
    "listings/<id:pk>/audience/": {"pk": LISTINGS},
    "listings/<id:pk>/label/": {"pk": LISTINGS},
    "listings/<id:pk>/end-of-life/": {"pk": LISTINGS},
    "listings/recipients/<id:pk>/": {"pk": ("recipient",)},
    "listings/recipients/<id:pk>/<slug:action>/": {"pk": ("recipient",)},
    "reservations/basket/add/<id:pk>/": {"pk": LISTINGS},
    "reservations/<id:pk>/": {"pk": ("reservation", "collected")},
    "reservations/<id:pk>/cancel/": {"pk": ("reservation",)},
    "reservations/<id:pk>/extend/": {"pk": ("reservation",)},
    "reservations/<id:pk>/handover/": {"pk": ("reservation",)},
    "reservations/<id:pk>/slip/": {"pk": ("reservation", "collected")},
    "reservations/<id:pk>/document/": {"pk": ("reservation", "collected")},
    "inventory/tasks/<id:pk>/": {"pk": ("task", "delivery")},
    "inventory/tasks/<id:pk>/<slug:action>/": {"pk": ("task", "delivery")},
    "inventory/locations/<id:pk>/": {"pk": ("shelf",)},
    "inventory/listings/<id:listing_pk>/send/": {"listing_pk": LISTINGS},
    "inventory/listings/<id:listing_pk>/dispose/": {"listing_pk": LISTINGS},
    "inventory/listings/<id:listing_pk>/transfer/": {"listing_pk": LISTINGS},
    "inventory/reservations/<id:reservation_pk>/delivery/": {"reservation_pk": ("reservation",)},
    "inventory/warehouses/<id:pk>/": {"pk": ("warehouse",)},
    "inventory/warehouses/<id:pk>/edit/": {"pk": ("warehouse",)},
    "inventory/warehouses/<id:pk>/slots/new/": {"pk": ("warehouse",)},
    "inventory/warehouses/<id:pk>/slots/<id:slot_pk>/": {
        "pk": ("warehouse",),
        "slot_pk": ("slot",),
    },
    "inventory/warehouses/<id:pk>/slots/<id:slot_pk>/<slug:action>/": {
        "pk": ("warehouse",),
        "slot_pk": ("slot",),
    },
    "inventory/warehouses/<id:pk>/shelves/new/": {"pk": ("warehouse",)},
    "inventory/warehouses/<id:pk>/shelves/<id:shelf_pk>/": {
        "pk": ("warehouse",),
        "shelf_pk": ("shelf",),
    },
    "inventory/warehouses/<id:pk>/shelves/<id:shelf_pk>/<slug:action>/": {
        "pk": ("warehouse",),
        "shelf_pk": ("shelf",),
    },
    "organisation/partners/<id:pk>/accept/": {"pk": ("partnership",)},
    "organisation/partners/<id:pk>/end/": {"pk": ("partnership",)},
    "organisation/accessibility-feedback/<id:pk>/": {"pk": ("feedback",)},
    "organisation/privacy/users/<id:pk>/": {"pk": ("person",)},
    "organisation/privacy/users/<id:pk>/export.json": {"pk": ("person",)},
    "organisation/privacy/users/<id:pk>/anonymise/": {"pk": ("person",)},
    "announcements/<id:pk>/dismiss/": {"pk": ("announcement",)},
    "organisation/announcements/<id:pk>/end/": {"pk": ("announcement",)},
    "organisation/pauses/<id:pk>/end/": {"pk": ("pause",)},
    "organisation/webhooks/<id:pk>/resume/": {"pk": ("webhook",)},
    "organisation/api-tokens/<id:pk>/revoke/": {"pk": ("token",)},
    "api/v1/listings/<id:pk>/": {"pk": LISTINGS},
    "api/v1/reservations/<id:pk>/": {"pk": ("reservation", "collected")},
    "api/v1/tasks/<id:pk>/": {"pk": ("task", "delivery")},
    "reservations/<id:pk>/approve/": {"pk": ("reservation",)},
    "reservations/<id:pk>/decline/": {"pk": ("reservation",)},
    "wanted/<id:pk>/": {"pk": ("wanted",)},
    "wanted/<id:pk>/answer/": {"pk": ("wanted",)},
    "wanted/<id:pk>/close/": {"pk": ("wanted",)},
    "organisation/webhooks/<id:pk>/delete/": {"pk": ("webhook",)},
    "projects/<id:pk>/": {"pk": ("project",)},
    "loans/item/<id:pk>/": {"pk": ("bike", *LISTINGS)},
    "loans/<id:pk>/": {"pk": ("loan",)},
    "loans/<id:pk>/cancel/": {"pk": ("loan",)},
    "loans/<id:pk>/pick-up/": {"pk": ("loan",)},
    "loans/<id:pk>/return/": {"pk": ("loan",)},
    "projects/<id:pk>/edit/": {"pk": ("project",)},
    "projects/<id:pk>/report/": {"pk": ("project",)},
    "projects/<id:pk>/items/<id:item_pk>/remove/": {
        "pk": ("project",),
        "item_pk": ("project_item",),
    },
}
# Patterns that take ids of other organisations' objects, and why that is right.
ALLOWED = {
    **{
        f"api/v1/{route}": (
            "POST only, and a session's POST needs the API's CSRF token, so this walk gets "
            "405 or 403 for any id alike; tests/kierratys/api (test_listing_writes, "
            "test_tasks, test_reuse_checks) show another organisation's object is a 404 there"
        )
        for route in (
            "listings/<id:pk>/publish/",
            "listings/<id:pk>/withdraw/",
            "reuse-checks/<id:pk>/outcome/",
            "tasks/<id:pk>/cancel/",
            "tasks/<id:pk>/done/",
            "tasks/<id:pk>/problem/",
            "tasks/<id:pk>/schedule/",
            "tasks/<id:pk>/start/",
        )
    },
    "api/v1/reservations/<id:pk>/cancel/": (
        "POST only, and a session's POST needs the API's CSRF token, so this walk gets 405 or "
        "403 for any id alike; tests/kierratys/api/test_reservations.py shows another "
        "organisation's reservation is a 404 there"
    ),
    "reservations/basket/remove/<id:pk>/": (
        "takes the id out of the user's own session basket only; it reads no listing"
    ),
}
# At the partner stage a partner organisation's staff see the listing and reserve it:
# listings/<id>/, its card, reserve and basket/add (test_a_partner_sees_and_reserves...).
SLUGS = {
    "action": [
        "assign", "schedule", "start", "shelve", "deliver", "dispose", "cancel", "problem",
        "activate", "deactivate",
    ],
}  # fmt: skip
# Enough for every form on the walked pages to be valid, so a POST reaches its lookup
# and service: a leak would show as a write, not hide behind a form error.
POST_DATA = {
    "reason": "broken",
    "problem": "Puuttuu",
    "quantity": "1",
    "scanned_code": "",
    "name": "Murrettu",
    "street_address": "Murtokatu 1",
    "postal_code": "20100",
    "city": "Turku",
    "is_active": "on",
    "weekday": "0",
    "start": "06:00",
    "end": "07:00",
    "delivery_capacity": "1",
    "pickup_capacity": "1",
    "code": "Z-99-9",
    "description": "x",
    "title": "Murrettu",
    "category": "",
    "condition": "good",
    "audience": "partners",
    "outcome": "recycle",
    "contact": "x",
    "enabled": "on",
    "location": "",
    "date": "",
    "confirm": "on",
    "answer": "Murrettu vastaus",
}


def routes():
    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return list(dict.fromkeys(walk(get_resolver().url_patterns, "")))


def with_ids(route: str) -> bool:
    return any(
        (m.group("conv") or "str") in ("id", "int") for m in CONVERTER.finditer(route)
    ) and not route.startswith("admin/")


def combinations(route: str, objects: dict) -> list[tuple[str, str]]:
    """(path with A's objects, the same path with a missing id), every combination."""
    results = [("/" + route, "/" + route)]
    for match in CONVERTER.finditer(route):
        conv, name = match.group("conv") or "str", match.group("name")
        if conv in ("id", "int"):
            options = [(str(objects[n]), MISSING) for n in CASES[route][name]]
        else:
            options = [(slug, slug) for slug in SLUGS.get(name, ["x"])]
        token = match.group(0)
        results = [
            (real.replace(token, value, 1), missing.replace(token, other, 1))
            for real, missing in results
            for value, other in options
        ]
    return results


# --- the two organisations ----------------------------------------------------------------


@pytest.fixture
def world(monkeypatch):
    """Organisation A's objects, and B's people (B has a warehouse of its own too)."""
    from listings import search

    monkeypatch.setattr(search, "RATE_PER_MINUTE", 10**6, raising=False)
    org_a = OrganisationFactory()
    org_b = other_organisation(1)
    org_c = other_organisation(2)
    a_department = DepartmentFactory(organisation=org_a, name="A:n toimiala")
    a_unit = UnitFactory(department=a_department, name="Aakkulan koulu")
    a_reserver_unit = UnitFactory(department=a_department, name="Aapelin päiväkoti")
    a_staff = UserFactory(unit=a_unit)
    a_reserver = UserFactory(unit=a_reserver_unit)
    a_coordinator = UserFactory(unit=a_unit, roles=[COORDINATOR], is_staff=True)
    warehouse, shelves, slots = warehouse_with_slots()
    warehouse.name = "Aavan varasto"
    warehouse.save(update_fields=["name"])
    assert warehouse.organisation_id == org_a.pk

    listing = ListingFactory(
        owner_unit=a_unit, created_by=a_staff, quantity=50, title="Aarteen tuoli"
    )
    draft = ListingFactory(
        owner_unit=a_unit,
        created_by=a_staff,
        title="Aarteen luonnos",
        status=Listing.Status.DRAFT,
        published_at=None,
    )
    shelved = ListingFactory(
        owner_unit=a_unit, created_by=a_staff, storage_location=shelves[0], title="Aarteen hylly"
    )
    reservation = reserve(listing, user=a_reserver, handover="delivery")
    delivery = book_delivery(reservation, slots, next_working_day())
    collected = reserve(shelved, user=a_reserver)
    reservation_services.reservation_collect(actor=a_staff, reservation_id=collected.pk)
    task = TaskFactory(warehouse=warehouse, listing=listing, created_by=a_staff)
    saved = SavedSearch.objects.create(user=a_staff, name="Aarteet", query="q=tuoli")
    recipient = Recipient.objects.create(organisation=org_a, name="Aarreyhdistys")
    partnership = Partnership.objects.create(
        proposer=org_a,
        partner=org_c,
        starts_on=timezone.localdate(),
        proposed_by=a_coordinator,
        proposed_at=timezone.now(),
    )

    pause = OrderingPause.objects.create(
        organisation=org_a,
        starts_on=timezone.localdate() + timedelta(days=30),
        ends_on=timezone.localdate() + timedelta(days=31),
        message_fi="Aakkulan tauko",
        created_by=a_coordinator,
    )
    feedback = AccessibilityFeedback.objects.create(
        organisation=org_a,
        sender_email="palaute@demo.example",
        message="Aakkulan palaute",
        due_on=timezone.localdate() + timedelta(days=14),
    )

    statement = AccessibilityStatement.objects.create(
        organisation=org_a,
        last_checked_on=timezone.localdate(),
        prepared_on=timezone.localdate(),
        feedback_email="saavutettavuus@demo.example",
    )
    notice = PrivacyNotice.objects.create(organisation=org_a, updated_on=timezone.localdate())
    announcement = Announcement.objects.create(
        organisation=org_a,
        title_fi="Aakkulan tiedote",
        body_fi="Vain A:lle.",
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(days=1),
    )

    project = Project.objects.create(
        organisation=org_a, unit=a_unit, kind="relocation", name="Aakkulan muutto"
    )
    project_item = ProjectItem.objects.create(
        project=project,
        room="A 1",
        title="Aarteen taulu",
        quantity=1,
        decision="keep",
        created_by=a_staff,
    )
    webhook = Endpoint.objects.create(
        organisation=org_a,
        url="https://aakkula.example/hooks",
        event_types=["task.changed"],
        secret="whsec_QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
        paused_at=timezone.now(),
    )
    token = token_services.token_create(
        actor=a_coordinator,
        name="Aakkulan hankinnat",
        unit_id=a_unit.pk,
        scopes=["listings:read"],
        days=30,
    ).token
    wanted = wanted_services.wanted_post(
        actor=a_staff,
        unit=a_unit,
        fields={
            "category": None,
            "quantity": 2,
            "details": "Aarteen arkku",
            "needed_by": None,
            "audience": "organisation",
        },
    )
    bike = loan_listing(owner_unit=a_unit, created_by=a_staff, title="Aarteen pyörä")
    loan = book(bike, user=a_reserver)
    b_unit = UnitFactory(department=DepartmentFactory(organisation=org_b), name="Beetan koulu")
    b_warehouse = WarehouseFactory(organisation=org_b, name="Beetan varasto")
    StorageLocationFactory(warehouse=b_warehouse, code="B-01-1")
    TimeSlotFactory(warehouse=b_warehouse)
    users = {
        "staff": UserFactory(unit=b_unit),
        "warehouse": UserFactory(unit=b_unit, roles=[WAREHOUSE]),
        "coordinator": UserFactory(unit=b_unit, roles=[COORDINATOR], is_staff=True),
    }
    objects = {
        "listing": listing.pk,
        "draft": draft.pk,
        "shelved": shelved.pk,
        "reservation": reservation.pk,
        "collected": collected.pk,
        "task": task.pk,
        "delivery": delivery.pk,
        "warehouse": warehouse.pk,
        "slot": slots[0].pk,
        "shelf": shelves[0].pk,
        "search": saved.pk,
        "recipient": recipient.pk,
        "partnership": partnership.pk,
        "person": a_reserver.pk,
        "feedback": feedback.pk,
        "statement": statement.pk,
        "notice": notice.pk,
        "announcement": announcement.pk,
        "pause": pause.pk,
        "project": project.pk,
        "project_item": project_item.pk,
        "webhook": webhook.pk,
        "token": token.pk,
        "price_list": PriceList.objects.create(organisation=org_a, delivery_eur=5).pk,
        "wanted": wanted.pk,
        "bike": bike.pk,
        "loan": loan.pk,
    }
    names = [
        a_unit.name,
        a_reserver_unit.name,
        listing.title,
        draft.title,
        shelved.title,
        warehouse.name,
        recipient.name,
        saved.name,
        feedback.message,
    ]
    return {"users": users, "objects": objects, "names": names, "a_staff": a_staff}


def snapshot() -> dict:
    """What a write by B would change in A's data."""
    return {
        "listings": list(
            Listing.objects.order_by("pk").values_list(
                "pk", "title", "status", "audience", "quantity_available", "storage_location_id"
            )
        ),
        "reservations": list(
            Reservation.objects.order_by("pk").values_list("pk", "status", "collect_by")
        ),
        "tasks": list(Task.objects.order_by("pk").values_list("pk", "status", "assigned_to_id")),
        "warehouses": list(Warehouse.objects.order_by("pk").values_list("pk", "name", "is_active")),
        "slots": list(TimeSlot.objects.order_by("pk").values_list("pk", "start", "is_active")),
        "shelves": list(
            StorageLocation.objects.order_by("pk").values_list("pk", "code", "is_active")
        ),
        "searches": list(SavedSearch.objects.order_by("pk").values_list("pk", "name")),
        "recipients": list(Recipient.objects.order_by("pk").values_list("pk", "name", "is_active")),
        "partnerships": list(
            Partnership.objects.order_by("pk").values_list("pk", "accepted_at", "ended_at")
        ),
        "feedback": list(
            AccessibilityFeedback.objects.order_by("pk").values_list("pk", "answer", "answered_at")
        ),
        "people": list(
            User.objects.order_by("pk").values_list("pk", "email", "full_name", "is_active")
        ),
        "pauses": list(OrderingPause.objects.order_by("pk").values_list("pk", "ended_at")),
        "loans": list(Loan.objects.order_by("pk").values_list("pk", "status", "quantity")),
        "projects": list(
            Project.objects.order_by("pk").values_list("pk", "name", "unit_id", "target_reuse_rate")
        ),
        "project_items": list(ProjectItem.objects.order_by("pk").values_list("pk", "quantity")),
        "webhooks": list(Endpoint.objects.order_by("pk").values_list("pk", "paused_at")),
        "tokens": list(ServiceToken.objects.order_by("pk").values_list("pk", "revoked_at")),
        "wanted": list(
            WantedRequest.objects.order_by("pk").values_list("pk", "status", "closed_at")
        ),
        "wanted_answers": list(WantedAnswer.objects.order_by("pk").values_list("pk", "listing_id")),
        "announcements": list(
            Announcement.objects.order_by("pk").values_list("pk", "ended_at", "dismissals__user")
        ),
    }


# --- the walk --------------------------------------------------------------------------------


def test_every_pattern_with_an_id_has_a_case():
    """A new page that takes an id is walked from the day it is added."""
    patterns = {route for route in routes() if with_ids(route)}
    missing = patterns - set(CASES) - set(ALLOWED)
    assert not missing, f"add a case to CASES (or a reason to ALLOWED) for: {sorted(missing)}"
    assert not (set(CASES) & set(ALLOWED))


def test_another_organisations_ids_are_not_found(client, world):
    client.raise_request_exception = False
    before = snapshot()
    leaks, found_404 = [], set()
    present = set(routes())
    for route in CASES:
        if route not in present:
            continue  # a case for a page this build does not have (yet)
        for real, missing in combinations(route, world["objects"]):
            for who, user in world["users"].items():
                client.force_login(user)
                for method in ("GET", "POST"):
                    answer = _send(client, method, real)
                    if answer == 404:
                        found_404.add(route)
                        continue
                    baseline = _send(client, method, missing)
                    if answer != baseline or baseline in (200, 302):
                        leaks.append((who, method, real, answer, baseline))
    assert not leaks, "\n".join(map(str, leaks))
    walked = {route for route in CASES if route in present}
    assert walked - found_404 == set(), "no user of B got a 404 on these (vacuous?)"
    assert snapshot() == before, "a request of organisation B changed organisation A's data"


def _send(client, method: str, path: str) -> int:
    if method == "GET":
        return client.get(path).status_code
    return client.post(path, {**POST_DATA, "submission": new_token()}).status_code


def test_the_admin_treats_another_organisations_objects_as_missing(client, world):
    """A coordinator (admin access) of B: A's objects answer as ids that do not exist (the
    admin's redirect with its warning); the organisations, regions and partnerships are
    for the service's administrators only (403 for every id alike)."""
    client.raise_request_exception = False
    client.force_login(world["users"]["coordinator"])
    a = world["objects"]
    a_user = world["a_staff"]
    cases = {
        "kierratys/department": a_user.unit.department_id,
        "kierratys/unit": a_user.unit_id,
        "kierratys/user": a_user.pk,
        "inventory/warehouse": a["warehouse"],
        "inventory/storagelocation": a["shelf"],
        "listings/listing": a["listing"],
        "reservations/reservation": a["reservation"],
        "kierratys/organisation": a_user.unit.department.organisation_id,
        "kierratys/region": None,
        "kierratys/partnership": a["partnership"],
        "legal/accessibilitystatement": a["statement"],
        "legal/privacynotice": a["notice"],
        "charges/pricelist": a["price_list"],
        # The same read-only admin as the price list's, limited to the own organisation.
        "charges/charge": None,
    }
    # Categories are the service's, shared by every organisation.
    shared = {"listings/category"}
    # The roles, the sign-in log and the task queue: the service's administrators' only.
    service_only = {
        "auth/group",
        "axes/accessattempt",
        "axes/accesslog",
        "axes/accessfailurelog",
        "django_tasks_database/dbtaskresult",
        "sso/identityprovider",
        "sso/externalidentity",
    }
    registered = {f"{m._meta.app_label}/{m._meta.model_name}" for m in admin.site._registry}
    unknown = registered - set(cases) - shared - service_only
    assert unknown == set(), f"add the new admin model to `cases`: {sorted(unknown)}"
    for model in service_only & registered:
        assert client.get(f"/admin/{model}/").status_code == 403, model
    leaks = []
    for model, pk in cases.items():
        if pk is None or model not in registered:
            continue
        for suffix in ("change/", "history/", "delete/"):
            real = client.get(f"/admin/{model}/{pk}/{suffix}")
            missing = client.get(f"/admin/{model}/{MISSING}/{suffix}")
            same = (real.status_code, real.get("Location")) == (
                missing.status_code,
                missing.get("Location"),
            )
            if not same or real.status_code == 200:
                leaks.append((model, suffix, real.status_code, missing.status_code))
    assert not leaks, leaks
    # Their lists and filters name none of A's units, people or listings.
    for model in cases:
        if model in registered and model not in ("kierratys/organisation", "kierratys/region"):
            page = client.get(f"/admin/{model}/")
            for name in world["names"]:
                assert name not in page.text, (model, name)


# --- list pages ------------------------------------------------------------------------------

LIST_PAGES = [
    "/listings/",
    "/listings/?q=Aarteen",
    "/listings/mine/",
    "/listings/searches/",
    "/reservations/",
    "/reservations/?status=all",
    "/notices/",
    "/inventory/",
    "/inventory/locations/",
    "/inventory/run-sheet/",
    "/inventory/warehouses/",
    "/reports/",
    "/reports/csv/listings/",
    "/reports/csv/departments/",
]


def test_no_list_page_of_b_names_a_s_units_or_listings(client, world):
    """Catalogue (and its filter choices), our reservations, the task board, the warehouse
    list and the reports: nothing of A's appears for B's people."""
    client.raise_request_exception = False
    seen = []
    for who, user in world["users"].items():
        client.force_login(user)
        with translation.override("en"):
            for url in LIST_PAGES:
                response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
                if response.status_code != 200 or response.streaming:
                    continue
                text = response.content.decode(errors="replace")
                seen.extend((who, url, name) for name in world["names"] if name in text)
    assert not seen, "\n".join(map(str, seen))


def test_query_string_ids_of_another_organisation_are_not_followed(client, world):
    a = world["objects"]
    client.force_login(world["users"]["warehouse"])
    run_sheet = client.get("/inventory/run-sheet/", {"warehouse": a["warehouse"]})
    assert run_sheet.status_code == 404
    board = client.get("/inventory/", {"warehouse": a["warehouse"]})
    assert board.status_code == 200
    assert "Aarteen tuoli" not in board.text
    labels = client.get("/listings/labels/", {"ids": f"{a['listing']},{a['shelved']}"})
    assert "Aarteen" not in labels.content.decode(errors="replace")


def test_bulk_actions_on_another_organisations_listings_are_not_found(client, world):
    """The ids of "Our listings"' bulk form are in the body, not the path (helper "bulk")."""
    a = world["objects"]
    before = snapshot()
    day = (timezone.localdate() + timedelta(days=30)).isoformat()
    for who, user in world["users"].items():
        client.force_login(user)
        for action in ("withdraw", "extend", "warehouse", "labels"):
            answer = client.post(
                "/inventory/listings/bulk/",
                {
                    "id": [a["listing"], a["shelved"]],
                    "action": action,
                    "last_day": day,
                    "submission": new_token(),
                },
            )
            assert answer.status_code == 404, (who, action)
    assert snapshot() == before


# --- what the partner stage does allow ---------------------------------------------------------


def test_a_partner_sees_and_reserves_a_partner_stage_listing_and_both_parties_see_it(client):
    """At the partner stage B's unit sees A's listing and reserves it; the reservation is
    then both parties' (the giving unit and the receiving unit), and nobody else's."""
    org_a = OrganisationFactory()
    org_b = other_organisation(1)
    org_c = other_organisation(2)
    Partnership.objects.create(
        proposer=org_a,
        partner=org_b,
        starts_on=timezone.localdate() - timedelta(days=1),
        proposed_by=UserFactory(),
        proposed_at=timezone.now(),
        accepted_by=UserFactory(unit=UnitFactory(department=DepartmentFactory(organisation=org_b))),
        accepted_at=timezone.now(),
    )
    giver = UserFactory()
    listing = ListingFactory(
        owner_unit=giver.unit, created_by=giver, audience=Listing.Audience.PARTNERS
    )
    receiver = UserFactory(unit=UnitFactory(department=DepartmentFactory(organisation=org_b)))
    outsider = UserFactory(unit=UnitFactory(department=DepartmentFactory(organisation=org_c)))
    b_coordinator = UserFactory(unit=receiver.unit, roles=[COORDINATOR])
    c_coordinator = UserFactory(unit=outsider.unit, roles=[COORDINATOR])

    client.force_login(receiver)
    assert client.get(f"/listings/{listing.pk}/").status_code == 200
    reservation = reserve(listing, user=receiver)
    for user in (receiver, giver, b_coordinator):
        client.force_login(user)
        assert client.get(f"/reservations/{reservation.pk}/").status_code == 200, user
        assert listing.title in client.get("/reservations/").text or user == b_coordinator
    for user in (outsider, c_coordinator):
        client.force_login(user)
        assert client.get(f"/listings/{listing.pk}/").status_code == 404
        assert client.get(f"/reservations/{reservation.pk}/").status_code == 404
        assert client.get(f"/reservations/{reservation.pk}/slip/").status_code == 404
        cancelled = client.post(f"/reservations/{reservation.pk}/cancel/", {"reason": "x"})
        assert cancelled.status_code == 404
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.ACTIVE


def test_org_c_cannot_see_a_partner_stage_listing_of_a_non_partner(client):
    org_c = other_organisation(2)
    listing = ListingFactory(audience=Listing.Audience.PARTNERS)
    outsider = UserFactory(unit=UnitFactory(department=DepartmentFactory(organisation=org_c)))
    client.force_login(outsider)
    assert client.get(f"/listings/{listing.pk}/").status_code == 404
    assert client.get(f"/listings/{listing.pk}/card/").status_code == 404
    assert client.post(f"/listings/{listing.pk}/reserve/", {"quantity": 1}).status_code == 404
