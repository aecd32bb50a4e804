"""axe (WCAG 2.1 A and AA) on every main page, at phone and desktop sizes, with screenshots.

One test per size visits all the pages with realistic data, so the data is made once and
not for every page; a failure lists every page that has serious or critical violations.
Screenshots go to screenshots/a11y-<page>-<size>.png.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from inventory import services as inventory_services
from listings import services as listing_services
from listings.models import Category
from listings.projects import services as project_services
from listings.wanted import services as wanted_services
from reservations import services as reservation_services
from reservations.charges import services as charge_services
from reservations.models import Reservation

from ..factories import (
    ListingFactory,
    book,
    book_delivery,
    loan_listing,
    next_working_day,
    reserve,
    warehouse_with_slots,
)
from ..images import jpeg_upload
from .helpers import (
    AXE_FAILING_IMPACTS,
    COORDINATOR,
    LISTER,
    RESERVER,
    WAREHOUSE,
    axe_check,
    in_worker_thread,
)

pytestmark = pytest.mark.browser

SIZES = ["phone", "desktop"]


@pytest.fixture
def data(demo_accounts, server_media):
    """A little of everything: photos, reservations, a delivery, a basket, a saved search."""
    lister, reserver, driver = (demo_accounts[e] for e in (LISTER, RESERVER, WAREHOUSE))
    warehouse, shelves, slots = warehouse_with_slots()
    chairs = in_worker_thread(
        listing_services.listing_create,
        actor=lister,
        unit=lister.unit,
        fields={
            "title": "Sininen työtuoli",
            "category": Category.objects.get(slug="office-chairs"),
            "condition": "good",
            "quantity": 6,
            "description": "Säädettävä selkänoja ja käsinojat.",
            "width_cm": 60,
            "depth_cm": 55,
            "height_cm": 95,
            "pickup_instructions": "Kellarin varasto, ovikoodi 1234.",
        },
        uploads=[jpeg_upload("front.jpg"), jpeg_upload("side.jpg", colour=(60, 140, 180))],
        publish=True,
    )
    sofa = ListingFactory(
        title="Harmaa sohva",
        category=Category.objects.get(slug="sofas"),
        quantity=1,
        owner_unit=lister.unit,
        created_by=lister,
        storage_location=shelves[0],
    )
    desk = ListingFactory(title="Tammipöytä", category=Category.objects.get(slug="desks"))
    pickup = in_worker_thread(reserve, chairs, user=reserver, quantity=2, note="Haemme torstaina.")
    # Issue 20: a listing whose owner approves requests, and a request waiting for it.
    table = ListingFactory(
        title="Neuvottelupöytä", owner_unit=lister.unit, created_by=lister, owner_approves=True
    )
    request = in_worker_thread(reserve, table, user=reserver)
    delivery = in_worker_thread(
        reserve, sofa, user=reserver, handover=Reservation.Handover.DELIVERY
    )
    day = next_working_day()
    task = in_worker_thread(book_delivery, delivery, slots, day)
    in_worker_thread(inventory_services.intake_request, actor=driver, listing_id=desk.pk)
    listing_services.saved_search_create(
        user=reserver, name="Työtuolit", query=f"category={chairs.category_id}&condition=good"
    )
    # Internal prices (issue 21): a price list and a lamp handed over from the warehouse, so
    # the quote shows before reserving and booking, and the coordinator's month has charges.
    charge_services.price_list_save(
        actor=demo_accounts[COORDINATOR],
        delivery_basis="trip",
        delivery_eur="25",
        storage_month_eur="3,50",
        cleaning_eur="10",
    )
    lamp, stool = (
        ListingFactory(title=title, quantity=2, storage_location=shelves[1])
        for title in ("Lattiavalaisin", "Jakkara")
    )
    handed = in_worker_thread(reserve, lamp, user=reserver)
    in_worker_thread(
        reservation_services.reservation_collect, actor=driver, reservation_id=handed.pk
    )
    to_book = in_worker_thread(reserve, lamp, user=reserver, handover=Reservation.Handover.DELIVERY)
    wanted = in_worker_thread(
        wanted_services.wanted_post,
        actor=lister,
        unit=lister.unit,
        fields={
            "category": Category.objects.get(slug="desks"),
            "quantity": 2,
            "details": "Korkeussäädettävä, 140 × 80 cm",
            "needed_by": None,
            "audience": "organisation",
        },
    )
    project = project_services.project_create(
        actor=lister,
        unit=lister.unit,
        kind="relocation",
        name="Koulun muutto",
        target_reuse_rate=70,
    )
    for decision, title in (("offer", "Työtuoli"), ("keep", "Valkotaulu")):
        in_worker_thread(
            project_services.project_item_add,
            actor=lister,
            project_id=project.pk,
            room="A 204",
            title=title,
            quantity=3,
            decision=decision,
            category=Category.objects.get(slug="office-chairs"),
            condition="good",
        )
    # Loans (issue 20): two bikes lent for up to 14 days, one booked by the reserver.
    bike = loan_listing(owner_unit=lister.unit, created_by=lister, title="Kesäleirin pyörä")
    loan = in_worker_thread(book, bike, user=reserver)
    return {
        "bike": bike,
        "loan": loan,
        "project": project,
        "users": demo_accounts,
        "stool": stool,
        "to_book": to_book,
        "wanted": wanted,
        "chairs": chairs,
        "desk": desk,
        "pickup": pickup,
        "request": request,
        "task": task,
        "warehouse": warehouse,
        "day": day,
    }


def main_pages(data) -> list[tuple[str, str | None, str]]:
    """(name, who, path) for every main page; `who` None is signed out."""
    chairs, pickup, task = data["chairs"], data["pickup"], data["task"]
    run_sheet = f"/inventory/run-sheet/?warehouse={data['warehouse'].pk}&date={data['day']}"
    return [
        ("login", None, "/accounts/login/"),
        ("catalogue", RESERVER, "/listings/"),
        ("item", RESERVER, f"/listings/{chairs.pk}/"),
        ("item-own", LISTER, f"/listings/{chairs.pk}/"),
        ("new-listing", LISTER, "/listings/new/"),
        ("our-listings", LISTER, "/listings/mine/"),
        ("reservations", LISTER, "/reservations/"),
        ("reservation", RESERVER, f"/reservations/{pickup.pk}/"),
        ("request", RESERVER, f"/reservations/{data['request'].pk}/"),
        ("request-to-decide", LISTER, f"/reservations/{data['request'].pk}/"),
        ("item-owner-approves", RESERVER, f"/listings/{data['request'].listing_id}/"),
        ("handover", LISTER, f"/reservations/{pickup.pk}/handover/"),
        ("basket", RESERVER, "/reservations/basket/"),
        ("saved-searches", RESERVER, "/listings/searches/"),
        ("wanted", RESERVER, "/wanted/"),
        ("wanted-new", RESERVER, "/wanted/new/"),
        ("wanted-request", RESERVER, f"/wanted/{data['wanted'].pk}/"),
        ("wanted-own", LISTER, f"/wanted/{data['wanted'].pk}/"),
        ("task-board", WAREHOUSE, "/inventory/"),
        ("task", WAREHOUSE, f"/inventory/tasks/{task.pk}/"),
        ("run-sheet", WAREHOUSE, run_sheet),
        ("locations", WAREHOUSE, "/inventory/locations/"),
        ("reserve-quote", RESERVER, f"/listings/{data['stool'].pk}/reserve/"),
        ("book-quote", RESERVER, f"/inventory/reservations/{data['to_book'].pk}/delivery/"),
        ("finance", COORDINATOR, "/organisation/finance/"),
        ("prices", COORDINATOR, "/organisation/finance/prices/"),
        ("projects", LISTER, "/projects/"),
        ("project-new", LISTER, "/projects/new/"),
        ("project", LISTER, f"/projects/{data['project'].pk}/"),
        ("project-edit", LISTER, f"/projects/{data['project'].pk}/edit/"),
        ("project-report", LISTER, f"/projects/{data['project'].pk}/report/"),
        ("open-data", None, "/open-data/"),
        ("open-data-turku", None, "/open-data/turku/"),
        ("open-data-manage", COORDINATOR, "/organisation/open-data/"),
        ("webhooks", COORDINATOR, "/organisation/webhooks/"),
        ("loan-calendar", RESERVER, f"/listings/{data['bike'].pk}/"),
        ("loan-book", RESERVER, f"/loans/item/{data['bike'].pk}/"),
        ("my-loans", RESERVER, "/loans/"),
        ("loan", RESERVER, f"/loans/{data['loan'].pk}/"),
        ("loan-pick-up", LISTER, f"/loans/{data['loan'].pk}/pick-up/"),
        ("loans-overdue", LISTER, "/loans/overdue/"),
        ("loans-overdue-warehouse", WAREHOUSE, "/loans/overdue/warehouse/"),
    ]


BROKEN_IMAGES = """() => [...document.images]
    .filter(img => img.complete && img.currentSrc && img.naturalWidth === 0)
    .map(img => img.currentSrc)"""


def serious_violations(page) -> list[str]:
    """axe's serious and critical violations on the page, one line each."""
    lines = []
    for violation in axe_check(page, fail_on=frozenset()):
        if violation["impact"] in AXE_FAILING_IMPACTS:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
            lines.append(
                f"[{violation['impact']}] {violation['id']}: {violation['help']} at {targets}"
            )
    return lines


