"""Accounts in a real browser: sign-in, role navigation, languages, keyboard, accessibility."""

import re

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from playwright.sync_api import expect

from kierratys.accounts.models import User
from kierratys.accounts.roles import COORDINATOR, STAFF, WAREHOUSE
from kierratys.demo import DEMO_PASSWORD
from kierratys.navigation import ENTRIES

from .helpers import COORDINATOR as COORDINATOR_EMAIL
from .helpers import LISTER, RESERVER, focused, switch_language, tab_to
from .helpers import WAREHOUSE as WAREHOUSE_EMAIL

pytestmark = pytest.mark.browser

# The roles of the demo accounts, as documented in the README.
DEMO_ROLES = {
    LISTER: {STAFF},
    RESERVER: {STAFF},
    WAREHOUSE_EMAIL: {STAFF, WAREHOUSE},
    COORDINATOR_EMAIL: {STAFF, COORDINATOR},
}

SIGN_OUT = {"fi": "Kirjaudu ulos", "sv": "Logga ut", "en": "Sign out"}
SIGN_IN = {"fi": "Kirjaudu sisään", "sv": "Logga in", "en": "Sign in"}

PUBLIC_PAGES = {
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
    "password-reset": "/accounts/password_reset/",
}


def _page_exists(url_name: str) -> bool:
    try:
        reverse(url_name)
    except NoReverseMatch:
        return False
    return True


def expected_nav(email: str) -> set[str]:
    """Entries the account's roles allow, among the pages this build has."""
    return {
        key
        for key, _label, url_name, role in ENTRIES
        if role in DEMO_ROLES[email] and _page_exists(url_name)
    }


def nav_keys(page, selector: str = "nav[aria-label] a[data-nav]") -> set[str]:
    return set(page.locator(selector).evaluate_all("links => links.map(a => a.dataset.nav)"))


def current_nav_keys(page) -> set[str]:
    return nav_keys(page, "nav[aria-label] a[data-nav][aria-current=page]")


def open_account_menu(page):
    menu = page.locator("details.account-menu")
    if not menu.evaluate("details => details.open"):
        menu.locator("summary").click()
    return menu


# --- Sign-in, roles and languages ---------------------------------------------------------


@pytest.mark.parametrize("email", list(DEMO_ROLES))
def test_demo_account_sees_its_navigation_in_each_language(page, demo_accounts, login, email):
    user = demo_accounts[email]
    login(page, email)
    expected = expected_nav(email)
    assert nav_keys(page) == expected
    expect(page.locator(".account-menu summary .account-name")).to_have_text(user.get_short_name())

    for code in ["sv", "en", "fi"]:
        switch_language(page, code)
        menu = open_account_menu(page)
        expect(menu.locator(".account-panel")).to_contain_text(user.full_name)
        with translation.override(code):  # the unit by its name in the page's language
            unit_name = user.unit.display_name
        expect(menu.locator(".account-panel")).to_contain_text(unit_name)
        expect(menu.get_by_role("button", name=SIGN_OUT[code], exact=True)).to_be_visible()
        assert nav_keys(page) == expected, f"navigation changed with the language ({code})"
        admin_link = menu.locator("a[href='/admin/']")
        expect(admin_link).to_have_count(1 if email == COORDINATOR_EMAIL else 0)


def test_navigation_follows_the_roles(new_page, demo_accounts, force_login):
    seen = {}
    for email in DEMO_ROLES:
        page = new_page("desktop")
        force_login(page, demo_accounts[email])
        page.goto("/")
        seen[email] = nav_keys(page)
        page.context.close()
    staff = seen[LISTER]
    assert seen[RESERVER] == staff
    assert seen[WAREHOUSE_EMAIL] >= staff, "warehouse staff see everything unit staff see"
    assert seen[COORDINATOR_EMAIL] >= staff, "coordinators see everything unit staff see"
    assert "warehouse" not in staff | seen[COORDINATOR_EMAIL]
    assert "reports" in staff  # every unit sees its own figures


def test_every_navigation_entry_opens_its_page(page, demo_accounts, force_login):
    force_login(page, demo_accounts[COORDINATOR_EMAIL])
    page.goto("/")
    targets = page.locator("nav[aria-label] a[data-nav]").evaluate_all(
        "links => links.map(a => [a.dataset.nav, a.getAttribute('href')])"
    )
    for key, href in targets:
        response = page.goto(href)
        assert response.status == 200, f"{key}: {href} answered {response.status}"
        assert key in current_nav_keys(page), f"{key} is not marked current on its own page"


def test_only_one_navigation_entry_is_current(page, demo_accounts, force_login):
    force_login(page, demo_accounts[COORDINATOR_EMAIL])
    page.goto("/")
    targets = page.locator("nav[aria-label] a[data-nav]").evaluate_all(
        "links => links.map(a => [a.dataset.nav, a.getAttribute('href')])"
    )
    for key, href in targets:
        page.goto(href)
        assert current_nav_keys(page) == {key}, f"on {href}"


