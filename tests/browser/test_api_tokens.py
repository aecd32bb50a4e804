"""The coordinator's API tokens page in Chromium: creating a token shows its secret once,
the page passes axe at phone and desktop sizes, and the API's documentation page loads its
own static Swagger UI under the Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from .helpers import COORDINATOR, axe_check, screenshot

pytestmark = pytest.mark.browser


def _shot(page, name):
    screenshot(page, f"api-{name}")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_coordinator_creates_a_token_and_sees_the_secret_once(
    new_page, force_login, demo_accounts, size
):
    page = new_page(size)
    force_login(page, demo_accounts[COORDINATOR])
    page.goto("/organisation/")
    page.locator("a[href='/organisation/api-tokens/']").first.click()
    expect(page).to_have_url("/organisation/api-tokens/")
    axe_check(page)
    page.locator("#id_name").fill("Hankintajärjestelmä")
    page.locator("input[name=scopes][value=reservations]").check()
    page.locator("#new-token button[type=submit]").click()
    secret = page.locator("#token-secret")
    assert secret.input_value().startswith("kzt_")
    axe_check(page)
    _shot(page, f"tokens-created-{size}")
    page.goto("/organisation/api-tokens/")
    expect(page.locator("#token-secret")).to_have_count(0)
    expect(page.locator("#tokens")).to_contain_text("Hankintajärjestelmä")
    _shot(page, f"tokens-{size}")


def test_the_docs_page_runs_swagger_ui_from_our_static_files(new_page):
    page = new_page("desktop")
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Kierrätys API")
    _shot(page, "docs-desktop")
    # Swagger UI sets one inline style, which the policy blocks (harmless); no script is.
    assert not [e for e in errors if "script-src" in e], errors
