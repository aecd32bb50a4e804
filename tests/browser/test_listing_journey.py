"""A unit lists an item from a phone: photos, details, publish, the item page, its QR label."""

import re

import pytest
from playwright.sync_api import expect

from listings.models import Category, Listing

from .helpers import LISTER, decode_qr, follow_nav, jpeg_files

pytestmark = pytest.mark.browser


def test_lister_lists_an_item_with_two_photos_and_prints_its_label(
    phone_page, demo_accounts, force_login, live_asgi_server, screenshot, tmp_path
):
    page = phone_page
    force_login(page, demo_accounts[LISTER])
    category = Category.objects.get(slug="office-chairs")

    page.goto("/listings/new/")
    page.locator("#id_photos").set_input_files(jpeg_files(tmp_path, 2))
    previews = page.locator("[data-photo-previews] li img")
    expect(previews).to_have_count(2)
    for n in range(2):  # the previews show the photos, not broken images
        expect(previews.nth(n)).to_have_js_property("complete", True)
        assert previews.nth(n).evaluate("img => img.naturalWidth") > 0

    page.locator("#id_title").fill("Sininen työtuoli käsinojilla")
    page.locator("#id_category").select_option(str(category.pk))
    page.locator("input[name=condition][value=like_new]").check()
    page.locator("#id_quantity").fill("3")
    screenshot(page, "journey-new-listing-filled-phone")
    page.locator("button[name=action][value=publish]").click()

    expect(page).to_have_url(re.compile(r"/listings/\d+/$"))
    listing_id = int(re.search(r"/listings/(\d+)/$", page.url).group(1))
    listing = Listing.objects.get(pk=listing_id)
    assert listing.status == Listing.Status.PUBLISHED
    assert (listing.title, listing.category_id, listing.condition, listing.quantity) == (
        "Sininen työtuoli käsinojilla",
        category.pk,
        "like_new",
        3,
    )
    assert listing.photos.count() == 2

    expect(page.locator(".messages")).to_contain_text(listing.code)
    expect(page.locator("main h1")).to_have_text(listing.title)
    thumbs = page.locator(".gallery-thumbs img")
    expect(thumbs).to_have_count(2)
    main_photo = page.locator("[data-gallery-main]")
    expect(main_photo).to_have_js_property("complete", True)
    assert main_photo.evaluate("img => img.naturalWidth") > 0, "the cover photo did not load"
    for n in range(2):
        thumbs.nth(n).scroll_into_view_if_needed()
        expect(thumbs.nth(n)).to_have_js_property("complete", True)
        assert thumbs.nth(n).evaluate("img => img.naturalWidth") > 0, f"thumb {n + 1} is broken"
    screenshot(page, "journey-item-page-phone")

    page.locator(f".owner-actions a[href='/listings/{listing_id}/label/']").click()
    expect(page).to_have_url(f"/listings/{listing_id}/label/")
    label = page.locator(".label")
    expect(label.locator(".qr svg")).to_be_visible()
    expect(label.locator(".code")).to_have_text(listing.code)
    expect(label.locator(".title")).to_have_text(listing.title)
    screenshot(page, "journey-label-phone")
    assert decode_qr(label.locator(".qr")) == [f"{live_asgi_server}/listings/{listing_id}/"]

    page.goto("/")
    follow_nav(page, "our_listings")  # through the menu on a phone
    expect(page).to_have_url("/listings/mine/")
    row = page.locator(f"tr[data-listing-id='{listing_id}']")
    expect(row).to_contain_text(listing.title)
    expect(row).to_contain_text(listing.code)
    expect(row.locator("[data-available]")).to_have_text("3")
    expect(row.locator(".row-thumb")).to_have_js_property("complete", True)
    assert row.locator(".row-thumb").evaluate("img => img.naturalWidth") > 0
