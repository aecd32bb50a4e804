"""Open impact data (issue 19, item 5): a coordinator publishes the organisation's monthly
figures; anyone reads them without signing in as JSON, CSV and a page; the catalogue is
DCAT-AP JSON-LD that validates against DCAT-AP's constraints (tests/support)."""

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from pyshacl import validate
from rdflib import Graph

from kierratys.accounts.roles import COORDINATOR
from listings.models import EndOfLife, Listing, Recipient
from reservations import services
from reservations.models import Reservation

from ..factories import (
    CategoryFactory,
    ListingFactory,
    OrganisationFactory,
    UserFactory,
    member_of,
    other_organisation,
    reserve,
    running_partnership,
)

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")
SHAPES = Path(__file__).parent.parent / "support" / "dcat_ap_shapes.ttl"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def last_month(day: int) -> datetime:
    first = timezone.localdate().replace(day=1) - timedelta(days=1)
    return datetime(first.year, first.month, day, 12, tzinfo=HELSINKI)


def collect(listing, quantity, when, receiver=None):
    reservation = reserve(listing, user=receiver, quantity=quantity)
    services.reservation_collect(
        actor=listing.created_by, reservation_id=reservation.pk, quantity=quantity
    )
    Reservation.objects.filter(pk=reservation.pk).update(updated_at=when)


@pytest.fixture
def turku():
    organisation = OrganisationFactory()
    organisation.open_data_since = timezone.now()
    organisation.save()
    return organisation


@pytest.fixture
def figures(turku):
    """Last month: 3 chairs reused (10 kg, 30 kg CO2e, 100 € each) and 2 donated; this
    month 1 more reused, which is not published until the month is over."""
    chairs = CategoryFactory(slug="od-chairs", name_fi="Tuolit", name_en="Chairs")
    listing = ListingFactory(category=chairs, quantity=10)
    collect(listing, 2, last_month(3))
    collect(listing, 1, last_month(20))
    collect(listing, 1, timezone.now())
    EndOfLife.objects.create(
        listing=ListingFactory(category=chairs, quantity=4),
        outcome=EndOfLife.Outcome.DONATE,
        quantity=2,
        recipient=Recipient.objects.create(organisation=turku, name="Kierrätyskeskus"),
        decided_by=listing.created_by,
        decided_at=last_month(25),
    )
    return chairs


def test_anyone_reads_the_months_figures_as_json_csv_and_a_page(client, turku, figures):
    month = last_month(1).strftime("%Y-%m")
    response = client.get(reverse("open_data:impact_json", args=["turku"]))
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    assert document["licence"] == "http://creativecommons.org/licenses/by/4.0/"
    assert document["organisation"] == {"name": "Turku", "business_id": "0204819-8"}
    (row,) = document["rows"]
    assert row["month"] == month and row["category"] == "od-chairs"
    assert row["reused_items"] == 3 and row["reused_kg"] == 30.0
    assert row["co2e_avoided_kg"] == 90.0 and row["replacement_value_eur"] == 300.0
    assert (row["donated_items"], row["sold_items"], row["recycled_items"]) == (2, 0, 0)

    response = client.get(reverse("open_data:impact_csv", args=["turku"]))
    assert response.status_code == 200
    header, *lines = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert header == document["columns"]
    assert len(lines) == 1
    line = dict(zip(header, lines[0], strict=True))
    assert line["reused_items"] == "3" and line["reused_kg"] == "30.00"
    assert line["category_fi"] == "Tuolit" and line["donated_items"] == "2"

    page = client.get(reverse("open_data:organisation", args=["turku"]), **EN)
    assert page.status_code == 200
    assert "Open impact data: Turku" in page.text and "Chairs" in page.text


def test_what_another_organisation_received_is_its_own_reuse_not_the_givers(turku, client):
    """A chair of Turku's reused by Raisio counts for Raisio, as in the impact report."""
    raisio = other_organisation(2, name="Raisio")
    raisio.open_data_since = timezone.now()
    raisio.save()
    running_partnership(turku, raisio)
    listing = ListingFactory(category=CategoryFactory(), audience=Listing.Audience.PARTNERS)
    collect(listing, 1, last_month(5), receiver=member_of(raisio))
    turku_rows = client.get(reverse("open_data:impact_json", args=["turku"])).json()["rows"]
    raisio_rows = client.get(reverse("open_data:impact_json", args=["kunta-2"])).json()["rows"]
    assert turku_rows == []
    assert [r["reused_items"] for r in raisio_rows] == [1]


