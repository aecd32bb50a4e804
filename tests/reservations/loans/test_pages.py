"""Loan pages (issue 20): the item page's calendar and booking form, a loan's page, the
handover by the label, and the lists; bad input answers with its message and status."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from kierratys.accounts.roles import WAREHOUSE
from listings.models import Listing
from reservations.loans.models import Loan

from ...factories import (
    ListingFactory,
    UnitFactory,
    UserFactory,
    book,
    loan_listing,
    member_of,
    other_organisation,
    unit_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    """The pages are asserted in English."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def days(n):
    return timezone.localdate() + timedelta(days=n)


def iso(n):
    return days(n).isoformat()


def post_booking(client, listing, **data):
    page = client.get(f"/loans/item/{listing.pk}/")
    token = page.context["form"].data.get("submission") or _token(page)
    return client.post(f"/loans/item/{listing.pk}/", {"submission": token, **data})


def _token(page):
    import re

    return re.search(r'name="submission" value="([^"]+)"', page.text)[1]


def test_the_item_page_shows_a_calendar_with_free_and_booked_days(client):
    bikes = loan_listing(quantity=1)
    book(bikes, start=days(1), end=days(1))
    client.force_login(UserFactory())
    page = client.get(bikes.get_absolute_url())
    assert page.status_code == 200
    html = page.text
    assert 'data-live-region="loan-calendar"' in html
    assert f'data-day="{iso(1)}" data-free="0"' in html
    assert "booked" in html and "1 free" in html
    assert "live-loans.js" in html
    assert 'action="/loans/item/' in html  # the booking form
    assert 'action="/listings/' not in html.split("data-loan-box")[1].split("</section>")[0]


def test_next_and_previous_month_links_work_without_javascript(client):
    bikes = loan_listing()
    client.force_login(UserFactory())
    first = client.get(bikes.get_absolute_url())
    following = days(0).replace(day=1) + timedelta(days=32)
    assert f"?month={following:%Y-%m}#loan-calendar" in first.text
    page = client.get(f"{bikes.get_absolute_url()}?month={following:%Y-%m}")
    assert page.status_code == 200
    assert f'data-day="{following.replace(day=1).isoformat()}"' in page.text
    assert 'rel="prev"' in page.text
    assert client.get(f"{bikes.get_absolute_url()}?month=nonsense").status_code == 200
    huge = "?month=99999999999999999999-01"
    assert client.get(f"{bikes.get_absolute_url()}{huge}").status_code == 200
    assert client.get(f"/loans/item/{bikes.pk}/{huge}").status_code == 200


def test_booking_from_the_form_and_seeing_it_in_my_loans(client):
    bikes = loan_listing(quantity=2)
    borrower = UserFactory()
    client.force_login(borrower)
    answer = post_booking(client, bikes, start=iso(1), end=iso(3), quantity="2")
    loan = Loan.objects.get()
    assert answer.status_code == 302 and answer.url == f"/loans/{loan.pk}/"
    page = client.get(answer.url)
    assert "Booked: 2 ×" in page.text
    mine = client.get("/loans/")
    assert bikes.title in mine.text


@pytest.mark.parametrize(
    "data, status, text",
    [
        ({"start": iso(-1), "end": iso(1)}, 400, "The first day cannot be in the past."),
        ({"start": iso(3), "end": iso(1)}, 400, "The last day cannot be before the first day."),
        ({"start": iso(1), "end": iso(30)}, 400, "at most 14 days at a time"),
        ({"start": iso(1), "end": iso(2), "quantity": "5"}, 400, "between 1 and 2"),
        ({"start": "", "end": iso(2)}, 400, "This field is required."),
    ],
)
def test_bad_bookings_say_why_and_book_nothing(client, data, status, text):
    bikes = loan_listing(quantity=2)
    client.force_login(UserFactory())
    answer = post_booking(client, bikes, **{"quantity": "1", **data})
    assert answer.status_code == status
    assert text in answer.content.decode()
    assert not Loan.objects.exists()


