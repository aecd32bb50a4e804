"""A relocation project (issue 21, item 5) on a phone: the lister creates the project,
surveys two rooms item after item at 390 px (offering some, keeping some), another unit
reserves and collects offered chairs, and the progress report shows where every piece went
against the target. No serious WCAG issue on the project pages at 390 px or 1366 px."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from listings.models import Category, Listing
from listings.projects.models import Project, ProjectItem
from listings.services import listing_publish
from reservations import services as reservation_services

from ..factories import ListingFactory, reserve
from ..images import jpeg_bytes
from .helpers import LISTER, RESERVER, in_worker_thread

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots")
WIDE = {"viewport": {"width": 1366, "height": 900}}


def english_page(new_page, live_asgi_server, size, **options):
    page = new_page(size, locale="en-GB", **options)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_asgi_server}])
    return page


def keep(path: Path, name: str) -> None:
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / f"projects-{name}.png")


def survey(page, *, room, title, quantity, offer, category=None, photo=False):
    room_field = page.get_by_role("textbox", name="Room", exact=True)
    if room_field.input_value() != room:
        room_field.fill(room)
    page.get_by_role("textbox", name="What is it").fill(title)
    page.get_by_role("spinbutton", name="Quantity").fill(str(quantity))
    page.get_by_label("Offer for reuse" if offer else "Keep", exact=True).check()
    if category is not None:
        page.get_by_label("Category").select_option(str(category.pk))
        page.get_by_label("Condition").select_option("good")
    if photo:
        page.get_by_label("Photo").set_input_files(
            {"name": "chair.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}
        )
    page.get_by_role("button", name="Save and add the next").click()
    expect(page.locator("[data-messages]")).to_contain_text(f"{title} in {room}")


def test_survey_two_rooms_on_a_phone_and_follow_the_reuse_rate(
    new_page, live_asgi_server, demo_accounts, force_login, axe_check, screenshot, server_media
):
    lister, reserver = demo_accounts[LISTER], demo_accounts[RESERVER]
    assert lister.unit_id != reserver.unit_id
    chairs_category = Category.objects.get(slug="office-chairs")
    tables_category = Category.objects.get(slug="desks")

    phone = english_page(new_page, live_asgi_server, "phone")
    force_login(phone, lister)
    phone.goto("/listings/mine/")
    phone.get_by_role("link", name="Projects: relocations and renovations").click()
    expect(phone.get_by_role("heading", name="Projects", level=1)).to_be_visible()
    axe_check(phone)
    phone.get_by_role("link", name="New project").click()

    # Bad input first: a target over 100 is explained, nothing is saved.
    phone.get_by_label("Name").fill("Koivukylä school moves")
    phone.get_by_label("Relocation").check()
    phone.get_by_label("Building").fill("Koivukyläntie 1")
    phone.get_by_label("Target reuse rate (%)").fill("120")
    phone.get_by_role("button", name="Create the project").click()
    expect(phone.get_by_text("The target is between 0 and 100 %.").first).to_be_visible()
    assert not Project.objects.exists()
    keep(screenshot(phone, "projects-form-phone"), "form-390")
    axe_check(phone)
    phone.get_by_label("Target reuse rate (%)").fill("60")
    phone.get_by_role("button", name="Create the project").click()
    expect(phone.get_by_role("heading", name="Koivukylä school moves", level=1)).to_be_visible()
    project = Project.objects.get()

    # Room by room, one item after another: the room stays filled in for the next.
    survey(
        phone,
        room="A 204",
        title="Office chair",
        quantity=6,
        offer=True,
        category=chairs_category,
        photo=True,
    )
    expect(phone.get_by_role("textbox", name="Room", exact=True)).to_have_value("A 204")
    survey(phone, room="A 204", title="Whiteboard", quantity=1, offer=False, photo=True)
    survey(phone, room="Staff room", title="Armchair", quantity=2, offer=False)
    survey(
        phone, room="Staff room", title="Oak desk", quantity=1, offer=True, category=tables_category
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    rooms = phone.locator(".survey-room h3")
    expect(rooms).to_have_text(["A 204", "Staff room"])
    box = phone.get_by_role("button", name="Save and add the next").bounding_box()
    assert box["height"] >= 24
    keep(screenshot(phone, "projects-survey-phone"), "survey-390")
    axe_check(phone)
    assert ProjectItem.objects.filter(project=project, decision="keep").count() == 2
    chairs = Listing.objects.get(title="Office chair")
    assert chairs.status == Listing.Status.DRAFT and chairs.photos.count() == 1

    # The chairs go on offer; another unit reserves four and collects them.
    in_worker_thread(listing_publish, actor=lister, listing_id=chairs.pk)
    reservation = in_worker_thread(reserve, chairs, user=reserver, quantity=4)
    in_worker_thread(
        reservation_services.reservation_collect, actor=lister, reservation_id=reservation.pk
    )

    phone.get_by_role("link", name="Progress report").click()
    expect(phone.get_by_role("heading", name="Progress: Koivukylä school moves")).to_be_visible()
    # 2 + 1 kept and 4 reused of 10 pieces: 70.0 % against the target of 60 %.
    expect(phone.locator(".big-figure")).to_contain_text("70.0 %")
    expect(phone.locator(".big-figure")).to_contain_text("of the target 60 %")
    expect(phone.locator("[data-target-status]")).to_have_text("The target is reached.")
    for place, pieces in {
        "kept": 3,
        "reused": 4,
        "donated": 0,
        "sold": 0,
        "recycled": 0,
        "open": 3,
    }.items():
        expect(phone.locator(f"[data-place={place}] [data-items]")).to_have_text(str(pieces))
    expect(phone.locator("[data-pieces]")).to_have_text("10")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    keep(screenshot(phone, "projects-report-phone"), "report-390")
    axe_check(phone)

    # At a desk: the same report, the list of projects and the project page.
    desk = english_page(new_page, live_asgi_server, "desktop", **WIDE)
    force_login(desk, lister)
    for name, path in [
        ("list", "/projects/"),
        ("project", f"/projects/{project.pk}/"),
        ("edit", f"/projects/{project.pk}/edit/"),
        ("report", f"/projects/{project.pk}/report/"),
    ]:
        desk.goto(path)
        expect(desk.locator("main")).to_be_visible()
        keep(screenshot(desk, f"projects-{name}-desktop"), f"{name}-1366")
        axe_check(desk)
    expect(desk.locator("[data-place=reused] [data-items]")).to_have_text("4")

    # Item 6: a listing made before the survey is moved into the project from "Our listings".
    sofa = ListingFactory(title="Grey sofa", quantity=2, owner_unit=lister.unit, created_by=lister)
    desk.goto("/listings/mine/")
    desk.get_by_role("checkbox", name=f"Select {sofa.code} {sofa.title}").check()
    desk.get_by_label("Action").select_option(label="Move to a project")
    desk.get_by_label("Project (when moving)").select_option(label="Koivukylä school moves")
    desk.get_by_role("button", name="Apply to the selected").click()
    expect(desk.locator("[data-messages]")).to_contain_text(
        "1 listing moved to the project Koivukylä school moves."
    )
    desk.goto(f"/projects/{project.pk}/report/")
    expect(desk.locator("[data-pieces]")).to_have_text("12")
    expect(desk.locator("[data-place=open] [data-items]")).to_have_text("5")
    expect(desk.locator(".big-figure")).to_contain_text("58.3 %")  # 7 of 12
    expect(desk.locator("[data-target-status]")).to_have_text(
        "1 more piece must find a new use to reach the target."
    )
