"""The personal data pages in a browser (issue 23): the coordinator's access log, a
person's page with the export, the anonymise confirmation, and "Download my data" on the
profile; axe (WCAG 2.1 A/AA) at 390 and 1366 px. Screenshots: /work/shots/privacy-*.png."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kierratys.accounts.privacy import services as privacy
from kierratys.accounts.privacy.models import PersonalDataAccess

from ..factories import member_of
from .helpers import COORDINATOR, axe_check

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots")
SIZES = {
    "390": ("phone", {}),
    "1366": ("desktop", {"viewport": {"width": 1366, "height": 900}}),
}


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"privacy-{name}.png"), full_page=True)


@pytest.fixture
def people(demo_accounts):
    coordinator = demo_accounts[COORDINATOR]
    organisation = coordinator.unit.department.organisation
    sanna = member_of(organisation, full_name="Sanna Seppälä", phone="040 765 4321")
    for name, what in [
        ("Ville Varastolainen", PersonalDataAccess.What.RUN_SHEET),
        ("Liisa Luovuttaja", PersonalDataAccess.What.RESERVATION_CONTACT),
    ]:
        privacy.personal_data_viewed(
            viewer=member_of(organisation, full_name=name),
            subjects=[privacy.Subject(user_id=sanna.pk, description="Sanna S. (varaaja)")],
            what=what,
            ref="reservation:12",
        )
    return coordinator, sanna


@pytest.mark.parametrize("width", list(SIZES))
def test_the_coordinators_privacy_pages(new_page, force_login, people, width):
    coordinator, sanna = people
    size, options = SIZES[width]
    page = new_page(size, locale="en-GB", **options)
    force_login(page, coordinator)

    page.goto("/organisation/privacy/log/")
    expect(page.locator("[data-log-entry]")).to_have_count(2)
    expect(page.locator("[data-log-entry]").first).to_contain_text("Liisa Luovuttaja")
    shot(page, f"log-{width}")
    axe_check(page)
    page.get_by_label("Name or email").fill("ville")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("[data-log-entry]")).to_have_count(1)

    page.goto(f"/organisation/privacy/users/{sanna.pk}/")
    expect(page.get_by_role("link", name="Download their data (JSON)")).to_be_visible()
    shot(page, f"person-{width}")
    axe_check(page)

    page.get_by_role("link", name="Anonymise this person…").click()
    page.get_by_role("button", name="Anonymise for good").click()
    expect(page.locator(".error-summary")).to_contain_text("Tick the box to confirm.")
    shot(page, f"anonymise-{width}")
    axe_check(page)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Anonymise for good").click()
    expect(page.locator("[data-anonymised]")).to_be_visible()
    expect(page.locator("h1")).not_to_contain_text("Sanna")


def test_download_my_data_on_the_profile(new_page, force_login, people):
    _coordinator, sanna = people
    page = new_page("phone", locale="en-GB")
    force_login(page, sanna)
    page.goto("/accounts/profile/")
    link = page.get_by_role("link", name="Download my data")
    with page.expect_download() as download:
        link.click()
    assert "040 765 4321" in Path(download.value.path()).read_text()
    page.locator("[data-my-data]").scroll_into_view_if_needed()
    shot(page, "profile-390")
    axe_check(page)
