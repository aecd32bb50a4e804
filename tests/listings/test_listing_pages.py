from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from kierratys.common.submissions import new_token
from listings.models import Listing, ListingEvent, ListingPhoto

from ..factories import CategoryFactory, ListingFactory, UserFactory
from ..images import jpeg_upload, upload

pytestmark = pytest.mark.django_db


def form_data(category_obj, /, **overrides):
    today = timezone.localdate()
    data = {
        "title": "Harmaa työtuoli",
        "category": category_obj.pk,
        "condition": "good",
        "quantity": "4",
        "description": "Säädettävä selkänoja.",
        "width_cm": "60",
        "depth_cm": "55",
        "height_cm": "100",
        "weight_kg": "",
        "material": "fabric",
        "colour": "grey",
        "pickup_instructions": "Kellari, huone B12",
        "available_from": today.isoformat(),
        "available_until": (today + timedelta(days=30)).isoformat(),
        "action": "publish",
        "submission": new_token(),  # each form sent once (kierratys.common.submissions)
    }
    data.update(overrides)
    return data


def stored_files() -> list[str]:
    """Every stored photo file (S3 has no folders, so list instead of asking exists())."""
    try:
        dirs, _files = default_storage.listdir("listings")
    except FileNotFoundError:
        return []
    names = []
    for folder in dirs:
        names += [
            f"listings/{folder}/{f}" for f in default_storage.listdir(f"listings/{folder}")[1]
        ]
    return names


@pytest.fixture
def lister(db):
    return UserFactory()


@pytest.fixture
def lister_client(client, lister):
    client.force_login(lister)
    return client


def test_unit_lists_an_item_with_two_phone_photos(lister_client, lister):
    category = CategoryFactory()
    data = form_data(category)
    data["photos"] = [
        jpeg_upload("IMG_0001.jpg", orientation=6),
        jpeg_upload("IMG_0002.jpg", size=(3000, 2000)),
    ]
    response = lister_client.post(reverse("listings:create"), data)
    listing = Listing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("listings:detail", args=[listing.pk])
    assert listing.code == f"K-{listing.pk:06d}"
    assert listing.status == Listing.Status.PUBLISHED
    assert listing.owner_unit == lister.unit
    assert listing.quantity_available == 4
    photos = list(listing.photos.all())
    assert [p.position for p in photos] == [0, 1]

    # Only server renditions under server names; no metadata in any stored file.
    for photo in photos:
        for field in (photo.large, photo.thumb):
            assert "IMG_" not in field.name
            with default_storage.open(field.name) as stored:
                content = stored.read()
            image = Image.open(BytesIO(content))
            assert image.format == "JPEG"
            assert not image.getexif()
            assert b"Exif" not in content
    assert Image.open(default_storage.open(photos[0].large.name)).size == (600, 800)  # rotated
    assert max(Image.open(default_storage.open(photos[1].large.name)).size) == 1600
    assert max(Image.open(default_storage.open(photos[1].thumb.name)).size) == 400
    assert len(stored_files()) == 4

    page = lister_client.get(response["Location"])
    assert "Harmaa työtuoli" in page.text
    mine = lister_client.get(reverse("listings:mine"))
    assert listing.code in mine.text


