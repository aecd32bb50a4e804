"""When a live page cannot fetch what changed, it says so instead of staying stale in
silence; and it acts on the server's close codes as the server sends them.

Pages are in English (no translation needed for the check): the texts are the msgids.
"""

import re

import pytest
from playwright.sync_api import expect

from kierratys import consumers
from listings.models import Category

from ..factories import ListingFactory
from .helpers import LISTER, RESERVER, assert_same_document, mark_document, wait_for_live_socket
from .test_live_journey import publish_through_the_form

pytestmark = pytest.mark.browser

REFRESH_FAILED = "This page could not be updated. Reload it to see the latest changes."


def fail(route, how):
    if how == "network":
        route.abort("internetdisconnected")
    else:
        route.fulfill(status=how, body="no", content_type="text/plain")


@pytest.mark.parametrize("how", ["network", 404, 403])
def test_a_failed_refresh_is_shown_and_goes_once_a_refresh_works(
    new_page, demo_accounts, force_login, how
):
    page = new_page("desktop", locale="en-GB")
    force_login(page, demo_accounts[RESERVER])
    refreshes = []

    def refresh(route):
        if route.request.headers.get("x-live-refresh"):
            refreshes.append(route.request.url)
            fail(route, how)
        else:
            route.continue_()

    page.route(re.compile(r"/reservations/$"), refresh)
    page.goto("/reservations/")
    wait_for_live_socket(page)
    mark_document(page)

    page.evaluate("window.KierratysLive.socket().close()")  # as when the network drops
    problem = page.locator(".messages [data-live-problem]")
    expect(problem).to_have_text(REFRESH_FAILED)  # after the reconnect's refresh failed
    expect(problem).to_be_visible()
    assert refreshes
    assert_same_document(page)  # the page stays usable; reloading is up to the user

    page.unroute(re.compile(r"/reservations/$"))
    wait_for_live_socket(page)
    page.evaluate("window.KierratysLive.socket().close()")
    expect(problem).to_have_count(0)  # up to date again
    assert_same_document(page)


@pytest.mark.parametrize("how", ["network", 404])
def test_a_new_card_that_cannot_be_fetched_comes_with_the_refreshed_results(
    new_page, demo_accounts, force_login, how
):
    ListingFactory(title="Vanha kirjahylly", category=Category.objects.get(slug="shelves"))
    watching = new_page("desktop", locale="en-GB")
    force_login(watching, demo_accounts[RESERVER])
    cards_asked = []

    def card(route):
        cards_asked.append(route.request.url)
        fail(route, how)

    watching.route(re.compile(r"/listings/\d+/card/$"), card)
    watching.goto("/listings/")
    expect(watching.locator(".card-item")).to_have_count(1)
    wait_for_live_socket(watching)
    mark_document(watching)

    lister = new_page("phone")
    force_login(lister, demo_accounts[LISTER])
    listing = publish_through_the_form(lister, "Sininen sohva", Category.objects.get(slug="sofas"))

    new_card = watching.locator(f".card-item[data-listing-id='{listing.pk}']")
    expect(new_card).to_be_visible()
    expect(new_card.locator("[data-available]")).to_have_text("4")
    assert cards_asked == [f"{watching.url.split('/listings/')[0]}/listings/{listing.pk}/card/"]
    expect(watching.locator("[data-live-problem]")).to_have_count(0)
    assert_same_document(watching)


@pytest.mark.parametrize(
    "code", [consumers.CLOSE_TOO_SLOW, consumers.CLOSE_REGROUP, consumers.CLOSE_LAYER_DOWN]
)
def test_the_page_reconnects_and_catches_up_after_the_server_closes_it(
    new_page, demo_accounts, force_login, code
):
    """The server's close codes (mocked socket): fell behind, the account changed, or the
    channel layer was down: the page connects again and refreshes its live regions."""
    sockets = []
    page = new_page("desktop", locale="en-GB")
    page.route_web_socket(re.compile(r"/ws/live/$"), lambda socket: sockets.append(socket))
    force_login(page, demo_accounts[RESERVER])
    page.goto("/reservations/")
    wait_for_live_socket(page)
    mark_document(page)

    with page.expect_response(lambda response: "x-live-refresh" in response.request.headers) as r:
        sockets[0].close(code=code, reason="from the server")
    assert r.value.ok
    r.value.finished()  # the server is done with it before the test's data goes
    assert len(sockets) == 2
    expect(page.locator("[data-live-indicator]")).to_have_attribute("data-state", "live")
    assert_same_document(page)


def test_the_page_says_so_and_waits_when_the_user_has_too_many_sockets(
    new_page, demo_accounts, force_login
):
    """The per-user cap's code from the server (mocked): no quick retries, a clear text."""
    sockets = []
    page = new_page("desktop", locale="en-GB")
    page.route_web_socket(re.compile(r"/ws/live/$"), lambda socket: sockets.append(socket))
    force_login(page, demo_accounts[RESERVER])
    page.goto("/listings/")
    wait_for_live_socket(page)

    sockets[0].close(code=consumers.CLOSE_TOO_MANY, reason="too many")
    text = page.locator("[data-live-indicator] [data-live-text]")
    expect(text).to_have_text(
        "Live updates off: too many pages are open. Close some tabs; this page tries again "
        "in a while."
    )
    page.wait_for_timeout(2500)  # an ordinary retry would come within 2 s
    assert len(sockets) == 1
    expect(page.locator("[data-live-indicator]")).to_have_attribute("data-state", "offline")


@pytest.mark.parametrize("path", ["/reservations/", "/accounts/profile/"])
def test_an_announcement_published_while_disconnected_shows_after_the_reconnect(
    new_page, demo_accounts, force_login, path
):
    """Its live event was missed (mocked socket): the reconnect fetches the page afresh and
    the banner takes it from there, on a page with live regions and on one without."""
    from datetime import timedelta

    from django.utils import timezone

    from kierratys.announcements.models import Announcement
    from kierratys.announcements.selectors import forget_windows

    sockets = []
    page = new_page("desktop", locale="en-GB")
    page.route_web_socket(re.compile(r"/ws/live/$"), lambda socket: sockets.append(socket))
    reserver = demo_accounts[RESERVER]
    force_login(page, reserver)
    page.goto(path)
    wait_for_live_socket(page)
    mark_document(page)
    banner = page.locator("[data-announcements]")
    expect(banner).to_be_hidden()

    now = timezone.now()
    Announcement.objects.create(
        organisation=reserver.unit.department.organisation,
        title_fi="Varasto kiinni perjantaina",
        body_fi="Noudot maanantaina.",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=1),
    )
    forget_windows()  # as publishing does; made here without its live event
    with page.expect_response(lambda response: "x-live-refresh" in response.request.headers) as r:
        sockets[0].close(code=consumers.CLOSE_REGROUP, reason="from the server")
    r.value.finished()
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Varasto kiinni perjantaina")
    assert_same_document(page)
