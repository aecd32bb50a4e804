"""One search's cost is bounded: length and words, a statement timeout, a per-user rate."""

import pytest

from listings import search
from listings.models import Listing

from ..conftest import needs_postgres
from ..factories import CategoryFactory, ListingFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/listings/"


@pytest.fixture
def viewer(client):
    user = UserFactory()
    client.force_login(user)
    return user


def notes_of(response) -> list[str]:
    return [str(note) for note in response.context["notes"]]


def test_long_searches_are_refused_with_a_message(client, viewer):
    ListingFactory(title="Tuoli")
    for query in [
        "t" * 101,
        "tuoli " * 40,
        "a" * 200,
        "tuoli" + " " * 300 + "x" * 97,  # whitespace is collapsed, the rest still counts
        "ä" * 150,
    ]:
        response = client.get(URL, {"q": query}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert any("too long" in note and "100" in note for note in notes_of(response))
        assert list(response.context["page"].object_list) == []
    # up to the limit is searched as usual
    response = client.get(URL, {"q": "tuoli" + " " * 50}, HTTP_ACCEPT_LANGUAGE="en")
    assert [item.title for item in response.context["page"].object_list] == ["Tuoli"]


def test_searches_with_many_words_are_refused_with_a_message(client, viewer):
    ListingFactory(title="Tuoli")
    for query in ["a b c d e f g h i", "tuoli " * 9, " ".join(["x"] * 30)]:
        response = client.get(URL, {"q": query}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert any("too many words" in note for note in notes_of(response))
        assert list(response.context["page"].object_list) == []
    response = client.get(URL, {"q": "tuoli " * 8}, HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 200 and not notes_of(response)


def test_the_limit_is_told_in_finnish_too(client, viewer):
    response = client.get(URL, {"q": "x" * 101}, HTTP_ACCEPT_LANGUAGE="fi")
    assert response.context["notes"] and "100" in notes_of(response)[0]


def test_searching_too_often_is_429_with_a_message(client, viewer, monkeypatch):
    monkeypatch.setattr(search, "RATE_PER_MINUTE", 5)
    ListingFactory(title="Tuoli")
    for _ in range(5):
        assert client.get(URL, {"q": "tuoli"}).status_code == 200
    for query in ["tuoli", "pöytä", "x"]:
        response = client.get(URL, {"q": query}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 429
        assert any("searched very often" in note for note in notes_of(response))
    partial = client.get(URL, {"q": "tuoli"}, HTTP_X_PARTIAL="results")
    assert partial.status_code == 429
    # browsing without a search is not limited, and other users still search
    assert client.get(URL, {"sort": "title"}).status_code == 200
    client.force_login(UserFactory())
    assert client.get(URL, {"q": "tuoli"}).status_code == 200


@needs_postgres
def test_a_search_over_the_time_limit_is_a_friendly_message(client, viewer, monkeypatch):
    category = CategoryFactory()
    owner = ListingFactory(category=category)
    Listing.objects.bulk_create(
        ListingFactory.build(
            category=category,
            owner_unit=owner.owner_unit,
            created_by=owner.created_by,
            title=f"Säädettävä harmaa työtuoli käsinojilla malli {n}",
        )
        for n in range(6000)
    )
    monkeypatch.setattr(search, "TIMEOUT_MS", 1)
    response = client.get(URL, {"q": "harmaa työtuoli käsinoja"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert any("took too long" in note for note in notes_of(response))
    assert list(response.context["page"].object_list) == []
    # the connection is usable afterwards and the limit did not leak to other queries
    monkeypatch.setattr(search, "TIMEOUT_MS", 2000)
    response = client.get(URL, {"q": "harmaa työtuoli"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response.context["page"].object_list
    assert Listing.objects.count() == 6001
