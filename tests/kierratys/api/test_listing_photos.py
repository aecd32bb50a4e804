"""A listing's photos through PATCH (scope listings:write), as on the edit page: add (multipart
`photos`, through the page's photo pipeline: its checks, sizes and metadata stripping),
remove and reorder by id; a bad file or id is a problem pointing at its field, and nothing
in the request is saved."""

import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from PIL import Image

from listings.models import ListingEvent, ListingPhoto
from tests.factories import ListingFactory, other_organisation, unit_of
from tests.images import jpeg_upload

from .conftest import problem_of

pytestmark = pytest.mark.django_db
LISTINGS = "/api/v1/listings/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _patch_json(api, listing, body):
    return api.client.patch(
        f"{LISTINGS}{listing.pk}/",
        json.dumps(body),
        content_type="application/json",
        **api.headers,
        **EN,
    )


def _patch_multipart(api, listing, fields):
    return api.client.patch(
        f"{LISTINGS}{listing.pk}/",
        encode_multipart(BOUNDARY, fields),
        content_type=MULTIPART_CONTENT,
        **api.headers,
        **EN,
    )


def _photo_rows(listing, count):
    """Photo rows without files: enough for removing and ordering."""
    return [
        ListingPhoto.objects.create(
            listing=listing, position=n, large=f"x/{n}-large.jpg", thumb=f"x/{n}-thumb.jpg",
            width=800, height=600,
        )
        for n in range(count)
    ]  # fmt: skip


def _ids(response):
    assert response.status_code == 200, response.content
    return [photo["id"] for photo in response.json()["photos"]]


def test_multipart_adds_photos_after_the_others_without_their_metadata(api, school):
    listing = ListingFactory(owner_unit=school, title="Vanha")
    (kept,) = _photo_rows(listing, 1)
    response = _patch_multipart(
        api,
        listing,
        {"title": "Tuoli kuvilla", "photos": [jpeg_upload("a.jpg"), jpeg_upload("b.jpg")]},
    )
    ids = _ids(response)
    assert len(ids) == 3 and ids[0] == kept.pk
    body = response.json()
    assert body["title"] == "Tuoli kuvilla"
    assert [photo["position"] for photo in body["photos"]] == [0, 1, 2]
    added = ListingPhoto.objects.get(pk=ids[1])
    with default_storage.open(added.large.name) as stored:
        image = Image.open(io.BytesIO(stored.read()))
        assert image.format == "JPEG" and not image.getexif()  # no GPS, no EXIF at all
    assert max(added.width, added.height) <= 1600
    added_event = ListingEvent.objects.get(listing=listing, kind=ListingEvent.Kind.PHOTO_ADDED)
    assert added_event.changes == {"count": 2}


def test_json_removes_and_reorders_by_id(api, school):
    listing = ListingFactory(owner_unit=school)
    first, second, third = _photo_rows(listing, 3)
    response = _patch_json(
        api, listing, {"remove_photos": [second.pk], "photo_order": [third.pk, first.pk]}
    )
    assert _ids(response) == [third.pk, first.pk]
    assert not ListingPhoto.objects.filter(pk=second.pk).exists()
    kinds = set(ListingEvent.objects.filter(listing=listing).values_list("kind", flat=True))
    assert {ListingEvent.Kind.PHOTO_REMOVED, ListingEvent.Kind.PHOTO_CHANGED} <= kinds
    # Naming only the new cover moves it first; the others keep their order.
    assert _ids(_patch_json(api, listing, {"photo_order": [first.pk]})) == [first.pk, third.pk]


def test_multipart_names_ids_as_repeated_fields(api, school):
    listing = ListingFactory(owner_unit=school)
    first, second, third = _photo_rows(listing, 3)
    response = _patch_multipart(
        api,
        listing,
        {"remove_photos": [str(first.pk)], "photo_order": [str(third.pk), str(second.pk)]},
    )
    assert _ids(response) == [third.pk, second.pk]


def test_a_bad_file_is_the_photo_checks_problem_and_nothing_changes(api, school):
    listing = ListingFactory(owner_unit=school, title="Vanha")
    (kept,) = _photo_rows(listing, 1)
    not_a_photo = SimpleUploadedFile("x.jpg", b"<html>not an image</html>", "image/jpeg")
    response = _patch_multipart(
        api,
        listing,
        {"title": "Uusi", "remove_photos": [str(kept.pk)], "photos": [not_a_photo]},
    )
    body = problem_of(response, 400)
    assert body["code"] == "not_a_photo"
    assert body["errors"][0]["pointer"] == "#/photos"
    assert body["errors"][0]["detail"].startswith("This file is not a photo we can use.")
    listing.refresh_from_db()
    assert listing.title == "Vanha"
    assert list(listing.photos.values_list("pk", flat=True)) == [kept.pk]
    empty = _patch_multipart(api, listing, {"photos": [SimpleUploadedFile("e.jpg", b"")]})
    assert problem_of(empty, 400)["errors"][0]["pointer"] == "#/photos"


def test_more_than_eight_photos_together_are_refused(api, school):
    listing = ListingFactory(owner_unit=school)
    _photo_rows(listing, 7)
    response = _patch_multipart(
        api, listing, {"photos": [jpeg_upload("a.jpg"), jpeg_upload("b.jpg")]}
    )
    assert problem_of(response, 400)["detail"] == "You can add at most 8 photos to a listing."
    assert listing.photos.count() == 7


