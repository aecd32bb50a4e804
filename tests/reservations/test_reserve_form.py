"""The reserve form (issue 15): the waiting list as the main action when none are left, with
the place in the queue; "someone was first" only when someone was; the contact prefilled
from the profile, else the last reservation, then the unit's phone."""

import pytest
from django.urls import reverse

from kierratys.common.submissions import new_token
from reservations import selectors
from reservations.models import Reservation

from ..factories import ListingFactory, UserFactory, reserve

pytestmark = pytest.mark.django_db
Status = Reservation.Status
RACED = "Someone else reserved first"


def reserve_data(**overrides):
    data = {
        "quantity": "1",
        "handover": "pickup",
        "wanted_date": "",
        "contact_name": "Rasmus Rantanen",
        "contact_phone": "040 123 4567",
        "note": "",
        "submission": new_token(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def reserver(client):
    user = UserFactory()
    client.force_login(user)
    return user


def reserve_box(client, listing) -> str:
    page = client.get(reverse("listings:detail", args=[listing.pk]), HTTP_ACCEPT_LANGUAGE="en")
    return page.text.split('class="reserve-box card"')[1].split("</section>")[0]


def gone(waiting=0):
    """A listing of one, reserved by another unit, with `waiting` units queueing."""
    listing = ListingFactory(quantity=1)
    reserve(listing)
    for _ in range(waiting):
        reserve(listing, join_waiting_list=True)
    return listing


# --- the waiting list --------------------------------------------------------------------


def test_with_none_left_the_main_button_joins_the_waiting_list_and_shows_the_place(
    client, reserver
):
    box = reserve_box(client, gone(waiting=2))
    assert '<button type="submit" class="button primary" name="join_waiting_list"' in box
    assert "Join the waiting list</button>" in box
    assert "You would be number 3 in the queue." in box
    assert ">Reserve</button>" not in box and "Add to basket" not in box
    assert 'name="join_waiting_list" id=' not in box  # no checkbox beside the button


def test_a_unit_already_queueing_sees_its_own_place_and_no_second_join(client, reserver):
    listing = gone(waiting=1)
    ours = reserve(listing, user=reserver, join_waiting_list=True)
    reserve(listing, join_waiting_list=True)  # someone queues behind us
    box = reserve_box(client, listing)
    assert "Your unit is number 2 on the waiting list." in box
    assert ours.get_absolute_url() in box
    assert "Join the waiting list</button>" not in box and "You would be" not in box


def test_an_empty_queue_says_we_would_be_first(client, reserver):
    box = reserve_box(client, gone())
    assert "you would be first in the queue" in box


def test_with_some_left_the_main_button_reserves(client, reserver):
    box = reserve_box(client, ListingFactory(quantity=3))
    assert ">Reserve</button>" in box and "Join the waiting list" not in box
    assert "in the queue" not in box


def test_joining_from_the_button_queues_us_and_says_our_number(client, reserver):
    listing = gone(waiting=1)
    response = client.post(
        reverse("reserve", args=[listing.pk]),
        reserve_data(join_waiting_list="on", seen_available="0"),
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    ours = Reservation.objects.get(unit=reserver.unit)
    assert ours.status == Status.WAITING
    assert "You are number 2 on the waiting list." in response.text
    assert RACED not in response.text and "first" not in response.text.split("<main")[1]


def test_asking_for_more_than_the_page_showed_blames_nobody(client, reserver):
    listing = ListingFactory(quantity=1)
    response = client.post(
        reverse("reserve", args=[listing.pk]),
        reserve_data(quantity="3", seen_available="1"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "Only 1 available. Choose a smaller quantity, or join the waiting list." in (
        response.text
    )
    assert RACED not in response.text and "someone reserved" not in response.text
    assert not Reservation.objects.exists()


def test_the_last_one_taken_between_page_and_post_is_a_conflict(client, reserver):
    listing = ListingFactory(quantity=1)
    reserve(listing)  # after our page showed 1
    response = client.post(
        reverse("reserve", args=[listing.pk]),
        reserve_data(seen_available="1"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert RACED in response.text
    # The form again, now offering the waiting list as its main action.
    assert "Join the waiting list</button>" in response.text
    assert "You would be number 1 in the queue." not in response.text
    assert "you would be first in the queue" in response.text


# --- contact prefill ---------------------------------------------------------------------


def prefilled(client, listing) -> tuple[str, str]:
    form = client.get(reverse("reserve", args=[listing.pk])).context["form"]
    return form["contact_name"].value(), form["contact_phone"].value()


def test_the_profile_comes_first(client):
    user = UserFactory(full_name="Pia Profiili", phone="040 111 1111")
    reserve(ListingFactory(), user=user, contact_name="Vanha Nimi", contact_phone="050 999")
    client.force_login(user)
    assert prefilled(client, ListingFactory()) == ("Pia Profiili", "040 111 1111")


def test_without_a_phone_in_the_profile_the_last_reservations_phone(client):
    user = UserFactory(full_name="Pia Profiili", phone="")
    reserve(ListingFactory(), user=user, contact_name="Eka", contact_phone="050 111")
    reserve(ListingFactory(), user=user, contact_name="Toka", contact_phone="050 222")
    client.force_login(user)
    assert prefilled(client, ListingFactory()) == ("Pia Profiili", "050 222")


def test_without_a_name_in_the_profile_the_last_reservations_name(client):
    user = UserFactory(full_name="", phone="040 111 1111")
    reserve(ListingFactory(), user=user, contact_name="Varattu Nimi")
    client.force_login(user)
    assert prefilled(client, ListingFactory()) == ("Varattu Nimi", "040 111 1111")


def test_with_nothing_else_the_units_phone(client):
    user = UserFactory(full_name="Uusi Käyttäjä", phone="")
    user.unit.phone = "02 262 1234"
    user.unit.save()
    client.force_login(user)
    assert prefilled(client, ListingFactory()) == ("Uusi Käyttäjä", "02 262 1234")


def test_the_basket_is_prefilled_the_same_way(client):
    user = UserFactory(full_name="Pia Profiili", phone="")
    reserve(ListingFactory(), user=user, contact_phone="050 333")
    client.force_login(user)
    form = client.get(reverse("reservations:basket")).context["form"]
    assert (form["contact_name"].value(), form["contact_phone"].value()) == (
        "Pia Profiili",
        "050 333",
    )


def test_a_typed_contact_is_kept_when_the_form_comes_back(client):
    user = UserFactory(full_name="Pia Profiili", phone="040 111 1111")
    client.force_login(user)
    listing = ListingFactory()
    response = client.post(
        reverse("reserve", args=[listing.pk]),
        reserve_data(quantity="0", contact_name="Joku Muu", contact_phone="044 555"),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert (form["contact_name"].value(), form["contact_phone"].value()) == ("Joku Muu", "044 555")


def test_the_lookup_is_at_most_two_queries(django_assert_max_num_queries):
    user = UserFactory(full_name="Nimi", phone="")  # no reservations: down to the unit
    user = type(user).objects.get(pk=user.pk)  # nothing cached
    with django_assert_max_num_queries(2):
        contact = selectors.contact_prefill(user=user)
    assert contact == {"contact_name": "Nimi", "contact_phone": user.unit.phone}


def test_a_full_profile_needs_no_query(django_assert_num_queries):
    user = UserFactory(full_name="Pia Profiili", phone="040 111 1111")
    with django_assert_num_queries(0):
        contact = selectors.contact_prefill(user=user)
    assert contact == {"contact_name": "Pia Profiili", "contact_phone": "040 111 1111"}


# --- delivery through the hook: all or nothing ---------------------------------------------


def test_a_refused_delivery_leaves_no_reservation_behind(monkeypatch):
    """Whatever books the delivery (inventory, through reservations.hooks.delivery_book) may
    refuse; then the reservation it was booked for is not written either."""
    from django.core.exceptions import ValidationError

    from kierratys.common.errors import Conflict, status_of
    from listings.models import ListingEvent
    from reservations import hooks

    def full(**kwargs):
        assert Reservation.objects.filter(pk=kwargs["reservation"].pk).exists()  # same transaction
        raise Conflict({"slot": Conflict("Full.", code="slot_full")})

    monkeypatch.setattr(hooks.delivery_book, "receivers", [full])
    listing = ListingFactory(quantity=2)
    with pytest.raises(ValidationError) as refused:
        reserve(listing, handover="delivery", delivery=(1, listing.available_until))
    assert status_of(refused.value) == 409 and refused.value.code == "slot_full"
    assert refused.value.message_dict == {"delivery_slot": ["Full."]}
    listing.refresh_from_db()
    assert listing.quantity_available == 2
    assert not Reservation.objects.exists()
    assert not ListingEvent.objects.filter(listing=listing, kind="reserved").exists()


def test_without_anything_to_book_deliveries_a_delivery_time_is_refused(monkeypatch):
    from django.core.exceptions import ValidationError

    from reservations import hooks

    monkeypatch.setattr(hooks.delivery_book, "receivers", [])
    listing = ListingFactory(quantity=2)
    with pytest.raises(ValidationError) as refused:
        reserve(listing, handover="delivery", delivery=(1, listing.available_until))
    assert list(refused.value.message_dict) == ["delivery_slot"]
    assert not Reservation.objects.exists()