def test_an_organisation_that_does_not_publish_is_not_found(client, figures):
    quiet = other_organisation(3)
    for name in ("organisation", "impact_json", "impact_csv"):
        assert client.get(reverse(f"open_data:{name}", args=[quiet.slug])).status_code == 404
    index = client.get(reverse("open_data:index"), **EN)
    assert "Turku" in index.text and quiet.name not in index.text


def test_the_coordinator_publishes_and_stops_and_others_may_not(client):
    organisation = OrganisationFactory()
    coordinator = UserFactory(roles=[COORDINATOR])
    client.force_login(UserFactory())
    assert client.get(reverse("open_data:manage")).status_code == 403
    assert client.post(reverse("open_data:publish"), {"publish": "1"}).status_code == 403
    organisation.refresh_from_db()
    assert organisation.open_data_since is None

    client.force_login(coordinator)
    page = client.get(reverse("open_data:manage"), **EN)
    assert "Your figures are not published." in page.text
    response = client.post(reverse("open_data:publish"), {"publish": "1"}, follow=True, **EN)
    assert "Your impact figures are published as open data." in response.text
    organisation.refresh_from_db()
    since = organisation.open_data_since
    assert since is not None
    client.post(reverse("open_data:publish"), {"publish": "1"})  # again: the first date stays
    organisation.refresh_from_db()
    assert organisation.open_data_since == since
    client.logout()
    assert client.get(reverse("open_data:impact_json", args=["turku"])).status_code == 200

    client.force_login(coordinator)
    client.post(reverse("open_data:publish"), {"publish": "0"})
    client.logout()
    assert client.get(reverse("open_data:impact_json", args=["turku"])).status_code == 404

    client.force_login(coordinator)
    bad = client.post(reverse("open_data:publish"), {"publish": "maybe"}, follow=True, **EN)
    assert "Choose whether to publish the figures or to stop." in bad.text


def catalogue_graph(client) -> Graph:
    response = client.get(reverse("open_data:catalogue"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    return Graph().parse(data=response.content, format="json-ld")


def conforms(graph: Graph) -> tuple[bool, str]:
    ok, _graph, text = validate(graph, shacl_graph=str(SHAPES), shacl_graph_format="turtle")
    return ok, text


def test_the_catalogue_is_dcat_ap_json_ld(client, turku, figures):
    other_organisation(2, name="Raisio")  # does not publish: not in the catalogue
    graph = catalogue_graph(client)
    ok, report = conforms(graph)
    assert ok, report
    dataset = graph.query(
        """PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?dataset ?title WHERE { ?catalogue a dcat:Catalog ; dcat:dataset ?dataset .
        ?dataset dct:title ?title FILTER(lang(?title) = "sv") }"""
    )
    ((found, title),) = list(dataset)
    assert str(found).endswith("/open-data/turku/#dataset")
    assert "Åbo" in str(title)
    downloads = {
        str(url)
        for (url,) in graph.query(
            "PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT ?u WHERE { ?d dcat:downloadURL ?u }"
        )
    }
    assert {u.rsplit("/", 1)[1] for u in downloads} == {"impact.json", "impact.csv"}


def test_the_dcat_check_fails_a_dataset_without_a_title(client, turku):
    """The shapes are strict enough to catch a missing mandatory property."""
    graph = catalogue_graph(client)
    from rdflib import URIRef

    graph.remove((None, URIRef("http://purl.org/dc/terms/title"), None))
    ok, report = conforms(graph)
    assert not ok and "title" in report


@pytest.mark.parametrize(
    ("language", "heading"),
    [("fi", "Avoin vaikuttavuusdata"), ("sv", "Öppna effektdata"), ("en", "Open impact data")],
)
def test_the_open_data_page_speaks_each_language(client, turku, language, heading):
    page = client.get(reverse("open_data:index"), HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    assert f"<h1>{heading}</h1>" in page.text
    assert json.loads(client.get(reverse("open_data:catalogue")).content)["dcat:dataset"]
