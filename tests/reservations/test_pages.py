import re

import pytest
from django.urls import reverse

from kierratys.common.submissions import new_token
from listings.models import Listing
from reservations.models import Reservation

from ..factories import ListingFactory, ReservationFactory, UserFactory, reserve

pytestmark = pytest.mark.django_db
Status = Reservation.Status


def reserve_data(**overrides):
    data = {
        "quantity": "1",
        "handover": "pickup",
        "wanted_date": "",
        "contact_name": "Rasmus Rantanen",
        "contact_phone": "040 123 4567",
        "note": "",
        "submission": new_token(),  # each form sent once (kierratys.common.submissions)
    }
    data.update(overrides)
    return data


def reason_field(html: str, reservation) -> tuple[str, bool]:
    """The reason field of a reservation's cancel form on the list: (its label, required?)."""
    label = re.search(rf'<label for="reason-{reservation.pk}">([^<]*)</label>', html)
    field = re.search(rf'<input[^>]*\bid="reason-{reservation.pk}"[^>]*>', html)
    assert label and field, f"no reason field for reservation {reservation.pk}"
    return label.group(1), bool(re.search(r"\srequired[\s>]", field.group(0)))


@pytest.fixture
def reserver(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_item_page_offers_the_reserve_form(client, reserver):
    listing = ListingFactory(quantity=4)
    page = client.get(reverse("listings:detail", args=[listing.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Reserve for your unit" in page.text
    assert f'action="/listings/{listing.pk}/reserve/"' in page.text
    assert 'max="4"' in page.text


def test_reserve_redirects_to_the_reservation(client, reserver):
    listing = ListingFactory(quantity=4)
    response = client.post(reverse("reserve", args=[listing.pk]), reserve_data(quantity="3"))
    reservation = Reservation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reservations:detail", args=[reservation.pk])
    assert reservation.unit == reserver.unit and reservation.quantity == 3


def test_too_late_is_409_with_the_form_and_a_clear_message(client, reserver):
    listing = ListingFactory(quantity=1)
    reserve(listing)
    response = client.post(
        reverse("reserve", args=[listing.pk]), reserve_data(), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert "Someone else reserved first" in response.text
    assert "waiting list" in response.text
    assert 'name="quantity"' in response.text
    assert Reservation.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quantity": "0"}, "greater than or equal to 1"),
        ({"quantity": "-2"}, "greater than or equal to 1"),
        ({"quantity": "abc"}, "whole number"),
        ({"wanted_date": "2001-01-01"}, "cannot be in the past"),
        ({"contact_phone": ""}, "required"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(client, reserver, data, message):
    listing = ListingFactory(quantity=4)
    response = client.post(
        reverse("reserve", args=[listing.pk]), reserve_data(**data), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert message in response.text
    listing.refresh_from_db()
    assert listing.quantity_available == 4 and not Reservation.objects.exists()


def test_reserving_a_withdrawn_listing_is_400_and_a_draft_404(client, reserver):
    withdrawn = ListingFactory(status=Listing.Status.WITHDRAWN)
    draft = ListingFactory(status=Listing.Status.DRAFT, published_at=None)
    response = client.post(
        reverse("reserve", args=[withdrawn.pk]), reserve_data(), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "not available for reservation" in response.text
    assert client.post(reverse("reserve", args=[draft.pk]), reserve_data()).status_code == 404


def test_reservations_page_shows_both_sides(client, reserver):
    ours = reserve(ListingFactory(title="Tuoli"), user=reserver)
    our_listing = ListingFactory(owner_unit=reserver.unit, title="Pöytä")
    theirs = reserve(our_listing)
    page = client.get(reverse("reservations:list"))
    assert f'data-reservation-id="{ours.pk}"' in page.text
    assert f'data-reservation-id="{theirs.pk}"' in page.text
    assert reverse("reservations:handover", args=[theirs.pk]) in page.text
    assert reverse("reservations:handover", args=[ours.pk]) not in page.text


def test_others_cannot_see_cancel_or_hand_over(client, reserver):
    reservation = ReservationFactory()
    assert client.get(reverse("reservations:detail", args=[reservation.pk])).status_code == 404
    assert client.post(reverse("reservations:cancel", args=[reservation.pk])).status_code == 404
    assert client.get(reverse("reservations:handover", args=[reservation.pk])).status_code == 404
    assert (
        client.post(
            reverse("reservations:handover", args=[reservation.pk]), {"quantity": 1}
        ).status_code
        == 404
    )
    reservation.refresh_from_db()
    assert reservation.status == Status.ACTIVE


def test_cancel_own_reservation(client, reserver):
    reservation = reserve(ListingFactory(quantity=2), user=reserver)
    response = client.post(
        reverse("reservations:cancel", args=[reservation.pk]), {"reason": "Ei tarvita"}
    )
    assert response.status_code == 302
    reservation.refresh_from_db()
    assert reservation.status == Status.CANCELLED


def test_handover_by_typed_code_and_scan_path(client):
    listing = ListingFactory(quantity=3)
    reservation = reserve(listing, quantity=3)
    client.force_login(UserFactory(unit=listing.owner_unit))
    page = client.get(
        reverse("reservations:handover", args=[reservation.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 200 and "Scan the label" in page.text
    wrong = client.post(
        reverse("reservations:handover", args=[reservation.pk]),
        {"quantity": 3, "scanned_code": f"K-{ListingFactory().pk}"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # in the field's error, not only in the scanner's texts on the page
    assert wrong.status_code == 400
    assert re.search(r'class="errors"[^>]*><p>This label belongs to another item', wrong.text)
    ok = client.post(
        reverse("reservations:handover", args=[reservation.pk]),
        {"quantity": 2, "scanned_code": listing.code},
    )
    assert ok.status_code == 302
    reservation.refresh_from_db()
    assert (reservation.status, reservation.quantity_collected) == (Status.COLLECTED, 2)
    again = client.post(
        reverse("reservations:handover", args=[reservation.pk]),
        {"quantity": 1},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert again.status_code == 409  # an illegal transition: collected cannot be collected
    assert "cannot become" in again.text


def test_pickup_slip(client, reserver):
    reservation = ReservationFactory(requested_by=reserver)
    slip = client.get(reverse("reservations:slip", args=[reservation.pk]))
    assert slip.status_code == 200
    assert reservation.listing.code in slip.text and reservation.contact_phone in slip.text


def test_basket_reserves_everything_at_once(client, reserver):
    chairs = ListingFactory(quantity=20)
    tables = ListingFactory(quantity=5)
    client.post(reverse("reservations:basket_add", args=[chairs.pk]), {"quantity": 20})
    client.post(reverse("reservations:basket_add", args=[tables.pk]), {"quantity": 5})
    page = client.get(reverse("reservations:basket"))
    assert chairs.title in page.text and tables.title in page.text
    response = client.post(
        reverse("reservations:basket"),
        {**reserve_data(), f"quantity_{chairs.pk}": 20, f"quantity_{tables.pk}": 5},
    )
    assert response.status_code == 302
    assert Reservation.objects.filter(unit=reserver.unit).count() == 2
    assert client.session["basket"] == {}


def test_basket_conflict_is_409_and_reserves_nothing(client, reserver):
    chairs = ListingFactory(quantity=20)
    tables = ListingFactory(quantity=2)
    client.post(reverse("reservations:basket_add", args=[chairs.pk]), {"quantity": 20})
    client.post(reverse("reservations:basket_add", args=[tables.pk]), {"quantity": 5})
    response = client.post(
        reverse("reservations:basket"),
        {**reserve_data(), f"quantity_{chairs.pk}": 20, f"quantity_{tables.pk}": 5},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert "Only 2 available" in response.text
    assert not Reservation.objects.exists()


@pytest.mark.parametrize(
    ("setup", "quantity", "message"),
    [
        ({"status": Listing.Status.ARCHIVED}, "1", "not available for reservation"),
        ({"available_until": "past"}, "1", "can be reserved from"),
        ({"quantity": 4}, "1000", "less than or equal to 999"),
    ],
    ids=["archived", "out-of-window", "over-999"],
)
def test_reserving_what_cannot_be_had_is_400(client, reserver, setup, quantity, message):
    from datetime import timedelta

    from django.utils import timezone

    if setup.get("available_until") == "past":
        today = timezone.localdate()
        setup = {
            "available_from": today - timedelta(days=30),
            "available_until": today - timedelta(days=1),
        }
    listing = ListingFactory(**setup)
    response = client.post(
        reverse("reserve", args=[listing.pk]),
        reserve_data(quantity=quantity),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert message in response.text
    assert not Reservation.objects.exists()


def test_reserving_our_own_item_is_400(client, reserver):
    listing = ListingFactory(owner_unit=reserver.unit)
    response = client.post(
        reverse("reserve", args=[listing.pk]), reserve_data(), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "cannot reserve its own item" in response.text


def test_joining_the_waiting_list_shows_our_place_in_the_queue(client, reserver):
    listing = ListingFactory(quantity=2)
    reserve(listing, quantity=2)
    reserve(listing, quantity=1, join_waiting_list=True)
    response = client.post(
        reverse("reserve", args=[listing.pk]),
        reserve_data(join_waiting_list="on"),
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    ours = Reservation.objects.get(unit=reserver.unit)
    assert ours.status == Status.WAITING
    assert "You are number 2 on the waiting list" in response.text
    assert "Number 2 in the queue" in response.text


def test_cancelling_twice_is_409_and_says_why(client, reserver):
    reservation = reserve(ListingFactory(), user=reserver)
    url = reverse("reservations:cancel", args=[reservation.pk])
    assert client.post(url).status_code == 302
    again = client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409
    assert "cannot become" in again.text


def test_owner_cancelling_without_a_reason_is_400_and_keeps_the_reservation(client):
    listing = ListingFactory()
    reservation = reserve(listing)
    client.force_login(UserFactory(unit=listing.owner_unit))
    response = client.post(
        reverse("reservations:cancel", args=[reservation.pk]),
        {"reason": " "},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "Tell the reserving unit why you cancel" in response.text
    reservation.refresh_from_db()
    assert reservation.status == Status.ACTIVE


def test_extending_twice_is_409(client):
    listing = ListingFactory()
    reservation = reserve(listing)
    client.force_login(UserFactory(unit=listing.owner_unit))
    url = reverse("reservations:extend", args=[reservation.pk])
    assert client.post(url).status_code == 302
    again = client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409
    assert "already been extended once" in again.text


def test_owner_acts_from_the_reservations_list_and_comes_back_to_it(client):
    listing = ListingFactory(quantity=2)
    first, second = reserve(listing), reserve(listing)
    client.force_login(UserFactory(unit=listing.owner_unit))
    page = client.get(reverse("reservations:list"), HTTP_ACCEPT_LANGUAGE="en")
    for reservation in (first, second):
        assert reverse("reservations:extend", args=[reservation.pk]) in page.text
        assert reverse("reservations:cancel", args=[reservation.pk]) in page.text
    # The owner must say why (the reserving unit is told); the form there is always.
    assert reason_field(page.text, first) == ("Reason (the reserving unit sees it)", True)
    back = client.post(
        reverse("reservations:extend", args=[first.pk]), {"next": reverse("reservations:list")}
    )
    assert back["Location"] == reverse("reservations:list")
    back = client.post(
        reverse("reservations:cancel", args=[second.pk]),
        {"reason": "Rikki", "next": reverse("reservations:list")},
    )
    assert back["Location"] == reverse("reservations:list")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.extended and second.status == Status.CANCELLED
    after = client.get(reverse("reservations:list"), HTTP_ACCEPT_LANGUAGE="en")
    assert reverse("reservations:extend", args=[first.pk]) not in after.text  # once only
    client.force_login(first.requested_by)  # the reserving unit may cancel without a reason
    theirs = client.get(reverse("reservations:list"), HTTP_ACCEPT_LANGUAGE="en")
    assert reason_field(theirs.text, first) == ("Reason (optional)", False)


def test_an_action_never_sends_people_to_another_site(client, reserver):
    listing = ListingFactory()
    response = client.post(
        reverse("reservations:basket_add", args=[listing.pk]),
        {"quantity": 1, "next": "https://evil.example/phish"},
    )
    assert response["Location"] == reverse("reservations:basket")


@pytest.mark.parametrize(
    ("listing_setup", "quantity", "message"),
    [
        ({}, "abc", "Choose a quantity between 1 and 999"),
        ({}, "0", "Choose a quantity between 1 and 999"),
        ({"status": Listing.Status.WITHDRAWN}, "1", "not available for reservation"),
        ({"own": True}, "1", "cannot reserve its own item"),
    ],
    ids=["non-numeric", "zero", "withdrawn", "own-item"],
)
def test_bad_basket_input_is_400_and_reserves_nothing(
    client, reserver, listing_setup, quantity, message
):
    chairs = ListingFactory(quantity=3)
    setup = dict(listing_setup)
    if setup.pop("own", False):
        setup["owner_unit"] = reserver.unit
    odd = ListingFactory(**setup)
    for listing in (chairs, odd):
        client.post(reverse("reservations:basket_add", args=[listing.pk]), {"quantity": 1})
    response = client.post(
        reverse("reservations:basket"),
        {**reserve_data(), f"quantity_{chairs.pk}": 1, f"quantity_{odd.pk}": quantity},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert message in response.text
    assert not Reservation.objects.exists()
    chairs.refresh_from_db()
    assert chairs.quantity_available == 3