def test_a_full_day_is_409_with_the_calendar_as_it_is_now(client):
    bikes = loan_listing(quantity=1)
    book(bikes, start=days(2), end=days(2))
    client.force_login(UserFactory())
    answer = post_booking(client, bikes, start=iso(1), end=iso(3), quantity="1")
    assert answer.status_code == 409
    assert "is fully booked" in answer.content.decode()
    assert Loan.objects.count() == 1


def test_own_item_shows_no_booking_form_and_booking_it_is_refused(client):
    bikes = loan_listing()
    client.force_login(bikes.created_by)
    page = client.get(bikes.get_absolute_url())
    assert "data-loan-form" not in page.text
    answer = client.post(
        f"/loans/item/{bikes.pk}/", {"start": iso(1), "end": iso(2), "quantity": "1"}
    )
    assert answer.status_code == 400


def test_a_listing_for_keeps_has_no_booking_page(client):
    client.force_login(UserFactory())
    assert client.get(f"/loans/item/{ListingFactory().pk}/").status_code == 404


def test_another_organisation_gets_404_for_the_item_and_the_loan(client):
    bikes = loan_listing()
    loan = book(bikes)
    client.force_login(member_of(other_organisation()))
    assert client.get(f"/loans/item/{bikes.pk}/").status_code == 404
    for url in (f"/loans/{loan.pk}/", f"/loans/{loan.pk}/pick-up/", f"/loans/{loan.pk}/return/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/loans/{loan.pk}/cancel/").status_code == 404
    loan.refresh_from_db()
    assert loan.status == Loan.Status.BOOKED


def test_warehouse_staff_book_for_a_unit_and_the_loan_says_by_whom(client):
    bikes = loan_listing()
    school = UnitFactory(name="Puolalan koulu")
    staff = UserFactory(roles=[WAREHOUSE], full_name="Varasto Väinö")
    client.force_login(staff)
    page = client.get(f"/loans/item/{bikes.pk}/")
    assert 'name="unit"' in page.text
    answer = post_booking(client, bikes, start=iso(1), end=iso(2), quantity="1", unit=school.pk)
    loan = Loan.objects.get()
    assert (loan.unit, loan.booked_by) == (school, staff)
    detail = client.get(answer.url).text
    assert "by Varasto Väinö for Puolalan koulu" in detail


def test_the_for_unit_field_is_the_shared_type_ahead_picker_of_the_organisation(client):
    bikes = loan_listing()
    school = UnitFactory(name="Puolalan koulu")
    staff = UserFactory(roles=[WAREHOUSE])
    client.force_login(staff)
    page = client.get(f"/loans/item/{bikes.pk}/").text
    assert "data-unit-picker" in page and 'name="unit_text"' in page
    assert "js/unit-picker.js" in page
    # Without script the typed name is looked up on the server.
    answer = post_booking(
        client, bikes, start=iso(1), end=iso(2), quantity="1", unit_text="Puolalan"
    )
    assert answer.status_code == 302
    assert Loan.objects.get().unit == school


def test_another_organisations_unit_cannot_be_picked(client):
    bikes = loan_listing()
    foreign = unit_of(other_organisation())
    client.force_login(UserFactory(roles=[WAREHOUSE]))
    answer = post_booking(client, bikes, start=iso(1), end=iso(2), quantity="1", unit=foreign.pk)
    assert answer.status_code == 400
    assert "Choose a unit of your organisation from the list." in answer.text
    assert not Loan.objects.exists()


def test_unit_staff_are_not_offered_other_units(client):
    bikes = loan_listing()
    client.force_login(UserFactory())
    assert 'name="unit"' not in client.get(f"/loans/item/{bikes.pk}/").text


