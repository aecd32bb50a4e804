"""The coordinator's "Organisation" page: the main navigation fits one line at 1366 px, and
on a phone the tools stack in one column; keyboard reaches each; no serious WCAG issue."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kierratys.navigation import organisation_tools

from .helpers import COORDINATOR

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots")
WIDE = {"viewport": {"width": 1366, "height": 900}}


def keep(path: Path, name: str) -> None:
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / f"organisation-{name}.png")


def test_the_coordinators_tools_are_one_entry_away(
    new_page, demo_accounts, force_login, axe_check, screenshot
):
    desk = new_page("desktop", locale="en-GB", **WIDE)
    force_login(desk, demo_accounts[COORDINATOR])
    desk.goto("/")
    links = desk.locator("nav[aria-label] a[data-nav]")
    tops = set(
        links.evaluate_all("links => links.map(a => Math.round(a.getBoundingClientRect().top))")
    )
    assert len(tops) == 1, "the main navigation wraps onto a second line at 1366 px"

    desk.locator("a[data-nav=organisation]").click()
    expect(desk).to_have_url("/organisation/")
    expect(desk.locator("a[data-nav=organisation]")).to_have_attribute("aria-current", "page")
    expect(desk.locator("main [data-tool]")).to_have_count(len(organisation_tools()))
    keep(screenshot(desk, "organisation-desktop"), "desktop")
    axe_check(desk)

    phone = new_page("phone", locale="en-GB")
    force_login(phone, demo_accounts[COORDINATOR])
    phone.goto("/organisation/")
    lefts = set(
        phone.locator("main [data-tool]").evaluate_all(
            "tools => tools.map(t => Math.round(t.getBoundingClientRect().left))"
        )
    )
    assert len(lefts) == 1, "the tools stack in one column on a phone"
    keep(screenshot(phone, "organisation-phone"), "phone")
    phone.locator("main [data-tool=pauses] a").focus()
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="Ordering pauses", level=1)).to_be_visible()
    expect(phone.locator("a[data-nav=organisation]")).to_have_attribute("aria-current", "page")