def signed_in_pages(new_page, force_login, users, size):
    pages = {}

    def page_for(who):
        if who not in pages:
            pages[who] = new_page(size)
            if who is not None:
                force_login(pages[who], users[who])
        return pages[who]

    return page_for


@pytest.mark.parametrize("size", SIZES)
def test_main_pages_pass_axe(new_page, force_login, data, screenshot, size):
    page_for = signed_in_pages(new_page, force_login, data["users"], size)

    # The basket is kept in the session: fill it the way people do, from the item page.
    basket_page = page_for(RESERVER)
    basket_page.goto(f"/listings/{data['desk'].pk}/")
    basket_page.locator("[data-reserve-form] button[formaction*='/basket/add/']").click()
    expect(basket_page).to_have_url("/reservations/basket/")

    problems = {}
    for name, who, path in main_pages(data):
        page = page_for(who)
        response = page.goto(path)
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        expect(page.locator("main")).to_be_visible()
        screenshot(page, f"a11y-{name}-{size}")
        lines = serious_violations(page)
        lines += [f"broken image: {src}" for src in page.evaluate(BROKEN_IMAGES)]
        if lines:
            problems[f"{name} ({path})"] = lines
    assert not problems, "axe (serious or critical violations) and images:\n" + "\n".join(
        f"{where}:\n  " + "\n  ".join(lines) for where, lines in problems.items()
    )


