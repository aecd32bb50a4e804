"""Every error is an RFC 9457 problem: invalid JSON, wrong types, unknown fields, over-long
strings, unknown query parameters, a huge page, a wrong method, an unknown address."""

import pytest

from tests.factories import ListingFactory

from .conftest import problem_of

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
RESERVE = "/api/v1/reservations/"


@pytest.fixture
def listing(school):
    return ListingFactory(quantity=3)


def _body(item, **fields):
    return {
        "listing": item.pk,
        "quantity": 1,
        "contact_name": "Anna Virtanen",
        "contact_phone": "040 123 4567",
        **fields,
    }


def test_invalid_json_is_a_400_problem(api):
    body = problem_of(api.post(RESERVE, raw='{"listing": 1,', **EN), 400)
    assert body["type"] == "urn:kierratys:problem:invalid-json"


def test_a_body_that_is_not_an_object_is_a_400_problem(api):
    problem_of(api.post(RESERVE, raw="[1, 2]", **EN), 400)


def test_a_form_encoded_body_is_415(api):
    response = api.post(RESERVE, raw="listing=1", content_type="application/x-www-form-urlencoded")
    problem_of(response, 415)


def test_an_unknown_field_is_refused_and_named(api, listing):
    body = problem_of(api.post(RESERVE, _body(listing, colour="red"), **EN), 400)
    assert {"pointer": "#/colour", "detail": "Unknown field."} in body["errors"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("quantity", "2"),
        ("quantity", 1.5),
        ("quantity", True),
        ("listing", None),
        ("contact_name", 5),
        ("join_waiting_list", "yes"),
        ("wanted_date", "tomorrow"),
    ],
)
def test_a_wrong_type_is_a_400_naming_the_field(api, listing, field, value):
    body = problem_of(api.post(RESERVE, _body(listing, **{field: value}), **EN), 400)
    assert [e["pointer"] for e in body["errors"]] == [f"#/{field}"]


def test_an_over_long_string_is_a_400(api, listing):
    body = problem_of(api.post(RESERVE, _body(listing, contact_name="x" * 201), **EN), 400)
    assert body["errors"][0]["pointer"] == "#/contact_name"


def test_a_value_the_page_refuses_is_refused_in_its_words(api, listing):
    body = problem_of(api.post(RESERVE, _body(listing, wanted_date="2000-01-01"), **EN), 400)
    assert body["errors"] == [
        {"pointer": "#/wanted_date", "detail": "The wanted date cannot be in the past."}
    ]


def test_an_unknown_query_parameter_is_refused(api):
    body = problem_of(api.get("/api/v1/listings/", {"colur": "red"}, **EN), 400)
    assert body["errors"] == [{"parameter": "colur", "detail": "Unknown query parameter."}]


@pytest.mark.parametrize("size", ["1000000", "0", "-1", "abc", "１０"])
def test_a_huge_or_bad_page_size_is_a_400(api, size):
    body = problem_of(api.get("/api/v1/listings/", {"page_size": size}, **EN), 400)
    assert body["errors"][0]["parameter"] == "page_size"


@pytest.mark.parametrize("cursor", ["!!nonsense", "cD1hYmM=", "cD0xLjc3NDI2Mjc="])
def test_a_bad_cursor_is_a_400(api, cursor):
    ListingFactory()
    body = problem_of(api.get("/api/v1/listings/", {"cursor": cursor}, **EN), 400)
    assert body["errors"] == [{"parameter": "cursor", "detail": "This cursor is not valid."}]


def test_a_wrong_method_is_405(api):
    problem_of(api.put("/api/v1/categories/"), 405)


def test_an_unknown_address_under_the_api_is_a_404_problem(api):
    problem_of(api.get("/api/v1/nothing-here/"), 404)
    problem_of(api.get("/api/v1/listings/99999999/"), 404)


def test_a_service_refusal_keeps_its_status_and_code(api, school):
    own = ListingFactory(owner_unit=school)  # a unit cannot reserve its own item
    body = problem_of(api.post(RESERVE, _body(own), **EN), 400)
    assert body["code"] == "own_item"
