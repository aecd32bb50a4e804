"""Reserving on behalf of a unit (issue 20, item 4): the warehouse reserves a sofa for the
school that asked for it by phone. On a desktop they type the school's name in "For unit",
choose it from the suggestions and reserve; the reservation is the school's, recorded as
made by them. The school's staff member finds it on a phone among the unit's own."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from reservations.models import Reservation
from tests.factories import ListingFactory, UnitFactory

from .helpers import RESERVER, WAREHOUSE

pytestmark = pytest.mark.browser
SHOTS = Path("/work/shots")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"actfor-{name}.png"), full_page=True)


def english_page(new_page, live_asgi_server, size, **options):
    page = new_page(size, locale="en-GB", **options)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_asgi_server}])
    return page


def test_the_warehouse_reserves_for_a_school_and_the_school_sees_it_as_its_own(
    new_page, live_asgi_server, demo_accounts, force_login, axe_check
):
    worker, teacher = demo_accounts[WAREHOUSE], demo_accounts[RESERVER]
    school = teacher.unit
    assert worker.unit_id != school.pk
    giver = UnitFactory(department=school.department, name="Kirjasto Aura")
    sofa = ListingFactory(owner_unit=giver, title="Blue sofa", quantity=2)

    # 1. The warehouse worker reserves it for the school, choosing the school by typing.
    w = english_page(new_page, live_asgi_server, "desktop", viewport={"width": 1366, "height": 900})
    force_login(w, worker)
    w.goto(f"/listings/{sofa.pk}/reserve/")
    combobox = w.get_by_role("combobox", name="For unit (optional)")
    combobox.click()
    w.keyboard.type(school.name[:6])
    option = w.get_by_role("option").filter(has_text=school.name).first
    expect(option).to_be_visible()
    axe_check(w)  # with the suggestions open
    option.click()
    expect(combobox).to_have_value(school.name)
    form = w.locator("[data-reserve-form]")
    form.locator("input[name=contact_phone]").fill("040 765 4321")
    shot(w, "reserve-form-1366")
    form.locator("button[type=submit]").first.click()
    expect(w).to_have_url(re.compile(r"/reservations/\d+/$"))
    reservation = Reservation.objects.get(listing=sofa)
    assert (reservation.unit_id, reservation.requested_by_id, reservation.on_behalf) == (
        school.pk,
        worker.pk,
        True,
    )
    expect(w.locator("[data-on-behalf]")).to_contain_text(
        f"{school.name}, made on its behalf by {worker.full_name}"
    )
    expect(w.locator(".messages")).to_contain_text(f"Made for {school.name}")
    axe_check(w)
    shot(w, "reservation-1366")

    # 2. The school's staff member sees it on a phone as the unit's own, saying who made it.
    t = english_page(new_page, live_asgi_server, "phone")
    force_login(t, teacher)
    t.goto("/reservations/")
    ours = t.locator("[data-reservations=ours]")
    expect(ours).to_contain_text("Blue sofa")
    expect(ours.locator("[data-on-behalf]")).to_have_text(
        f"by {worker.full_name} for {school.name}"
    )
    shot(t, "list-390")
    t.get_by_role("link", name="Blue sofa").click()
    expect(t.get_by_text("Cancel the reservation").first).to_be_visible()
    shot(t, "reservation-390")
    t.goto(f"/listings/{sofa.pk}/reserve/")
    expect(t.get_by_role("combobox", name="For unit (optional)")).to_have_count(0)  # staff

    # 3. The giving unit's item page history says by whom for whom.
    w.goto(f"/listings/{sofa.pk}/")
    force_login(w, sofa.created_by)
    w.goto(f"/listings/{sofa.pk}/")
    expect(w.locator(".history-list")).to_contain_text(f"for {school.name}")
    shot(w, "history-1366")

    # 4. A phone-sized reserve form for the warehouse, for the record of how it looks.
    p = english_page(new_page, live_asgi_server, "phone")
    force_login(p, worker)
    p.goto(f"/listings/{sofa.pk}/reserve/")
    expect(p.get_by_role("combobox", name="For unit (optional)")).to_be_visible()
    shot(p, "reserve-form-390")
    p.goto("/wanted/new/")
    expect(p.get_by_role("combobox", name="For unit (optional)")).to_be_visible()
    shot(p, "wanted-form-390")
