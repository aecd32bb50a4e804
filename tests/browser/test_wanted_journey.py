"""A wanted request is answered with a listing and reserved (issue 20, "Done when").

Unit A (the reserver's school) posts on a phone that it needs two office chairs. Unit B
(the lister's) finds the request in the wanted list, presses "I have this", checks the
prefilled draft and publishes it. Unit A is told, opens the item from its notices,
reserves both chairs, which closes its request as fulfilled."""

import re

import pytest
from playwright.sync_api import expect

from kierratys.accounts.models import Notice
from listings.models import Category, Listing
from listings.wanted.models import WantedAnswer, WantedRequest
from reservations.models import Reservation

from .helpers import LISTER, RESERVER

pytestmark = pytest.mark.browser


def english_page(new_page, live_asgi_server, size):
    page = new_page(size, locale="en-GB")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_asgi_server}])
    return page


def test_a_wanted_request_is_answered_with_a_listing_and_reserved(
    new_page, live_asgi_server, demo_accounts, force_login, run_tasks, axe_check, screenshot
):
    asker, giver = demo_accounts[RESERVER], demo_accounts[LISTER]
    assert asker.unit_id != giver.unit_id
    chairs = Category.objects.get(slug="office-chairs")

    # 1. Unit A posts what it needs, on a phone; bad input first: nothing at all.
    a = english_page(new_page, live_asgi_server, "phone")
    force_login(a, asker)
    a.goto("/wanted/")
    a.get_by_role("link", name="Post a request").click()
    expect(a).to_have_url("/wanted/new/")
    a.locator("#id_quantity").fill("2")
    a.get_by_role("button", name="Post the request").click()
    expect(a.locator(".error-summary")).to_contain_text(
        "Choose a category or describe what you need."
    )
    assert not WantedRequest.objects.exists()
    a.locator("#id_category").select_option(str(chairs.pk))
    a.locator("#id_details").fill("Two office chairs for the new teachers")
    a.get_by_role("button", name="Post the request").click()
    expect(a).to_have_url(re.compile(r"/wanted/\d+/$"))
    wanted = WantedRequest.objects.get()
    expect(a.locator("[data-wanted-status]")).to_have_text("Still needed")
    screenshot(a, "wanted-request-phone")

    # 2. Unit B sees it in the wanted list and answers it: a prefilled draft of its own.
    b = english_page(new_page, live_asgi_server, "desktop")
    force_login(b, giver)
    b.goto("/wanted/")
    b.get_by_role("link", name=chairs.name_en).click()
    expect(b).to_have_url(f"/wanted/{wanted.pk}/")
    b.get_by_role("button", name="I have this").click()
    expect(b).to_have_url(re.compile(r"/listings/\d+/edit/$"))
    listing = Listing.objects.get(wanted_answer__request=wanted)
    expect(b.locator("#id_listing-title")).to_have_value("Two office chairs for the new teachers")
    expect(b.locator("#id_listing-quantity")).to_have_value("2")
    assert listing.status == Listing.Status.DRAFT and listing.owner_unit_id == giver.unit_id
    b.locator("#id_listing-title").fill("Two blue office chairs")
    b.get_by_role("button", name=re.compile("^Save")).first.click()
    expect(b).to_have_url(f"/listings/{listing.pk}/")
    b.get_by_role("button", name="Publish", exact=True).click()
    expect(b.locator(".messages")).to_contain_text("The listing is published.")
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PUBLISHED

    # 3. Unit A is told and opens the item from its notices.
    run_tasks()  # the worker tells the poster (its live event is not needed here)
    assert Notice.objects.filter(user=asker, kind=Notice.Kind.WANTED_ANSWER).exists()
    a.goto("/notices/")
    expect(a.locator(".notices")).to_contain_text("Another unit has what you asked for")
    a.get_by_role("link", name="Two blue office chairs").click()
    expect(a).to_have_url(f"/listings/{listing.pk}/")

    # 4. Unit A reserves both chairs.
    form = a.locator("[data-reserve-form]")
    form.locator("input[name=quantity]").fill("2")
    form.locator("input[name=contact_phone]").fill("040 123 4567")
    form.locator("button[type=submit]").first.click()
    expect(a).to_have_url(re.compile(r"/reservations/\d+/$"))
    reservation = Reservation.objects.get(listing=listing)
    assert (reservation.unit_id, reservation.quantity, reservation.status) == (
        asker.unit_id,
        2,
        Reservation.Status.ACTIVE,
    )

    # 5. Reserving the answer fulfilled the request: the request shows its answer and says
    # so, with nothing left to close.
    a.goto(f"/wanted/{wanted.pk}/")
    expect(a.get_by_role("link", name="Two blue office chairs")).to_be_visible()
    expect(a.locator("[data-wanted-status]")).to_have_text("Fulfilled")
    expect(a.get_by_role("button", name="We got it: close as fulfilled")).to_have_count(0)
    axe_check(a)
    wanted.refresh_from_db()
    assert wanted.status == WantedRequest.Status.FULFILLED and wanted.closed_by_id == asker.pk
    assert WantedAnswer.objects.get(request=wanted).listing_id == listing.pk
    screenshot(a, "wanted-fulfilled-phone")
