"""Listing writes through the API (scope listings:write): the page's form checks the values
with the page's messages, the page's services write (photos through the same pipeline)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from kierratys.api.models import Scope
from listings.models import Listing, ListingEvent
from tests.factories import CategoryFactory, ListingFactory, other_organisation, unit_of
from tests.images import jpeg_upload

from .conftest import Api, make_token, problem_of

pytestmark = pytest.mark.django_db
LISTINGS = "/api/v1/listings/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def chair():
    return CategoryFactory()


def _body(chair, **fields):
    return {"title": "Harmaa toimistotuoli", "category": chair.pk, "condition": "good", **fields}


def _patch(api, path, body):
    return api.client.patch(
        path, json.dumps(body), content_type="application/json", **api.headers, **EN
    )


def test_create_json_draft_and_published(api, chair, school):
    response = api.post(LISTINGS, _body(chair, quantity=3, width_cm=60), **EN)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["quantity"] == 3 and body["width_cm"] == 60
    assert response["Location"].endswith(f"/api/v1/listings/{body['id']}/")
    listing = Listing.objects.get(pk=body["id"])
    assert listing.owner_unit == school and listing.code

    published = api.post(LISTINGS, _body(chair, publish=True), **EN).json()
    assert published["status"] == "published"
    assert api.get(f"{LISTINGS}{published['id']}/").status_code == 200


def test_create_uses_the_forms_messages_with_pointers(api, chair):
    today = timezone.localdate()
    response = api.post(
        LISTINGS,
        _body(
            chair,
            title="",
            width_cm=5000,
            available_from=str(today + timedelta(days=5)),
            available_until=str(today),
        ),
        **EN,
    )
    body = problem_of(response, 400)
    pointers = {e["pointer"]: e["detail"] for e in body["errors"]}
    assert pointers["#/title"] == "This field is required."
    assert pointers["#/width_cm"] == "Enter a value of at most 2000."
    assert pointers["#/available_until"] == "The last day cannot be before the first day."
    assert not Listing.objects.exists()


@pytest.mark.parametrize(
    "body, pointer",
    [
        ({"colour_code": "x"}, "#/colour_code"),
        ({"quantity": "3"}, "#/quantity"),
        ({"condition": 3}, "#/condition"),
        ({"publish": "yes"}, "#/publish"),
    ],
)
def test_unknown_fields_and_wrong_types_are_400(api, chair, body, pointer):
    response = api.post(LISTINGS, _body(chair, **body), **EN)
    assert pointer in [e["pointer"] for e in problem_of(response, 400)["errors"]]
    assert not Listing.objects.exists()


def test_unknown_category_gets_the_pages_message(api):
    response = api.post(LISTINGS, {"title": "T", "category": 999999, "condition": "good"}, **EN)
    errors = problem_of(response, 400)["errors"]
    assert errors[0]["pointer"] == "#/category"
    assert "valid choice" in errors[0]["detail"]


def test_multipart_create_with_photos(api, chair, school):
    response = api.client.post(
        LISTINGS,
        {
            "title": "Tuoli kuvalla",
            "category": str(chair.pk),
            "condition": "good",
            "quantity": "2",
            "publish": "true",
            "photos": [jpeg_upload("a.jpg"), jpeg_upload("b.jpg")],
        },
        **api.headers,
        **EN,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "published" and len(body["photos"]) == 2
    assert body["photos"][0]["position"] == 0 and body["photos"][0]["large"]
    assert body["thumbnail"]


def test_multipart_refuses_unknown_fields_and_bad_photos(api, chair):
    from django.core.files.uploadedfile import SimpleUploadedFile

    unknown = api.client.post(
        LISTINGS,
        {"title": "T", "category": str(chair.pk), "condition": "good", "owner": "x"},
        **api.headers,
        **EN,
    )
    assert problem_of(unknown, 400)["errors"][0]["pointer"] == "#/owner"
    bad = api.client.post(
        LISTINGS,
        {
            "title": "T",
            "category": str(chair.pk),
            "condition": "good",
            "photos": [SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")],
        },
        **api.headers,
        **EN,
    )
    refused = problem_of(bad, 400)  # the photo pipeline's own message and code
    assert refused["code"] == "not_a_photo"
    assert refused["detail"].startswith("This file is not a photo we can use.")
    assert not Listing.objects.exists()


def test_patch_changes_only_what_it_names(api, chair, school):
    listing = ListingFactory(owner_unit=school, title="Vanha", quantity=4, width_cm=50)
    response = _patch(api, f"{LISTINGS}{listing.pk}/", {"title": "Uusi", "quantity": 5})
    assert response.status_code == 200, response.content
    listing.refresh_from_db()
    assert (listing.title, listing.quantity, listing.width_cm) == ("Uusi", 5, 50)
    assert ListingEvent.objects.filter(listing=listing, kind=ListingEvent.Kind.EDITED).exists()


def test_patch_keeps_reserved_items(api, school):
    listing = ListingFactory(owner_unit=school, quantity=4)
    Listing.objects.filter(pk=listing.pk).update(quantity_available=1)
    response = _patch(api, f"{LISTINGS}{listing.pk}/", {"quantity": 2})
    body = problem_of(response, 400)
    assert body["errors"] == [
        {
            "pointer": "#/quantity",
            "detail": "3 of these are reserved; the quantity cannot be less.",
        }
    ]


def test_patch_unknown_field_and_null_title(api, school):
    listing = ListingFactory(owner_unit=school)
    assert problem_of(_patch(api, f"{LISTINGS}{listing.pk}/", {"status": "archived"}), 400)
    response = _patch(api, f"{LISTINGS}{listing.pk}/", {"title": ""})
    assert problem_of(response, 400)["errors"][0]["pointer"] == "#/title"


def test_publish_and_withdraw(api, school):
    listing = ListingFactory(owner_unit=school, status=Listing.Status.DRAFT, published_at=None)
    published = api.post(f"{LISTINGS}{listing.pk}/publish/", **EN)
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published"
    withdrawn = api.post(f"{LISTINGS}{listing.pk}/withdraw/", {"reason": "Rikki"}, **EN)
    assert withdrawn.json()["status"] == "withdrawn"
    event = ListingEvent.objects.get(listing=listing, kind=ListingEvent.Kind.WITHDRAWN)
    assert event.note == "Rikki"
    again = api.post(f"{LISTINGS}{listing.pk}/withdraw/", **EN)
    assert problem_of(again, 400)["detail"] == "Only a published listing can be withdrawn."


def test_publish_after_the_period_ended_is_the_pages_message(api, school):
    today = timezone.localdate()
    listing = ListingFactory(
        owner_unit=school,
        status=Listing.Status.DRAFT,
        published_at=None,
        available_from=today - timedelta(days=10),
        available_until=today - timedelta(days=1),
    )
    response = api.post(f"{LISTINGS}{listing.pk}/publish/", **EN)
    assert problem_of(response, 400)["detail"] == (
        "The availability period has ended. Change the last day first."
    )


def test_another_organisations_or_units_listing_is_404(api, turku):
    theirs = ListingFactory(owner_unit=unit_of(other_organisation(1)))
    neighbours = ListingFactory(owner_unit=unit_of(turku))
    for listing in (theirs, neighbours):
        assert problem_of(_patch(api, f"{LISTINGS}{listing.pk}/", {"title": "X"}), 404)
        assert problem_of(api.post(f"{LISTINGS}{listing.pk}/publish/"), 404)
        assert problem_of(api.post(f"{LISTINGS}{listing.pk}/withdraw/"), 404)
        listing.refresh_from_db()
        assert listing.title != "X"


def test_without_the_scope_403(client, coordinator, school, chair):
    reader = Api(client, make_token(coordinator, school, scopes=[Scope.LISTINGS_READ]).secret)
    listing = ListingFactory(owner_unit=school)
    assert problem_of(reader.post(LISTINGS, _body(chair)), 403)
    assert problem_of(_patch(reader, f"{LISTINGS}{listing.pk}/", {"title": "X"}), 403)
    assert problem_of(reader.post(f"{LISTINGS}{listing.pk}/publish/"), 403)
    assert reader.get(LISTINGS).status_code == 200
    assert not Listing.objects.exclude(pk=listing.pk).exists()


def test_a_body_over_the_upload_limit_is_a_413_problem(api, settings):
    from kierratys.common.limits import request_body_limit

    response = api.client.post(
        LISTINGS,
        b"x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(request_body_limit() + 1),
        **api.headers,
        **EN,
    )
    body = problem_of(response, 413)
    assert body["type"] == "urn:kierratys:problem:too-large"
    assert not Listing.objects.exists()
