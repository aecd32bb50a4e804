"""Editable help (issue 21, 7): a coordinator writes the FAQ from the Organisation page on a
phone; a colleague finds it from the footer and reads it rendered; both pages axe-clean."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .helpers import COORDINATOR, LISTER

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots")


def keep(path: Path, name: str) -> None:
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / f"help-{name}.png")


def test_a_coordinator_writes_the_faq_and_staff_read_it(
    new_page, demo_accounts, force_login, axe_check, screenshot
):
    phone = new_page("phone", locale="en-GB")
    force_login(phone, demo_accounts[COORDINATOR])
    phone.goto("/organisation/")
    phone.locator("main [data-tool=help] a").click()
    phone.locator("main [data-kind=faq] a").click()
    axe_check(phone)
    phone.get_by_label("In Finnish").fill("## Kuka noutaa?\n\nYksikkö itse, **arkisin** 8–15.")
    phone.get_by_label("In English").fill("## Who collects?\n\nThe unit itself, **weekdays** 8–15.")
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator(".messages")).to_contain_text("Saved")
    keep(screenshot(phone, "help-manage-phone"), "manage-phone")

    desk = new_page("desktop", locale="en-GB", viewport={"width": 1366, "height": 900})
    force_login(desk, demo_accounts[LISTER])
    desk.goto("/")
    desk.locator("footer").get_by_role("link", name="Help and support").click()
    expect(desk.get_by_role("heading", name="Who collects?")).to_be_visible()
    expect(desk.locator("main strong")).to_have_text("weekdays")
    expect(desk.get_by_role("link", name="Edit the help pages")).to_have_count(0)
    keep(screenshot(desk, "help-desktop"), "desktop")
    axe_check(desk)
