"""Booking a loan for another unit (issue 20): the warehouse books camp beds for a school
by typing its name in the shared "For unit" picker, on a desktop; the catalogue shows the
item's "For loan" badge on a phone and filters for loan."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reservations.loans.models import Loan
from tests.factories import ListingFactory, loan_listing

from .helpers import LISTER, RESERVER, WAREHOUSE

pytestmark = pytest.mark.browser
SHOTS = Path("/work/shots")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"loans2-{name}.png"), full_page=True)


def english_page(new_page, live_asgi_server, size, **options):
    page = new_page(size, locale="en-GB", **options)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_asgi_server}])
    return page


def test_the_warehouse_books_a_loan_for_a_school_by_typing_its_name(
    new_page, live_asgi_server, demo_accounts, force_login, axe_check
):
    worker, teacher = demo_accounts[WAREHOUSE], demo_accounts[RESERVER]
    school = teacher.unit
    beds = loan_listing(title="Camp bed", quantity=3)
    w = english_page(new_page, live_asgi_server, "desktop", viewport={"width": 1366, "height": 900})
    force_login(w, worker)
    w.goto(f"/loans/item/{beds.pk}/")
    first = timezone.localdate() + timedelta(days=2)
    form = w.locator("[data-loan-form]")
    form.locator("input[name=start]").fill(first.isoformat())
    form.locator("input[name=end]").fill((first + timedelta(days=3)).isoformat())
    combobox = w.get_by_role("combobox", name="For unit (optional)")
    combobox.click()
    w.keyboard.type(school.name[:6])
    option = w.get_by_role("option").filter(has_text=school.name).first
    expect(option).to_be_visible()
    axe_check(w)
    option.click()
    expect(combobox).to_have_value(school.name)
    shot(w, "loan-for-unit-1366")
    form.locator("button[type=submit]").click()
    expect(w).to_have_url(re.compile(r"/loans/\d+/$"))
    loan = Loan.objects.get(listing=beds)
    assert (loan.unit_id, loan.booked_by_id) == (school.pk, worker.pk)


def test_the_catalogue_badges_and_filters_items_for_loan(
    new_page, live_asgi_server, demo_accounts, force_login, axe_check
):
    beds = loan_listing(title="Camp bed", quantity=3)
    ListingFactory(title="Grey office chair")
    p = english_page(new_page, live_asgi_server, "phone")
    force_login(p, demo_accounts[RESERVER])
    p.goto("/listings/")
    card = p.locator(f'[data-listing-id="{beds.pk}"]')
    expect(card.locator("[data-for-loan]")).to_have_text("For loan")
    shot(p, "catalogue-390")
    p.goto("/listings/?lending=loan")
    expect(p.locator(".card-item")).to_have_count(1)
    expect(p.locator("[data-chip=lending]")).to_contain_text("For loan")
    axe_check(p)
    shot(p, "catalogue-for-loan-390")
    d = english_page(new_page, live_asgi_server, "desktop", viewport={"width": 1366, "height": 900})
    force_login(d, demo_accounts[RESERVER])
    d.goto("/listings/")
    expect(d.locator(f'[data-listing-id="{beds.pk}"] [data-for-loan]')).to_be_visible()
    shot(d, "catalogue-1366")


def test_the_owner_is_told_why_for_loan_cannot_be_switched_off(
    new_page, live_asgi_server, demo_accounts, force_login, axe_check
):
    from tests.factories import book

    lister = demo_accounts[LISTER]
    beds = loan_listing(title="Camp bed", quantity=3, owner_unit=lister.unit, created_by=lister)
    book(beds, user=demo_accounts[RESERVER])
    for size, name, options in (
        ("phone", "edit-refused-390", {}),
        ("desktop", "edit-refused-1366", {"viewport": {"width": 1366, "height": 900}}),
    ):
        p = english_page(new_page, live_asgi_server, size, **options)
        force_login(p, lister)
        p.goto(f"/listings/{beds.pk}/edit/")
        p.locator("input[name=listing-for_loan]").uncheck()
        p.get_by_role("button", name="Save changes").click()
        error = p.get_by_text("1 loan of this item is booked or out.").last
        expect(error).to_be_visible()
        axe_check(p)
        shot(p, name)
    beds.refresh_from_db()
    assert beds.for_loan
