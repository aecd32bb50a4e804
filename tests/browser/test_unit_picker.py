"""The unit picker in Chromium (issue 18): type a few letters, choose with the keyboard or
the pointer, sign up; without script the server's list of matches; axe with the list open."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kierratys.accounts.models import Unit, User

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots")
EMAIL = "uusi.kayttaja@demo.example"  # the demo domain: Turku


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"picker-{name}.png"), full_page=True)


def start_sign_up(page):
    page.goto("/accounts/signup/")
    page.locator("main input[name=email]").fill(EMAIL)
    page.locator("main input[name=full_name]").fill("Uusi Käyttäjä")
    combobox = page.get_by_role("combobox", name="Your unit")
    combobox.click()
    return combobox


def turku_units() -> set[str]:
    return set(
        Unit.objects.filter(department__organisation__slug="turku", is_active=True).values_list(
            "name", flat=True
        )
    )


def test_type_choose_with_the_keyboard_and_sign_up(new_page, demo_accounts, axe_check):
    page = new_page("phone", locale="en-GB")
    combobox = start_sign_up(page)
    expect(combobox).to_have_attribute("aria-autocomplete", "list")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    listbox = page.locator("#" + combobox.get_attribute("aria-controls"))

    page.keyboard.type("koulu")
    expect(combobox).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options.first).to_be_visible()
    shown = set(listbox.locator(".unit-picker-label").all_inner_texts())
    assert shown and shown <= turku_units(), "only the address's organisation's units"
    expect(page.get_by_role("status").filter(has_text="units found")).to_have_text(
        f"{len(shown)} units found."
    )
    assert all(box["height"] >= 24 for box in (o.bounding_box() for o in options.all()))
    axe_check(page)  # with the list open
    shot(page, "signup-open-390")

    # Arrows move the active option (the focus stays in the input), Home and End jump.
    page.keyboard.press("ArrowDown")
    expect(combobox).to_have_attribute("aria-activedescendant", options.nth(0).get_attribute("id"))
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("End")
    last = options.nth(options.count() - 1)
    expect(combobox).to_have_attribute("aria-activedescendant", last.get_attribute("id"))
    page.keyboard.press("Home")
    expect(combobox).to_have_attribute("aria-activedescendant", options.nth(0).get_attribute("id"))
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(combobox).to_have_attribute("aria-expanded", "false")

    # More letters narrow it down: Finnish letters or not.
    combobox.fill("")
    page.keyboard.type("tahtitai")
    expect(options).to_have_count(1)
    expect(page.get_by_role("status").filter(has_text="found")).to_have_text("1 unit found.")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(combobox).to_have_value("Päiväkoti Tähtitaivas")
    expect(listbox).to_be_hidden()
    expect(page.locator("[data-unit-picker-chosen]")).to_contain_text("Uudenmaankatu 20")
    assert page.url.endswith("/accounts/signup/"), "Enter chose; it did not send the form"

    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url("/accounts/signup/sent/")
    assert User.objects.get(email=EMAIL).unit.name == "Päiväkoti Tähtitaivas"


def test_choose_with_the_pointer_on_a_wide_screen(new_page, demo_accounts, axe_check):
    page = new_page("desktop", locale="en-GB", viewport={"width": 1366, "height": 900})
    combobox = start_sign_up(page)
    page.keyboard.type("puola")
    option = page.get_by_role("option", name="Puolalan koulu")
    expect(option).to_be_visible()
    shot(page, "signup-open-1366")
    axe_check(page)
    option.click()
    expect(combobox).to_have_value("Puolalan koulu")
    expect(combobox).to_be_focused()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url("/accounts/signup/sent/")
    assert User.objects.get(email=EMAIL).unit.name == "Puolalan koulu"


def test_an_address_of_another_organisation_gets_its_units(new_page, demo_accounts):
    page = new_page("phone", locale="en-GB")
    page.goto("/accounts/signup/")
    page.locator("main input[name=email]").fill("maija@kaarina.demo.example")
    page.get_by_role("combobox", name="Your unit").click()
    page.keyboard.type("koulu")
    labels = page.locator("[role=listbox] .unit-picker-label")
    expect(labels.first).to_be_visible()
    assert not set(labels.all_inner_texts()) & turku_units()


def test_without_script_the_server_lists_the_matches(new_page, demo_accounts):
    page = new_page("phone", locale="en-GB", java_script_enabled=False)
    page.goto("/accounts/signup/")
    page.locator("main input[name=email]").fill(EMAIL)
    page.locator("main input[name=full_name]").fill("Uusi Käyttäjä")
    page.get_by_label("Your unit").fill("koulu")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_contain_text("Several units match “koulu”")
    expect(page.locator(".unit-picker-matches input[type=radio]").first).to_be_visible()
    shot(page, "signup-nojs-choices-390")
    page.get_by_role("radio", name="Vasaramäen koulu").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url("/accounts/signup/sent/")
    assert User.objects.get(email=EMAIL).unit.name == "Vasaramäen koulu"


def test_sent_without_choosing_the_matches_are_listed_and_pass_axe(
    new_page, demo_accounts, axe_check
):
    """With script too, a typed text that was not chosen is resolved by the server."""
    page = new_page("desktop", locale="en-GB", viewport={"width": 1366, "height": 900})
    combobox = start_sign_up(page)
    page.keyboard.type("koulu")
    page.keyboard.press("Tab")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_contain_text("Several units match “koulu”")
    shot(page, "signup-choices-1366")
    axe_check(page)
    page.get_by_role("radio", name="Puolalan koulu").check()
    expect(combobox).to_have_value("Puolalan koulu")  # the script follows the radio button
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url("/accounts/signup/sent/")
    assert User.objects.get(email=EMAIL).unit.name == "Puolalan koulu"
