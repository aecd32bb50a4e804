"""For-loan items in the catalogue (issue 20): a "For loan" badge on their cards (inside
the cached card, so it follows the listing's version) and a filter for keeps / for loan."""

import re

import pytest
from django.urls import reverse

from listings import services as listing_services

from ..factories import ListingFactory, UserFactory, loan_listing

pytestmark = pytest.mark.django_db
URL = reverse("listings:catalogue")


@pytest.fixture
def viewer(client):
    user = UserFactory()
    client.force_login(user)
    return user


def page(client, **params) -> str:
    response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.text


def card(html: str, listing) -> str:
    found = re.search(rf'<li class="card-item" data-listing-id="{listing.pk}">.*?</li>', html, re.S)
    return found.group(0) if found else ""


def test_for_loan_cards_carry_the_badge_and_the_longest_loan(client, viewer):
    bikes = loan_listing(title="Kesäleirin pyörä", loan_max_days=14)
    chair = ListingFactory(title="Työtuoli")
    html = page(client)
    assert "data-for-loan" in card(html, bikes) and "up to 14 days" in card(html, bikes)
    assert card(html, chair) and "data-for-loan" not in card(html, chair)


def test_the_badge_follows_the_listing_through_the_card_cache(client, viewer):
    chair = ListingFactory(title="Työtuoli")
    assert "data-for-loan" not in card(page(client), chair)
    assert "data-for-loan" not in card(page(client), chair)  # now from the cache
    listing_services.listing_update(
        actor=chair.created_by, listing_id=chair.pk, fields={"for_loan": True, "loan_max_days": 7}
    )
    assert "up to 7 days" in card(page(client), chair)
    listing_services.listing_update(
        actor=chair.created_by, listing_id=chair.pk, fields={"for_loan": False}
    )
    assert "data-for-loan" not in card(page(client), chair)


def test_the_catalogue_filters_for_keeps_or_for_loan(client, viewer):
    bikes = loan_listing(title="Kesäleirin pyörä")
    chair = ListingFactory(title="Työtuoli")
    both = page(client)
    assert card(both, bikes) and card(both, chair)
    lent = page(client, lending="loan")
    assert card(lent, bikes) and not card(lent, chair)
    kept = page(client, lending="keep")
    assert card(kept, chair) and not card(kept, bikes)
    assert 'name="lending"' in both and "For keeps or for loan" in both
    # The choice is a removable chip, and the filter form shows it chosen.
    assert re.search(r'<option value="loan" selected>', lent)
    assert re.search(r'data-chip="lending">.*?For loan<', lent, re.S)
