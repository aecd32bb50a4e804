"""The catalogue on a phone (issue 15, items 7-9): two columns of cards under a header of
one row, filters in a sheet whose results change only when it closes, chips of the active
filters, the basket in the header, nothing wider than the screen, targets of 24 px."""

import re

import pytest
from django.http import QueryDict
from django.utils import translation
from playwright.sync_api import expect

from kierratys.accounts.models import User
from listings import selectors
from listings.demo import seed_listings
from listings.models import Listing

from .helpers import LISTER, RESERVER, WAREHOUSE, in_worker_thread

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def catalogue(demo_accounts, server_media):
    """The demo organisation with its ~40 listings (photos included), as the server sees it."""
    assert in_worker_thread(seed_listings) > 10
    return demo_accounts


def catalogue_count(query: str) -> int:
    viewer = User.objects.select_related("unit__department").get(email="reserver@demo.example")
    _filterset, page, _notes, _version = selectors.catalogue_page(
        user=viewer, params=QueryDict(query), page_number=None
    )
    return page.paginator.count


def box(locator) -> dict:
    return locator.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return {x: r.x, y: r.y, width: r.width, height: r.height}; }"
    )


def assert_no_sideways_scroll(page, what: str) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{what} is {width} px wide on a {PHONE_WIDTH} px phone"


def test_phone_catalogue_filters_in_a_sheet_with_chips_and_a_count(
    phone_page, catalogue, force_login, screenshot
):
    page = phone_page
    force_login(page, catalogue[RESERVER])
    page.goto("/listings/")

    # Two columns of cards: the first two side by side, each under half the screen.
    cards = page.locator("[data-cards] > .card-item")
    expect(cards.nth(1)).to_be_visible()
    first, second = box(cards.nth(0)), box(cards.nth(1))
    assert abs(first["y"] - second["y"]) < 1, "the first two cards are not on one row"
    assert second["x"] > first["x"] + first["width"] - 1
    assert first["width"] < PHONE_WIDTH / 2 and second["x"] + second["width"] <= PHONE_WIDTH
    # A photo shows the whole item: scaled to fit (contain), never cropped.
    fits = cards.locator("img").first.evaluate("img => getComputedStyle(img).objectFit")
    assert fits == "contain"

    # The header is one row: every control of it within the bar, the bar at most 64 px.
    header = box(page.locator(".site-header"))
    assert header["height"] <= 64, f"the header is {header['height']} px tall"
    for control in [".brand", ".notices-link", ".basket-link", ".account-menu summary"]:
        control_box = box(page.locator(f".site-header {control}"))
        assert control_box["y"] >= header["y"] and (
            control_box["y"] + control_box["height"] <= header["y"] + header["height"]
        ), f"{control} is outside the header's row"
    menu = box(page.locator(".site-menu > summary"))
    assert menu["y"] + menu["height"] <= header["y"] + header["height"]
    expect(page.locator("nav[aria-label] a[data-nav=catalogue]")).to_be_hidden()
    page.locator(".site-menu > summary").click()
    expect(page.locator("nav[aria-label] a[data-nav=catalogue]")).to_be_visible()
    page.locator(".site-menu > summary").click()
    assert_no_sideways_scroll(page, "the catalogue")
    screenshot(page, "phone-catalogue-phone")

    total = catalogue_count("")
    count_text = page.locator(".result-count")
    expect(count_text).to_contain_text(str(total))

    # The sheet: opened by its control, covering the screen, with a visible Close.
    page.locator(".filters-toggle").click()
    sheet = page.locator("[data-filters]")
    expect(sheet).to_have_attribute("open", "")
    sheet_box = box(sheet)
    assert sheet_box["width"] >= PHONE_WIDTH - 1 and sheet_box["height"] >= 800
    expect(page.locator(".filters-close")).to_be_visible()
    show = page.locator("[data-show-results]")
    expect(show).to_be_in_viewport()
    expect(show).to_contain_text(str(total))

    # Every checkbox and radio button in the filters is a target of at least 24 px.
    checks = sheet.locator("input[type=checkbox], input[type=radio]")
    assert checks.count() >= 5
    for n in range(checks.count()):
        size = box(checks.nth(n))
        assert size["width"] >= 24 and size["height"] >= 24, f"checkbox {n}: {size}"
    for target in [".filters-close", "[data-show-results]"]:
        size = box(page.locator(target))
        assert size["height"] >= 24, f"{target}: {size}"

    # Choosing a filter tells the count on the button, and changes nothing behind the sheet.
    wanted = catalogue_count("condition=new")
    assert 0 < wanted < total, "the demo data should have some, not all, items as new"
    results_before = page.locator("[data-results]").inner_html()
    sheet.locator("input[name=condition][value=new]").check()
    expect(show).to_contain_text(str(wanted))
    expect(show).to_be_in_viewport()  # sticky at the bottom of the sheet
    assert page.locator("[data-results]").inner_html() == results_before
    assert "condition" not in page.url
    screenshot(page, "phone-catalogue-sheet-phone")

    show.click()
    expect(sheet).not_to_have_attribute("open", "")
    expect(count_text).to_contain_text(str(wanted))
    expect(page).to_have_url(re.compile(r"condition=new"))
    chip = page.locator("a.chip[data-chip=condition]")
    expect(chip).to_have_count(1)
    with translation.override("fi"):  # the page's language
        expect(chip).to_contain_text(str(Listing.Condition.NEW.label))
    assert "condition" not in (chip.get_attribute("href") or "")
    expect(page.locator("[data-filters-count]")).to_contain_text("1")
    assert_no_sideways_scroll(page, "the filtered catalogue")
    shown = {int(cards.nth(n).get_attribute("data-listing-id")) for n in range(cards.count())}
    assert set(Listing.objects.filter(pk__in=shown).values_list("condition", flat=True)) == {"new"}

    # The chip is a plain link: following it removes that filter.
    chip.click()
    expect(page).not_to_have_url(re.compile(r"condition=new"))
    expect(count_text).to_contain_text(str(total))
    expect(page.locator("a.chip[data-chip=condition]")).to_have_count(0)