def test_language_choice_sticks_across_pages_and_signing_in_again(page, demo_accounts, login):
    login(page, LISTER)
    switch_language(page, "sv")
    page.goto("/accounts/password_change/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    assert User.objects.get(email=LISTER).language == "sv"

    open_account_menu(page).get_by_role("button", name=SIGN_OUT["sv"]).click()
    expect(page).to_have_url("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.locator("main h1")).to_have_text(SIGN_IN["sv"])

    login(page, LISTER)
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(open_account_menu(page).locator(".account-panel")).to_contain_text(SIGN_OUT["sv"])


def test_language_chosen_before_signing_in_is_kept(page, demo_accounts, login):
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    switch_language(page, "en")
    expect(page.locator("main h1")).to_have_text(SIGN_IN["en"])
    login(page, RESERVER)
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_sign_up_then_choose_the_password_on_the_link_page(
    new_page, demo_accounts, run_tasks, axe_check, screenshot
):
    """The owner of the address chooses the password: on the page the emailed link opens."""
    page = new_page("phone", locale="en-GB")
    page.goto(PUBLIC_PAGES["signup"])
    assert page.locator("main input[type=password]").count() == 0
    page.locator("main input[name=email]").fill("Uusi.Kayttaja@demo.example")
    page.locator("main input[name=full_name]").fill("Uusi Käyttäjä")
    # The unit by typing: the picker suggests the units of the address's organisation.
    page.get_by_role("combobox", name="Your unit").fill("tähti")
    page.get_by_role("option", name="Päiväkoti Tähtitaivas").click()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url("/accounts/signup/sent/")

    run_tasks()  # the worker sends the queued mail
    [message] = mail.outbox
    path = re.search(r"https?://[^/\s]+(/accounts/verify/\S+/)", message.body).group(1)
    page.goto(path)
    expect(page.locator("main input[name=full_name]")).to_have_value("Uusi Käyttäjä")
    screenshot(page, "verify-email-phone")
    axe_check(page)
    password = "vihrea-tuoli-kiertaa-42"
    page.locator("main input[name=password1]").fill(password)
    page.locator("main input[name=password2]").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url("/accounts/login/")

    page.locator("main input[name=username]").fill("uusi.kayttaja@demo.example")
    page.locator("main input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".account-menu summary")).to_contain_text("Uusi")
    assert User.objects.get(email="uusi.kayttaja@demo.example").is_active


# --- Keyboard -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(PUBLIC_PAGES["login"], id="login"),
        pytest.param(PUBLIC_PAGES["signup"], id="signup"),
        pytest.param(PUBLIC_PAGES["password-reset"], id="password-reset"),
    ],
)
def test_first_tab_reaches_the_skip_link_and_enter_moves_focus_to_main(page, path):
    page.goto(path)
    page.keyboard.press("Tab")
    assert focused(page)["cls"] == "skip-link", f"first Tab went to {focused(page)}"
    skip_link = page.locator(".skip-link")
    box = skip_link.bounding_box()
    assert box and box["y"] >= 0, "the focused skip link must be visible"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    # The next Tab continues inside the main content, not in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_sign_in_with_the_keyboard_only(page, demo_accounts):
    page.goto("/accounts/login/")
    tab_to(page, "input[name=username]", limit=30)
    page.keyboard.type(LISTER)
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator(".account-menu summary")).to_contain_text("Liisa")

    # The account menu opens, and signs out, from the keyboard as well.
    tab_to(page, ".account-menu summary", limit=30)
    page.keyboard.press("Enter")
    expect(page.locator(".account-panel")).to_be_visible()
    tab_to(page, ".account-panel form[action$='/logout/'] button", limit=30)
    page.keyboard.press("Enter")
    expect(page).to_have_url("/accounts/login/")


# --- Accessibility and screenshots --------------------------------------------------------


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize(
    "name",
    [
        "login",
        "signup",
        pytest.param("password-reset"),
    ],
)
def test_public_pages_pass_axe(new_page, axe_check, screenshot, name, size):
    page = new_page(size)
    page.goto(PUBLIC_PAGES[name])
    screenshot(page, f"{name}-{size}")
    axe_check(page)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_forms_with_errors_pass_axe(new_page, demo_accounts, axe_check, screenshot, size):
    page = new_page(size)
    page.goto(PUBLIC_PAGES["login"])
    page.locator("main input[name=username]").fill(LISTER)
    page.locator("main input[name=password]").fill("not-the-password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    screenshot(page, f"login-error-{size}")
    axe_check(page)

    page.goto(PUBLIC_PAGES["signup"])
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    screenshot(page, f"signup-errors-{size}")
    axe_check(page)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_home_after_sign_in_passes_axe(new_page, demo_accounts, login, axe_check, screenshot, size):
    page = new_page(size)
    login(page, COORDINATOR_EMAIL)  # lands on the front page
    screenshot(page, f"home-{size}")
    axe_check(page)
    open_account_menu(page)
    expect(page.locator(".account-panel")).to_be_visible()
    screenshot(page, f"home-account-menu-{size}")
    axe_check(page)


def test_password_pages_use_the_service_layout(page, demo_accounts, force_login):
    force_login(page, demo_accounts[LISTER])
    paths = [
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/password_change/",
        "/accounts/password_change/done/",
    ]
    foreign = []
    for path in paths:
        page.goto(path)
        # Plain counts: the page has loaded, and an expectation would wait for a change.
        if page.locator("header.site-header").count() != 1:
            foreign.append(f"{path}: {page.title()}")
    assert not foreign, "pages without the service's layout:\n" + "\n".join(foreign)