@pytest.mark.parametrize(
    "changes, pointer, detail",
    [
        ({"photo_order": ["first"]}, "#/photo_order/0", None),
        ({"photo_order": [999999]}, "#/photo_order", "Photo 999999 is not one of this listing's"),
        ({"photo_order": ["A", "A"]}, "#/photo_order", "is named more than once."),
        ({"photo_order": ["A"], "remove_photos": ["A"]}, "#/photo_order", "is being removed"),
        ({"remove_photos": [999999]}, "#/remove_photos", "Select a valid choice."),
        ({"remove_photos": "A"}, "#/remove_photos", None),
        ({"photos": ["x"]}, "#/photos", None),
    ],
)
def test_bad_photo_ids_in_json_point_at_their_field(api, school, changes, pointer, detail):
    listing = ListingFactory(owner_unit=school)
    photo, _other = _photo_rows(listing, 2)
    body = {
        name: (photo.pk if value == "A" else [photo.pk if v == "A" else v for v in value])
        for name, value in changes.items()
    }
    errors = problem_of(_patch_json(api, listing, body), 400)["errors"]
    assert pointer in [error["pointer"] for error in errors], errors
    if detail:
        assert detail in " ".join(error["detail"] for error in errors)
    assert listing.photos.count() == 2


def test_a_multipart_id_that_is_not_a_number_is_400(api, school):
    listing = ListingFactory(owner_unit=school)
    _photo_rows(listing, 1)
    response = _patch_multipart(api, listing, {"photo_order": ["1; DROP"]})
    assert problem_of(response, 400)["errors"][0]["pointer"] == "#/photo_order/0"


def test_another_listings_or_organisations_photos_cannot_be_touched(api, school, turku):
    ours = ListingFactory(owner_unit=school)
    theirs = ListingFactory(owner_unit=unit_of(other_organisation(1)))
    (their_photo,) = _photo_rows(theirs, 1)
    refused = _patch_json(api, ours, {"remove_photos": [their_photo.pk]})
    assert problem_of(refused, 400)["errors"][0]["pointer"] == "#/remove_photos"
    problem_of(_patch_json(api, theirs, {"remove_photos": [their_photo.pk]}), 404)
    neighbours = ListingFactory(owner_unit=unit_of(turku))
    problem_of(_patch_multipart(api, neighbours, {"photos": [jpeg_upload()]}), 404)
    assert ListingPhoto.objects.filter(pk=their_photo.pk).exists()
    assert not neighbours.photos.exists()


def test_the_schema_documents_the_photo_changes(client):
    document = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    patch = document["paths"]["/api/v1/listings/{id}/"]["patch"]
    content = patch["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    assert {"413", "415"} <= set(patch["responses"])
    schemas = document["components"]["schemas"]
    json_body = schemas[content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert {"remove_photos", "photo_order"} <= set(json_body["properties"])
    assert "photos" not in json_body["properties"]
    multipart = schemas[content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert multipart["properties"]["photos"]["items"]["format"] == "binary"
    assert "id" in schemas["Photo"]["properties"]


def test_a_patch_over_the_upload_limit_is_a_413_problem(api, school):
    from kierratys.common.limits import request_body_limit

    listing = ListingFactory(owner_unit=school)
    response = api.client.patch(
        f"{LISTINGS}{listing.pk}/",
        b"x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(request_body_limit() + 1),
        **api.headers,
        **EN,
    )
    assert problem_of(response, 413)["type"] == "urn:kierratys:problem:too-large"


def test_json_describes_photos_for_screen_readers_leaving_the_others(api, school):
    listing = ListingFactory(owner_unit=school)
    first, second = _photo_rows(listing, 2)
    ListingPhoto.objects.filter(pk=second.pk).update(alt_text="Takaa")
    response = _patch_json(api, listing, {"photo_alt_texts": {str(first.pk): " Edestä "}})
    assert response.status_code == 200, response.content
    texts = {photo["id"]: photo["alt_text"] for photo in response.json()["photos"]}
    assert texts == {first.pk: "Edestä", second.pk: "Takaa"}


def test_bad_descriptions_are_400_and_change_nothing(api, school):
    listing = ListingFactory(owner_unit=school)
    (photo,) = _photo_rows(listing, 1)
    for body, pointer in [
        ({"photo_alt_texts": {"999999": "X"}}, "#/photo_alt_texts"),
        ({"photo_alt_texts": {"kuva": "X"}}, "#/photo_alt_texts/0"),
        ({"photo_alt_texts": {str(photo.pk): "x" * 201}}, f"#/photo_alt_texts/{photo.pk}"),
        ({"photo_alt_texts": {str(photo.pk): 5}}, f"#/photo_alt_texts/{photo.pk}"),
        ({"photo_alt_texts": ["X"]}, "#/photo_alt_texts"),
    ]:
        errors = problem_of(_patch_json(api, listing, body), 400)["errors"]
        assert pointer in [error["pointer"] for error in errors], (body, errors)
    multipart = _patch_multipart(api, listing, {"photo_alt_texts": "X"})
    assert problem_of(multipart, 400)["errors"][0]["pointer"] == "#/photo_alt_texts"
    photo.refresh_from_db()
    assert photo.alt_text == ""
