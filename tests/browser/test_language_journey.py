"""Changing the language mid-form keeps what was typed, and the history reads in the language.

A lister starts a listing in Finnish, switches to Swedish and finds the form as they left
it; with photos chosen, the switch asks first (files cannot be kept). Editing the quantity
shows in the item's history as "Antal: 5 → 6", in Swedish words and the city's dates.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from listings.models import Category, Listing

from ..factories import ListingFactory
from .helpers import LISTER, jpeg_files, translated

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots")


def language_button(page, language: str):
    """The header's language button; on a phone it is in the menu, opened first."""
    button = page.locator(f".lang-switch button[value={language}]")
    menu = page.locator("[data-site-menu] > summary")
    if not button.is_visible() and menu.count():
        menu.click()
    return button


def switch_language(page, language: str) -> None:
    language_button(page, language).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"language-{name}.png"), full_page=True)


def test_switching_language_keeps_the_listing_form_as_typed(
    new_page, demo_accounts, force_login, tmp_path
):
    page = new_page("phone")
    force_login(page, demo_accounts[LISTER])
    category = Category.objects.get(slug="office-chairs")
    page.goto("/listings/new/")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    page.locator("#id_title").fill("Sininen työtuoli")
    page.locator("#id_description").fill("Selkänoja säätyy.\nToinen rivi.")
    page.locator("#id_category").select_option(str(category.pk))
    page.locator("input[name=condition][value=like_new]").check()
    page.locator("#id_quantity").fill("4")

    # With photos chosen the switch asks first; "no" keeps the page as it is.
    page.locator("#id_photos").set_input_files(jpeg_files(tmp_path, 1))
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    language_button(page, "sv").click()
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    warning = page.locator("script[src$='language-keep.js']").get_attribute("data-photos-lost")
    assert warning and asked == [warning]

    page.once("dialog", lambda dialog: dialog.accept())
    language_button(page, "sv").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page).to_have_url(re.compile(r"/listings/new/$"))
    expect(page.locator("main h1")).to_have_text(translated("sv", "New listing"))
    expect(page.locator("#id_title")).to_have_value("Sininen työtuoli")
    expect(page.locator("#id_description")).to_have_value("Selkänoja säätyy.\nToinen rivi.")
    expect(page.locator("#id_category")).to_have_value(str(category.pk))
    expect(page.locator("input[name=condition][value=like_new]")).to_be_checked()
    expect(page.locator("#id_quantity")).to_have_value("4")
    shot(page, "form-kept-sv-phone")

    # Kept once: a reload starts from what the server sends.
    page.reload()
    expect(page.locator("#id_title")).to_have_value("")

    # The kept form still posts: one-time token and CSRF are the new page's own.
    page.locator("#id_title").fill("Sininen työtuoli")
    page.locator("#id_category").select_option(str(category.pk))
    page.locator("input[name=condition][value=good]").check()
    page.locator("#id_quantity").fill("5")
    switch_language(page, "en")
    expect(page.locator("#id_quantity")).to_have_value("5")
    page.locator("button[name=action][value=publish]").click()
    expect(page).to_have_url(re.compile(r"/listings/\d+/$"))
    assert Listing.objects.filter(title="Sininen työtuoli", quantity=5).exists()


def test_history_reads_in_swedish_after_an_edit(new_page, demo_accounts, force_login):
    lister = demo_accounts[LISTER]
    category = Category.objects.get(slug="office-chairs")
    for size in ("phone", "desktop"):
        listing = ListingFactory(
            title=f"Harmaa tuoli {size}",
            category=category,
            condition=Listing.Condition.GOOD,
            quantity=5,
            owner_unit=lister.unit,
            created_by=lister,
        )
        page = new_page(
            size, **({"viewport": {"width": 1366, "height": 900}} if size == "desktop" else {})
        )
        force_login(page, lister)
        page.goto(f"/listings/{listing.pk}/edit/")
        switch_language(page, "sv")
        page.locator("#id_listing-quantity").fill("6")
        page.locator("input[name=listing-condition][value=fair]").check()
        page.locator("main form button[type=submit].primary").first.click()
        expect(page).to_have_url(f"/listings/{listing.pk}/")
        changes = page.locator(".history .changes li")
        expect(changes.filter(has_text="Antal")).to_have_text("Antal: 5 → 6")
        expect(changes.filter(has_text="Skick")).to_have_text("Skick: Bra → Godtagbart")
        expect(page.locator(".history time").first).to_have_text(
            re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4} \d{2}:\d{2}$")
        )
        expect(page.locator(".history")).not_to_contain_text("quantity")
        page.locator(".history").scroll_into_view_if_needed()
        shot(page, f"history-sv-{size}")
        switch_language(page, "fi")
        expect(changes.filter(has_text="Määrä")).to_have_text("Määrä: 5 → 6")
