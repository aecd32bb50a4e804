from io import BytesIO

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image

from listings.labels import label_qr

from ..factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db


def decode(qr) -> str:
    out = BytesIO()
    qr.save(out, kind="png", scale=6, border=4)
    results = zxingcpp.read_barcodes(Image.open(BytesIO(out.getvalue())))
    return results[0].text


def test_label_qr_opens_the_item_page(client):
    listing = ListingFactory()
    client.force_login(UserFactory(unit=listing.owner_unit))
    response = client.get(reverse("listings:label", args=[listing.pk]))
    assert response.status_code == 200
    url = f"http://testserver/listings/{listing.pk}/"
    label = response.context["labels"][0]
    assert label["url"] == url
    assert decode(label_qr(label["url"])) == url
    assert "<svg" in response.text
    assert listing.code in response.text and listing.owner_unit.name in response.text


def test_label_sheet_for_many_of_our_listings(client):
    user = UserFactory()
    ours = [ListingFactory(owner_unit=user.unit) for _ in range(4)]
    theirs = ListingFactory()
    client.force_login(user)
    ids = ",".join(str(x.pk) for x in [*ours, theirs])
    response = client.get(reverse("listings:labels") + f"?ids={ids}")
    assert response.status_code == 200
    assert response.text.count('class="label"') == 4
    assert theirs.code not in response.text
    # The checkbox form on "our listings" sends id=..&id=..
    response = client.get(reverse("listings:labels"), {"id": [ours[0].pk, ours[1].pk]})
    assert response.text.count('class="label"') == 2


def test_label_sheet_with_nothing_valid_explains(client):
    client.force_login(UserFactory())
    response = client.get(
        reverse("listings:labels") + "?ids=abc,,-1", follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Choose at least one of your unit" in response.text