def test_hand_out_and_take_back_by_the_label(client):
    bikes = loan_listing(quantity=1)
    loan = book(bikes, start=days(0), end=days(3))
    client.force_login(bikes.created_by)
    wrong = client.post(f"/loans/{loan.pk}/pick-up/", {"scanned_code": "K-999999"})
    assert wrong.status_code == 400
    assert "No item has this code" in wrong.content.decode()
    answer = client.post(f"/loans/{loan.pk}/pick-up/", {"scanned_code": bikes.code})
    assert answer.status_code == 302
    again = client.post(f"/loans/{loan.pk}/pick-up/", {"scanned_code": bikes.code})
    assert again.status_code == 409
    damaged = client.post(
        f"/loans/{loan.pk}/return/", {"condition": "damaged", "scanned_code": bikes.code}
    )
    assert damaged.status_code == 400 and "Describe the damage" in damaged.content.decode()
    answer = client.post(
        f"/loans/{loan.pk}/return/",
        {"condition": "damaged", "damage_note": "Satula rikki", "scanned_code": bikes.code},
    )
    assert answer.status_code == 302
    page = client.get(f"/loans/{loan.pk}/").text
    assert "Damaged: Satula rikki" in page


def test_the_borrower_cannot_hand_out_and_return_of_never_picked_up_is_409(client):
    bikes = loan_listing()
    borrower = UserFactory()
    loan = book(bikes, user=borrower, start=days(0), end=days(1))
    client.force_login(borrower)
    assert client.get(f"/loans/{loan.pk}/pick-up/").status_code == 404
    client.force_login(bikes.created_by)
    answer = client.post(f"/loans/{loan.pk}/return/", {"condition": "good"})
    assert answer.status_code == 409
    assert "Only a loan that was picked up can be returned." in answer.content.decode()


def test_cancel_by_the_borrower_and_the_owner_must_give_a_reason(client):
    bikes = loan_listing()
    borrower = UserFactory()
    loan = book(bikes, user=borrower)
    client.force_login(bikes.created_by)
    answer = client.post(f"/loans/{loan.pk}/cancel/", {"reason": ""})
    assert answer.status_code == 400
    assert "Tell the borrowing unit why you cancel." in answer.content.decode()
    client.force_login(borrower)
    assert client.post(f"/loans/{loan.pk}/cancel/").status_code == 302
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CANCELLED
    assert client.post(f"/loans/{loan.pk}/cancel/").status_code == 409


def test_overdue_lists(client):
    from reservations.loans import services

    bikes = loan_listing()
    loan = book(bikes, start=days(0), end=days(0))
    services.loan_pick_up(actor=bikes.created_by, loan_id=loan.pk)
    Loan.objects.filter(pk=loan.pk).update(start=days(-3), end=days(-1))
    client.force_login(bikes.created_by)
    assert f'data-loan-id="{loan.pk}"' in client.get("/loans/overdue/").text
    assert client.get("/loans/overdue/warehouse/").status_code == 403
    client.force_login(UserFactory(roles=[WAREHOUSE]))
    assert f'data-loan-id="{loan.pk}"' in client.get("/loans/overdue/warehouse/").text


def test_the_listing_form_offers_for_loan_and_the_longest_loan(client):
    owner = UserFactory()
    client.force_login(owner)
    page = client.get("/listings/new/")
    assert 'name="for_loan"' in page.text and 'name="loan_max_days"' in page.text
    listing = ListingFactory(owner_unit=owner.unit, created_by=owner)
    edit = client.get(f"/listings/{listing.pk}/edit/")
    assert 'name="listing-for_loan"' in edit.text
    data = {
        f"listing-{k}": v
        for k, v in edit.context["form"].initial.items()
        if v is not None and k not in ("photos",)
    }
    data.update({"listing-for_loan": "on", "listing-loan_max_days": "7"})
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
    data = {k: v for k, v in data.items() if v is not False}
    answer = client.post(f"/listings/{listing.pk}/edit/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    listing.refresh_from_db()
    assert listing.for_loan and listing.loan_max_days == 7
    assert Listing.objects.get(pk=listing.pk).for_loan