def test_save_as_draft_then_publish(lister_client, lister):
    data = form_data(CategoryFactory(), action="draft")
    lister_client.post(reverse("listings:create"), data)
    listing = Listing.objects.get()
    assert listing.status == Listing.Status.DRAFT
    lister_client.post(reverse("listings:publish", args=[listing.pk]))
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PUBLISHED
    kinds = list(listing.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["created", "published"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"quantity": "0"}, "quantity", "at least 1"),
        ({"quantity": "1000"}, "quantity", "at most 999"),
        ({"quantity": "many"}, "quantity", "whole number"),
        ({"width_cm": "-5"}, "width_cm", "at least 1"),
        ({"height_cm": "100000"}, "height_cm", "at most 2000"),
        ({"available_until": "2000-01-01"}, "available_until", "cannot be before the first day"),
        ({"title": ""}, "title", "required"),
        ({"category": "99999"}, "category", "valid choice"),
    ],
)
def test_bad_input_is_refused_with_message_and_values_kept(
    lister_client, overrides, field, message
):
    data = form_data(CategoryFactory(), **overrides)
    data["photos"] = [jpeg_upload()]
    response = lister_client.post(reverse("listings:create"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert "Säädettävä selkänoja." in response.text  # values kept
    assert not Listing.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize(
    ("make_files", "message"),
    [
        (lambda: [upload(b"just some text", "chair.jpg")], "not a photo"),
        (lambda: [upload(b"", "empty.jpg")], "empty"),
        (lambda: [jpeg_upload(f"p{i}.jpg") for i in range(9)], "at most 8 photos"),
        (
            lambda: [jpeg_upload(), upload(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg")],
            "not a photo",
        ),
    ],
)
def test_bad_photos_store_nothing(lister_client, make_files, message):
    data = form_data(CategoryFactory())
    data["photos"] = make_files()
    response = lister_client.post(reverse("listings:create"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.text
    assert 'value="Harmaa työtuoli"' in response.text
    assert not Listing.objects.exists()
    assert not ListingPhoto.objects.exists()
    assert stored_files() == []


def test_only_owner_unit_warehouse_and_coordinators_may_edit(client):
    listing = ListingFactory()
    owner_colleague = UserFactory(unit=listing.owner_unit)
    outsider = UserFactory()
    warehouse = UserFactory(roles=[WAREHOUSE])
    coordinator = UserFactory(roles=[COORDINATOR])
    edit_url = reverse("listings:edit", args=[listing.pk])
    for user, expected in [
        (owner_colleague, 200),
        (warehouse, 200),
        (coordinator, 200),
        (outsider, 404),
    ]:
        client.force_login(user)
        assert client.get(edit_url).status_code == expected, user
    client.force_login(outsider)
    assert client.post(edit_url, {"listing-title": "Hijacked"}).status_code == 404
    assert client.post(reverse("listings:withdraw", args=[listing.pk])).status_code == 404
    assert client.get(reverse("listings:detail", args=[listing.pk])).status_code == 200
    listing.refresh_from_db()
    assert listing.title != "Hijacked" and listing.status == Listing.Status.PUBLISHED


def test_drafts_are_hidden_from_other_units(client):
    draft = ListingFactory(status=Listing.Status.DRAFT, published_at=None)
    client.force_login(UserFactory())
    assert client.get(reverse("listings:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("listings:label", args=[draft.pk])).status_code == 404
    client.force_login(UserFactory(unit=draft.owner_unit))
    assert client.get(reverse("listings:detail", args=[draft.pk])).status_code == 200


def test_history_is_shown_to_owner_not_to_others(client):
    listing = ListingFactory()
    ListingEvent.objects.create(listing=listing, kind="created", actor=listing.created_by)
    client.force_login(UserFactory(unit=listing.owner_unit))
    assert 'class="history"' in client.get(reverse("listings:detail", args=[listing.pk])).text
    client.force_login(UserFactory())
    assert 'class="history"' not in client.get(reverse("listings:detail", args=[listing.pk])).text


def edit_data(listing, **overrides):
    data = {f"listing-{k}": v for k, v in form_data(listing.category).items() if k != "action"}
    data["listing-title"] = listing.title
    data["listing-quantity"] = str(listing.quantity)
    data.update(overrides)
    return data


def test_edit_records_what_changed(client):
    listing = ListingFactory(quantity=5)
    user = UserFactory(unit=listing.owner_unit)
    client.force_login(user)
    response = client.post(
        reverse("listings:edit", args=[listing.pk]),
        edit_data(listing, **{"listing-title": "Sininen työtuoli", "listing-quantity": "7"}),
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.title == "Sininen työtuoli"
    assert (listing.quantity, listing.quantity_available) == (7, 7)
    event = listing.events.get(kind="edited")
    assert event.actor == user
    assert event.changes["title"][1] == "Sininen työtuoli"
    assert event.changes["quantity"] == ["5", "7"]


def test_quantity_cannot_drop_below_reserved(client):
    listing = ListingFactory(quantity=5, quantity_available=2)  # 3 reserved
    client.force_login(UserFactory(unit=listing.owner_unit))
    response = client.post(
        reverse("listings:edit", args=[listing.pk]),
        edit_data(listing, **{"listing-quantity": "2"}),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "3 of these are reserved" in response.text
    listing.refresh_from_db()
    assert (listing.quantity, listing.quantity_available) == (5, 2)
    response = client.post(
        reverse("listings:edit", args=[listing.pk]), edit_data(listing, **{"listing-quantity": "4"})
    )
    listing.refresh_from_db()
    assert (listing.quantity, listing.quantity_available) == (4, 1)


def test_photos_can_be_added_removed_described_and_reordered(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client.force_login(user)
    data = form_data(CategoryFactory())
    data["photos"] = [jpeg_upload("a.jpg"), jpeg_upload("b.jpg"), jpeg_upload("c.jpg")]
    client.post(reverse("listings:create"), data)
    listing = Listing.objects.get()
    first, second, third = listing.photos.all()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("listings:edit", args=[listing.pk]),
            {
                **edit_data(listing),
                "photo-remove": [first.pk],
                "photo-cover": third.pk,
                f"photo-alt_{third.pk}": "Tuoli edestä",
                "photo-photos": [jpeg_upload("d.jpg")],
            },
        )
    assert response.status_code == 302
    photos = list(listing.photos.all())
    assert [p.pk for p in photos[:2]] == [third.pk, second.pk]
    assert [p.position for p in photos] == [0, 1, 2]
    assert photos[0].alt_text == "Tuoli edestä"
    assert not default_storage.exists(first.large.name)
    assert not default_storage.exists(first.thumb.name)
    assert len(stored_files()) == 6
    kinds = set(listing.events.values_list("kind", flat=True))
    assert {"photo_removed", "photo_added", "photo_changed"} <= kinds


def test_withdraw_and_list_again(client):
    listing = ListingFactory()
    client.force_login(UserFactory(unit=listing.owner_unit))
    client.post(reverse("listings:withdraw", args=[listing.pk]), {"reason": "Käytetään itse"})
    listing.refresh_from_db()
    assert listing.status == Listing.Status.WITHDRAWN
    assert listing.events.get(kind="withdrawn").note == "Käytetään itse"
    client.post(reverse("listings:publish", args=[listing.pk]))
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PUBLISHED
    assert listing.events.filter(kind="relisted").exists()


def test_withdrawing_a_draft_is_refused_with_a_message(client):
    listing = ListingFactory(status=Listing.Status.DRAFT, published_at=None)
    client.force_login(UserFactory(unit=listing.owner_unit))
    response = client.post(
        reverse("listings:withdraw", args=[listing.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Only a published listing can be withdrawn" in response.text
    listing.refresh_from_db()
    assert listing.status == Listing.Status.DRAFT


def test_list_another_like_this_copies_without_photos(client):
    listing = ListingFactory(title="Valkoinen kaappi", colour="white", width_cm=80)
    client.force_login(UserFactory(unit=listing.owner_unit))
    response = client.get(reverse("listings:create") + f"?copy={listing.pk}")
    form = response.context["form"]
    assert form.initial["title"] == "Valkoinen kaappi"
    assert form.initial["colour"] == "white"
    assert form.initial["category"] == listing.category_id
    client.force_login(UserFactory())
    assert client.get(reverse("listings:create") + f"?copy={listing.pk}").status_code == 404


def test_our_listings_shows_only_our_unit(client):
    ours = ListingFactory()
    theirs = ListingFactory()
    client.force_login(UserFactory(unit=ours.owner_unit))
    page = client.get(reverse("listings:mine")).text
    assert ours.title in page
    assert theirs.title not in page


def test_a_stored_item_says_which_warehouse_it_is_collected_from(client):
    from ..factories import StorageLocationFactory, WarehouseFactory

    warehouse = WarehouseFactory(name="Pohjoinen varasto", street_address="Pohjoiskatu 1")
    at_the_unit = ListingFactory()
    stored = ListingFactory(
        owner_unit=at_the_unit.owner_unit,
        storage_location=StorageLocationFactory(warehouse=warehouse),
    )
    client.force_login(UserFactory())
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(reverse("listings:detail", args=[stored.pk])).text
    assert "Pohjoinen varasto, Pohjoiskatu 1" in page
    assert stored.owner_unit.street_address not in page.split("Location")[1].split("</dd>")[0]
    page = client.get(reverse("listings:detail", args=[at_the_unit.pk])).text
    assert at_the_unit.owner_unit.street_address in page
