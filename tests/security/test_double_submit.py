"""A form sent twice takes effect once: the second answer is the first one's result page."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.models import Task
from kierratys.accounts.roles import WAREHOUSE
from kierratys.common.submissions import FormSubmission
from listings.models import Listing
from reservations.models import Reservation

from ..factories import CategoryFactory, ListingFactory, UserFactory, reserve, warehouse_with_slots

pytestmark = pytest.mark.django_db


def token_in(page) -> str:
    return re.search(r'name="submission" value="([^"]+)"', page.text).group(1)


def reserve_data(token, **overrides):
    return {
        "quantity": "1",
        "handover": "pickup",
        "contact_name": "Rasmus",
        "contact_phone": "040 123 4567",
        "submission": token,
        **overrides,
    }


@pytest.fixture
def reserver(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_the_same_reserve_form_twice_reserves_once(client, reserver):
    listing = ListingFactory(quantity=5)
    for page_url in (reverse("reserve", args=[listing.pk]), listing.get_absolute_url()):
        token = token_in(client.get(page_url))  # both the page and the box on the item page
        first = client.post(reverse("reserve", args=[listing.pk]), reserve_data(token))
        second = client.post(reverse("reserve", args=[listing.pk]), reserve_data(token))
        assert first.status_code == second.status_code == 302
        assert second["Location"] == first["Location"]  # the first one's reservation
    assert Reservation.objects.filter(listing=listing).count() == 2
    listing.refresh_from_db()
    assert listing.quantity_available == 3


def test_different_tokens_reserve_twice(client, reserver):
    listing = ListingFactory(quantity=5)
    for _ in range(2):
        token = token_in(client.get(reverse("reserve", args=[listing.pk])))
        assert (
            client.post(reverse("reserve", args=[listing.pk]), reserve_data(token)).status_code
            == 302
        )
    assert Reservation.objects.filter(listing=listing).count() == 2


@pytest.mark.parametrize("token", [None, "", "x", "a" * 65, "ääääääääääääääääää", "<script>"])
def test_a_missing_or_broken_token_is_a_form_error(client, reserver, token):
    listing = ListingFactory(quantity=5)
    data = reserve_data(token)
    if token is None:
        del data["submission"]
    response = client.post(reverse("reserve", args=[listing.pk]), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "could not be sent" in response.text
    assert token_in(response) != token  # a fresh one to send it again
    assert not Reservation.objects.exists()


def test_a_refused_form_can_be_corrected_and_sent_with_the_same_token(client, reserver):
    listing = ListingFactory(quantity=2)
    token = token_in(client.get(reverse("reserve", args=[listing.pk])))
    refused = client.post(reverse("reserve", args=[listing.pk]), reserve_data(token, quantity="5"))
    assert refused.status_code == 409
    again = client.post(reverse("reserve", args=[listing.pk]), reserve_data(token, quantity="2"))
    assert again.status_code == 302
    assert Reservation.objects.get().quantity == 2


def test_another_user_cannot_replay_someone_elses_token(client, reserver):
    listing = ListingFactory(quantity=5)
    token = token_in(client.get(reverse("reserve", args=[listing.pk])))
    client.post(reverse("reserve", args=[listing.pk]), reserve_data(token))
    client.force_login(UserFactory())
    response = client.post(reverse("reserve", args=[listing.pk]), reserve_data(token))
    assert response.status_code == 302
    assert Reservation.objects.count() == 2  # their own reservation, not a view of ours
    assert FormSubmission.objects.count() == 2


def test_basket_checkout_twice_reserves_once(client, reserver):
    chairs = ListingFactory(quantity=5)
    client.post(reverse("reservations:basket_add", args=[chairs.pk]), {"quantity": "2"})
    token = token_in(client.get(reverse("reservations:basket")))
    data = {**reserve_data(token), f"quantity_{chairs.pk}": "2"}
    first = client.post(reverse("reservations:basket"), data)
    client.post(reverse("reservations:basket_add", args=[chairs.pk]), {"quantity": "2"})
    second = client.post(reverse("reservations:basket"), data)
    assert first.status_code == second.status_code == 302
    assert Reservation.objects.filter(listing=chairs).count() == 1


def test_listing_create_twice_creates_one(client):
    lister = UserFactory()
    client.force_login(lister)
    category = CategoryFactory()
    token = token_in(client.get(reverse("listings:create")))
    data = {
        "title": "Harmaa työtuoli",
        "category": category.pk,
        "condition": "good",
        "quantity": "4",
        "description": "",
        "material": "fabric",
        "colour": "grey",
        "available_from": timezone.localdate().isoformat(),
        "available_until": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "action": "draft",
        "submission": token,
    }
    first = client.post(reverse("listings:create"), data)
    second = client.post(reverse("listings:create"), data)
    assert first.status_code == 302 and second["Location"] == first["Location"]
    assert Listing.objects.filter(owner_unit=lister.unit).count() == 1


def test_delivery_booking_send_to_warehouse_and_disposal_twice_take_effect_once(client):
    warehouse_with_slots()
    listing = ListingFactory(quantity=5)
    reserver = UserFactory()
    reservation = reserve(listing, user=reserver, handover=Reservation.Handover.DELIVERY)
    client.force_login(reserver)
    page = client.get(reverse("inventory:book_delivery", args=[reservation.pk]))
    choice = page.context["form"].fields["choice"].choices[0][0]
    data = {"choice": choice, "submission": token_in(page)}
    for _ in range(2):
        response = client.post(reverse("inventory:book_delivery", args=[reservation.pk]), data)
        assert response.status_code == 302
    assert Task.objects.filter(kind=Task.Kind.DELIVERY).count() == 1

    other = ListingFactory(quantity=5)
    client.force_login(other.created_by)
    token = token_in(client.get(other.get_absolute_url()))
    for _ in range(2):
        response = client.post(reverse("inventory:send", args=[other.pk]), {"submission": token})
        assert response.status_code == 302 and response["Location"] == other.get_absolute_url()
    assert Task.objects.filter(kind=Task.Kind.INTAKE).count() == 1

    client.force_login(UserFactory(roles=[WAREHOUSE]))
    page = client.get(other.get_absolute_url())
    tokens = re.findall(r'name="submission" value="([^"]+)"', page.text)
    data = {"quantity": "1", "reason": "broken", "submission": tokens[-1]}
    first = client.post(reverse("inventory:dispose", args=[other.pk]), data)
    second = client.post(reverse("inventory:dispose", args=[other.pk]), data)
    assert first.status_code == 302 and second["Location"] == first["Location"]
    assert Task.objects.filter(kind=Task.Kind.DISPOSAL).count() == 1