@pytest.mark.parametrize(
    "size",
    [
        "phone",
        "desktop",
    ],
)
def test_reports_pass_axe(new_page, force_login, data, screenshot, size):
    path = reverse("reports:index")
    page = new_page(size)
    force_login(page, data["users"][COORDINATOR])
    response = page.goto(path)
    assert response.status == 200
    screenshot(page, f"a11y-reports-{size}")
    lines = serious_violations(page)
    assert not lines, f"axe on {path}:\n  " + "\n  ".join(lines)


@pytest.fixture
def printables(demo_accounts):
    """A listing on a shelf with a delivery booked: its label and the day's run sheet."""
    reserver = demo_accounts[RESERVER]
    warehouse, shelves, slots = warehouse_with_slots()
    listing = ListingFactory(title="Harmaa sohva", quantity=1, storage_location=shelves[0])
    reservation = in_worker_thread(
        reserve, listing, user=reserver, handover=Reservation.Handover.DELIVERY
    )
    day = next_working_day()
    in_worker_thread(book_delivery, reservation, slots, day)
    return {
        "run-sheet": f"/inventory/run-sheet/?warehouse={warehouse.pk}&date={day}",
        "label": f"/listings/{listing.pk}/label/",
    }


@pytest.mark.parametrize(
    "name",
    [
        "run-sheet",
        "label",
    ],
)
def test_print_pages_fit_a_phone_screen(new_page, force_login, demo_accounts, printables, name):
    """Run sheets and labels are opened on phones too; nothing should scroll sideways."""
    page = new_page("phone")
    force_login(page, demo_accounts[WAREHOUSE])
    assert page.goto(printables[name]).status == 200
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} is {width}px wide on a phone"
