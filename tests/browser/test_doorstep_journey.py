"""At the door (issue 15, items 4-6): a reserver keeps their details on the profile page on
a phone, reserves with the form filled in from them, opens the pickup slip (the giving
unit's contact, phone and a QR of the reservation), and the giving unit hands the item
over by typing the short code `k-<id>`.

Also screenshots of the profile, the slip, the delivery note and the reservation page at
390 and 1366 px wide, with the axe check on each."""

import re

import pytest
from playwright.sync_api import expect

from inventory.models import Warehouse
from listings import services as listing_services
from listings.models import Category
from reservations.models import Reservation

from ..factories import book_delivery, next_working_day, reserve, warehouse_with_slots
from ..images import jpeg_upload
from .helpers import LISTER, RESERVER, decode_qr, in_worker_thread

pytestmark = pytest.mark.browser

WIDE = {"viewport": {"width": 1366, "height": 900}}


def chairs_of(lister, **fields):
    """A published listing with a photo, made through the service like the form does."""
    return in_worker_thread(
        listing_services.listing_create,
        actor=lister,
        unit=lister.unit,
        fields={
            "title": "Sininen työtuoli",
            "category": Category.objects.get(slug="office-chairs"),
            "condition": "good",
            "quantity": 4,
            "description": "Säädettävä selkänoja ja käsinojat.",
            "pickup_instructions": "Kellarin varasto, ovikoodi 1234. Soita tullessa.",
            **fields,
        },
        uploads=[jpeg_upload("front.jpg")],
        publish=True,
    )


def test_profile_reserve_slip_and_short_code_handover(
    new_page, demo_accounts, force_login, server_media, screenshot, axe_check
):
    lister, reserver = demo_accounts[LISTER], demo_accounts[RESERVER]
    lister.phone = "044 987 6543"
    lister.save(update_fields=["phone"])
    chairs = chairs_of(lister)

    # On a phone: the account menu leads to the profile, where the details are kept.
    phone = new_page("phone", locale="en-GB")
    force_login(phone, reserver)
    phone.goto("/reservations/")
    phone.locator(".account-menu summary").click()
    phone.locator('.account-menu a[href="/accounts/profile/"]').click()
    expect(phone).to_have_url(re.compile(r"/accounts/profile/$"))
    expect(phone.locator("[data-profile-unit]")).to_contain_text(reserver.unit.name)
    expect(phone.locator("[data-profile-unit]")).to_contain_text(reserver.unit.department.name)
    phone.get_by_label("Your name").fill("Riikka Reservi")
    phone.get_by_label("Phone", exact=True).fill("040 111 2233")
    phone.get_by_label("Language").select_option("en")
    phone.locator("main form button[type=submit]").click()
    expect(phone).to_have_url(re.compile(r"/accounts/profile/$"))
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.get_by_text("Your details are saved.")).to_be_visible()
    expect(phone.get_by_label("Your name")).to_have_value("Riikka Reservi")
    # nothing wider than the phone
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # The reserve form is filled in from the profile (the prefill is helper delivery's).
    phone.goto(chairs.get_absolute_url())
    form = phone.locator("[data-reserve-form]")
    expect(form.locator("[name=contact_name]")).to_have_value("Riikka Reservi")
    expect(form.locator("[name=contact_phone]")).to_have_value("040 111 2233")
    form.locator("[name=quantity]").fill("2")
    form.locator("button[type=submit]").first.click()
    expect(phone).to_have_url(re.compile(r"/reservations/\d+/$"))
    reservation = Reservation.objects.get(listing=chairs)
    assert (reservation.contact_name, reservation.contact_phone) == (
        "Riikka Reservi",
        "040 111 2233",
    )

    # The slip: instructions, the giving unit's contact and phone, a QR of the reservation.
    phone.get_by_role("link", name="Print pickup slip").click()
    expect(phone).to_have_url(re.compile(rf"/reservations/{reservation.pk}/slip/$"))
    expect(phone.locator("h1")).to_have_text("Pickup slip")
    expect(phone.locator("[data-slip-giver]")).to_contain_text(lister.full_name)
    expect(phone.locator("[data-slip-giver]")).to_contain_text("044 987 6543")
    expect(phone.locator("[data-slip-instructions]")).to_contain_text("ovikoodi 1234")
    expect(phone.locator(".slip-photo")).to_be_visible()
    assert phone.locator(".slip-photo").evaluate("img => img.naturalWidth") > 0
    qr = phone.locator("[data-slip-qr] svg")
    expect(qr).to_be_visible()
    assert [text.rstrip("/") for text in decode_qr(qr)] == [phone.url.rsplit("/slip/", 1)[0]], (
        "the QR opens the reservation"
    )

    # The giving unit types the short code at the door.
    desk = new_page("desktop", locale="en-GB")
    force_login(desk, lister)
    desk.goto(f"/reservations/{reservation.pk}/handover/")
    desk.locator("[name=scanned_code]").fill(f"k-{chairs.pk}")
    desk.locator("[data-handover-submit]").click()
    expect(desk).to_have_url(re.compile(rf"/reservations/{reservation.pk}/$"))
    expect(desk.get_by_text("Handover confirmed.")).to_be_visible()
    reservation.refresh_from_db()
    assert (reservation.status, reservation.quantity_collected) == ("collected", 2)


