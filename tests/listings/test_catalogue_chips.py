"""The catalogue's chips of active filters (issue 15, item 7): one per chosen value, each a
plain link to the same search without it; the "Show N results" count; the filter count."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from listings.models import Listing

from ..factories import CategoryFactory, ListingFactory

pytestmark = pytest.mark.django_db
URL = "/listings/"


def chips(response) -> dict[str, str]:
    """{chip text: its link}, as the page shows them."""
    found = re.findall(
        r'<a class="chip" href="([^"]*)" data-chip="[a-z_]+">(.*?)<svg', response.text, re.S
    )
    return {
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", unescape(text))).strip(): unescape(href)
        for href, text in found
    }


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def test_no_filters_no_chips(staff_client):
    ListingFactory()
    response = staff_client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert chips(response) == {}
    assert 'data-active-count="0"' in response.text


def test_each_chosen_value_is_a_chip_whose_link_removes_only_it(staff_client):
    chairs = CategoryFactory(name_en="Office chairs")
    ListingFactory(category=chairs, condition=Listing.Condition.NEW, width_cm=60)
    response = staff_client.get(
        URL,
        {
            "q": "tuoli",
            "category": chairs.pk,
            "condition": ["new", "good"],
            "width_min": "50",
            "colour": "",  # empty: not chosen, no chip
            "sort": "title",  # the order is not a filter
            "page": "2",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    shown = chips(response)
    assert set(shown) == {
        "Remove filter: Search: tuoli",
        "Remove filter: Category: Office chairs",
        "Remove filter: Condition: New",
        "Remove filter: Condition: Good",
        "Remove filter: Width at least 50 cm",
    }
    without_new = query_of(shown["Remove filter: Condition: New"])
    assert without_new["condition"] == ["good"]
    assert without_new["q"] == ["tuoli"] and without_new["sort"] == ["title"]
    assert "page" not in without_new  # back to the first page
    assert "category" not in query_of(shown["Remove filter: Category: Office chairs"])
    assert "width_min" not in query_of(shown["Remove filter: Width at least 50 cm"])
    assert 'data-active-count="5"' in response.text
    # The link works without JavaScript: the same search, less that filter.
    follow = staff_client.get(shown["Remove filter: Condition: New"], HTTP_ACCEPT_LANGUAGE="en")
    assert set(chips(follow)) == set(shown) - {"Remove filter: Condition: New"}


def test_invalid_and_default_values_have_no_chip(staff_client):
    ListingFactory()
    response = staff_client.get(
        URL,
        {"width_min": "abc", "category": "999999", "available_now": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert chips(response) == {}
    later = staff_client.get(URL, {"available_now": "0"}, HTTP_ACCEPT_LANGUAGE="en")
    assert set(chips(later)) == {"Remove filter: Also items available later"}


def test_chips_are_in_the_finnish_page_too(staff_client):
    ListingFactory(condition=Listing.Condition.GOOD)
    response = staff_client.get(URL, {"condition": "good"}, HTTP_ACCEPT_LANGUAGE="fi")
    (text,) = chips(response)
    assert "Hyvä" in text


def test_show_results_button_and_the_filter_count_follow_the_results(staff_client):
    for _ in range(3):
        ListingFactory(condition=Listing.Condition.GOOD)
    ListingFactory(condition=Listing.Condition.NEW)
    page = staff_client.get(URL, {"condition": "good"}, HTTP_ACCEPT_LANGUAGE="en").text
    assert re.search(r"data-show-results>\s*Show 3 results\s*</button>", page)
    assert re.search(r"data-show-label>\s*Show 3 results\s*</span>", page)
    assert re.search(r"data-filters-count-n>1</span>", page)
    one = staff_client.get(URL, {"condition": "new"}, HTTP_ACCEPT_LANGUAGE="en").text
    assert re.search(r"data-show-results>\s*Show 1 result\s*</button>", one)
    # The part catalogue.js fetches carries the count and the chips too.
    partial = staff_client.get(
        URL, {"condition": "good"}, HTTP_X_PARTIAL="results", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "<html" not in partial.text
    assert re.search(r"data-show-label>\s*Show 3 results\s*</span>", partial.text)
    assert 'data-active-count="1"' in partial.text
    assert set(chips(partial)) == {"Remove filter: Condition: Good"}