def test_phone_sheet_closed_with_its_control_shows_the_choice(phone_page, catalogue, force_login):
    page = phone_page
    force_login(page, catalogue[RESERVER])
    page.goto("/listings/")
    page.locator(".filters-toggle").click()
    page.locator("[data-filters] input[name=condition][value=new]").check()
    show = page.locator("[data-show-results]")
    expect(show).to_contain_text(str(catalogue_count("condition=new")))
    page.locator(".filters-close").click()
    expect(page.locator("a.chip[data-chip=condition]")).to_have_count(1)
    expect(page.locator(".result-count")).to_contain_text(str(catalogue_count("condition=new")))


def test_phone_basket_count_in_the_header_and_no_page_wider_than_the_phone(
    new_page, catalogue, force_login
):
    page = new_page("phone")
    force_login(page, catalogue[RESERVER])
    listing = Listing.objects.filter(status=Listing.Status.PUBLISHED).order_by("pk").first()

    page.goto(f"/listings/{listing.pk}/")
    basket = page.locator(".site-header .basket-link")
    expect(basket).to_have_attribute("data-basket-count", "0")
    expect(basket.locator(".badge")).to_have_count(0)
    assert_no_sideways_scroll(page, "the item page")
    page.locator(f"button[formaction$='/basket/add/{listing.pk}/']").click()
    expect(page).to_have_url("/reservations/basket/")
    expect(basket).to_have_attribute("data-basket-count", "1")
    expect(basket.locator(".badge")).to_have_text("1")
    expect(basket).to_have_accessible_name(re.compile(r"\b1\b"))
    assert_no_sideways_scroll(page, "the basket")

    page.goto("/reservations/")  # reachable from every page: the count stays
    expect(basket).to_have_attribute("data-basket-count", "1")
    assert_no_sideways_scroll(page, "the reservation list")
    basket.click()
    expect(page).to_have_url("/reservations/basket/")

    board = new_page("phone")
    force_login(board, catalogue[WAREHOUSE])
    board.goto("/inventory/")
    expect(board.locator("main h1")).to_be_visible()
    assert_no_sideways_scroll(board, "the warehouse board")

    # The account menu fits the phone's screen.
    page.locator(".account-menu summary").click()
    panel = box(page.locator(".account-panel"))
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= PHONE_WIDTH, panel
    assert_no_sideways_scroll(page, "the open account menu")


def test_live_indicator_explains_itself_on_focus(phone_page, catalogue, force_login):
    page = phone_page
    force_login(page, catalogue[RESERVER])
    page.goto("/listings/")
    indicator = page.locator("[data-live-indicator]")
    page.locator("[data-live-indicator][data-state=live]").wait_for(state="attached")
    text = indicator.locator("[data-live-text]")
    assert box(text)["width"] <= 1  # read out, not shown, until asked
    indicator.focus()
    expect(text).to_be_visible()
    shown = box(text)
    assert shown["width"] > 100 and shown["x"] >= 0 and shown["x"] + shown["width"] <= PHONE_WIDTH
    assert len(text.inner_text()) > 20  # a sentence, not a word


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_screenshots_of_the_changed_pages(new_page, catalogue, force_login, screenshot, size):
    page = new_page("phone") if size == "phone" else new_page("desktop", **DESKTOP)
    lister = catalogue[LISTER]
    force_login(page, lister)
    page.goto("/listings/")
    expect(page.locator("[data-cards] > .card-item").first).to_be_visible()
    if size == "desktop":  # filters beside the results, not over them
        filters, results = box(page.locator("[data-filters]")), box(page.locator("[data-results]"))
        assert filters["x"] + filters["width"] <= results["x"]
        expect(page.locator("[data-filters] input[name=condition]").first).to_be_visible()
        expect(page.locator("nav[aria-label] a[data-nav=catalogue]")).to_be_visible()
    screenshot(page, f"phone-catalogue-{size}")
    if size == "phone":
        page.locator(".filters-toggle").click()
    page.locator("[data-filters] input[name=condition][value=new]").check()
    expect(page.locator("[data-show-results]")).to_contain_text(
        str(catalogue_count("condition=new"))
    )
    if size == "phone":  # the sheet covers the screen: the screen is the picture
        page.screenshot(path=str(screenshot(page, f"phone-catalogue-open-{size}")))
    else:
        screenshot(page, f"phone-catalogue-open-{size}")
    page.locator("[data-show-results]").click()
    expect(page.locator("a.chip")).to_have_count(1)
    screenshot(page, f"phone-catalogue-chips-{size}")

    own = Listing.objects.filter(owner_unit=lister.unit).exclude(photos=None).first()
    page.goto(f"/listings/{own.pk}/")
    screenshot(page, f"phone-detail-{size}")
    page.goto(f"/listings/{own.pk}/edit/")
    expect(page.locator("label[for=id_photo-photos_camera]")).to_be_visible()
    expect(page.locator("label[for=id_photo-photos]")).to_be_visible()
    screenshot(page, f"phone-edit-{size}")
    page.goto("/listings/new/")
    screenshot(page, f"phone-new-{size}")
    if size == "phone":
        assert_no_sideways_scroll(page, "the new-listing form")
        page.goto(f"/listings/{own.pk}/edit/")
        assert_no_sideways_scroll(page, "the edit form")