def test_an_unknown_code_is_told_apart_at_the_handover(new_page, demo_accounts, force_login):
    lister, reserver = demo_accounts[LISTER], demo_accounts[RESERVER]
    chairs = chairs_of(lister)
    reservation = in_worker_thread(reserve, chairs, user=reserver)
    page = new_page("phone", locale="en-GB")
    force_login(page, lister)
    page.goto(f"/reservations/{reservation.pk}/handover/")
    page.locator("[name=scanned_code]").fill("K-999999")
    page.locator("[data-handover-submit]").click()
    expect(page.locator(".field.has-error .errors")).to_contain_text("No item has this code.")


@pytest.mark.parametrize("size", ["phone", "wide"])
def test_doorstep_pages_look_right(
    size, new_page, demo_accounts, force_login, server_media, screenshot, axe_check
):
    lister, reserver = demo_accounts[LISTER], demo_accounts[RESERVER]
    lister.phone = "044 987 6543"
    lister.save(update_fields=["phone"])
    _warehouse, shelves, slots = warehouse_with_slots()
    Warehouse.objects.filter(pk=_warehouse.pk).update(
        name="Kierrätysvarasto Ajurinkatu", opening_hours="ma–pe 8.00–15.00", phone="02 262 5000"
    )
    pickup = in_worker_thread(reserve, chairs_of(lister), user=reserver, quantity=2)
    sofa = chairs_of(lister, title="Harmaa kolmen istuttava sohva", quantity=1)
    sofa.storage_location = shelves[0]
    sofa.save(update_fields=["storage_location"])
    delivery = in_worker_thread(
        reserve, sofa, user=reserver, handover=Reservation.Handover.DELIVERY
    )
    in_worker_thread(book_delivery, delivery, slots, next_working_day(2))

    page = (
        new_page("phone", locale="en-GB")
        if size == "phone"
        else new_page("desktop", locale="en-GB", **WIDE)
    )
    force_login(page, reserver)
    shots = {
        "profile": "/accounts/profile/",
        "slip": f"/reservations/{pickup.pk}/slip/",
        "delivery-note": f"/reservations/{delivery.pk}/slip/",
        "detail": f"/reservations/{pickup.pk}/",
        "detail-delivery": f"/reservations/{delivery.pk}/",
        "list": "/reservations/?status=open",
    }
    width = 390 if size == "phone" else 1366
    for name, url in shots.items():
        page.goto(url)
        axe_check(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        screenshot(page, f"doorstep-{name}-{width}")
    page.goto(f"/reservations/{delivery.pk}/slip/")
    expect(page.locator("h1")).to_have_text("Delivery note")
    expect(page.locator("[data-slip-delivery]")).to_contain_text("08:00–10:00")
    for slip in (pickup, delivery):
        page.goto(f"/reservations/{slip.pk}/slip/")
        pdf = page.pdf(format="A4", print_background=True)
        pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
        assert pages == 1, f"the slip of {slip.handover} prints on {pages} A4 pages"
