"""Reports per organisation (issue 17): a transfer counts once for each side (given away,
received), once in a region's total; nobody sees another organisation's figures; reuse,
donation, sale and recycling apart."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from kierratys.accounts.partnerships import Region, RegionMembership
from kierratys.accounts.roles import COORDINATOR
from listings.models import EndOfLife, Listing, Recipient
from reservations import services
from reservations.models import HandoverDocument, Reservation

from ..factories import (
    CategoryFactory,
    DepartmentFactory,
    ListingFactory,
    OrganisationFactory,
    UnitFactory,
    UserFactory,
    other_organisation,
    reserve,
)

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")
YEAR_2025 = {"start": "2025-01-01", "end": "2025-12-31"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(month, day) -> datetime:
    return datetime(2025, month, day, 12, tzinfo=HELSINKI)


def collect(listing, receiver, quantity, when):
    reservation = reserve(listing, user=receiver, quantity=quantity)
    services.reservation_collect(
        actor=listing.created_by, reservation_id=reservation.pk, quantity=quantity
    )
    Reservation.objects.filter(pk=reservation.pk).update(updated_at=when)
    return reservation


@dataclass
class Region2:
    turku: object
    raisio: object
    turku_dept: object
    raisio_dept: object
    turku_unit: object
    raisio_unit: object
    turku_coordinator: object
    raisio_coordinator: object
    given: object  # Turku's listing that Raisio collected
    own: object  # Turku's listing reused within Turku


@pytest.fixture
def world() -> Region2:
    """Turku and Raisio, both in the Turku region, in 2025. The category counts 10 kg,
    30 kg CO2e and 100 € an item.

    Turku's chairs: 2 collected by Raisio (a transfer), 1 by another Turku unit.
    Raisio's table: 3 collected by another Raisio unit.
    """
    turku, raisio = OrganisationFactory(), other_organisation(2, name="Raisio")
    region = Region.objects.create(name="Turun seutu", name_en="Turku region", slug="turku")
    for organisation in (turku, raisio):
        RegionMembership.objects.create(
            region=region, organisation=organisation, joined_on=timezone.localdate()
        )
    turku_dept = DepartmentFactory(organisation=turku, name="Kasvatus", code="TKA")
    raisio_dept = DepartmentFactory(organisation=raisio, name="Sivistys", code="RSI")
    turku_unit = UnitFactory(department=turku_dept, name="Turun koulu")
    raisio_unit = UnitFactory(department=raisio_dept, name="Raision koulu")
    turku_other = UserFactory(unit=UnitFactory(department=turku_dept, name="Turun päiväkoti"))
    raisio_other = UserFactory(unit=UnitFactory(department=raisio_dept, name="Raision kirjasto"))
    raisio_receiver = UserFactory(unit=raisio_unit)
    category = CategoryFactory(slug="ro-chairs")
    given = ListingFactory(
        owner_unit=turku_unit, category=category, audience=Listing.Audience.PARTNERS, quantity=6
    )
    own = ListingFactory(owner_unit=turku_unit, category=category, quantity=2)
    raisio_table = ListingFactory(owner_unit=raisio_unit, category=category, quantity=3)
    collect(given, raisio_receiver, 2, at(5, 10))
    collect(own, turku_other, 1, at(5, 11))
    collect(raisio_table, raisio_other, 3, at(6, 1))
    return Region2(
        turku,
        raisio,
        turku_dept,
        raisio_dept,
        turku_unit,
        raisio_unit,
        UserFactory(unit=UnitFactory(department=turku_dept), roles=[COORDINATOR]),
        UserFactory(unit=UnitFactory(department=raisio_dept), roles=[COORDINATOR]),
        given,
        own,
    )


def report_of(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("reports:index"), {**YEAR_2025, **params}, **EN)
    assert response.status_code == 200
    return response


def csv_rows(client, table, **params):
    response = client.get(reverse("reports:csv", args=[table]), {**YEAR_2025, **params}, **EN)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))


def csv_region(client, **params):
    url = reverse("reports:region_export", args=["csv"])
    response = client.get(url, {**YEAR_2025, **params}, **EN)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))


def test_the_transfer_is_given_by_one_received_by_the_other(client, world):
    assert HandoverDocument.objects.count() == 1  # the collection had its document

    turku = report_of(client, world.turku_coordinator)
    totals = turku.context["report"].totals
    assert totals["items"] == 1  # reuse within Turku only
    assert totals["given"]["items"] == 1 * 2 and totals["received"]["items"] == 0
    assert totals["kg"] == Decimal("10.00")
    html = " ".join(turku.text.split())
    assert "Given to partner organisations</dt><dd>2 items" in html
    assert "Received from partner organisations</dt><dd>0 items" in html

    raisio = report_of(client, world.raisio_coordinator)
    totals = raisio.context["report"].totals
    assert totals["items"] == 5  # 3 of its own and the 2 received
    assert totals["received"]["items"] == 2 and totals["given"]["items"] == 0
    # The impact of what was received is Raisio's.
    assert (totals["kg"], totals["co2e"], totals["value"]) == (
        Decimal("50.00"),
        Decimal("150.00"),
        Decimal("500.00"),
    )
    assert "Received from partner organisations</dt><dd>2 items" in " ".join(raisio.text.split())
    # Received items count for the receiving department, and only Raisio's departments show.
    breakdown = {row["name"]: row["items"] for row in raisio.context["report"].breakdown}
    assert breakdown == {"Sivistys": 5}
    # A partner's listing is not on Raisio's list of listings to fix.
    assert world.given.pk not in [row["listing_id"] for row in raisio.context["report"].to_fix]


def test_the_exports_show_given_and_received(client, world):
    client.force_login(world.turku_coordinator)
    summary = {row[0]: row[1] for row in csv_rows(client, "summary")}
    assert summary["Items reused"] == "1"
    assert summary["Given to partner organisations"] == "2"
    assert summary["Received from partner organisations"] == "0"
    client.force_login(world.raisio_coordinator)
    summary = {row[0]: row[1] for row in csv_rows(client, "summary")}
    assert summary["Items reused"] == "5"
    assert summary["Received from partner organisations"] == "2"
    departments = csv_rows(client, "departments")
    assert [row[:2] for row in departments[1:]] == [["Sivistys", "5"]]


def test_a_unit_report_counts_what_the_unit_received(client, world):
    receiving_member = UserFactory(unit=world.raisio_unit)
    totals = report_of(client, receiving_member).context["report"].totals
    assert totals["items"] == 5  # its own table given inside Raisio, and the 2 received
    assert totals["received"]["items"] == 2
    giving_member = UserFactory(unit=world.turku_unit)
    totals = report_of(client, giving_member).context["report"].totals
    assert totals["items"] == 1 and totals["given"]["items"] == 2


def test_another_organisations_figures_are_never_shown(client, world):
    raisio = report_of(client, world.raisio_coordinator)
    options = raisio.text
    assert "Kasvatus" not in options and "Turun koulu" not in options
    for params in ({"department": world.turku_dept.pk}, {"unit": world.turku_unit.pk}):
        response = report_of(client, world.raisio_coordinator, **params)
        assert response.context["report"] is None
        assert "Choose one from the list" in response.text
        export = client.get(reverse("reports:csv", args=["summary"]), {**YEAR_2025, **params})
        assert export.status_code == 302  # back to the form, nothing downloaded
    # An organisation outside every region sees none of the two.
    salo = other_organisation(3, name="Salo")
    salo_coordinator = UserFactory(
        unit=UnitFactory(department=DepartmentFactory(organisation=salo)), roles=[COORDINATOR]
    )
    totals = report_of(client, salo_coordinator).context["report"].totals
    assert totals["items"] == 0 and totals["given"]["items"] == 0
    assert totals["published"] == 0


def test_the_region_counts_a_transfer_once(client, world):
    client.force_login(world.raisio_coordinator)
    response = client.get(reverse("reports:region"), YEAR_2025, **EN)
    assert response.status_code == 200
    report = response.context["report"]
    rows = {row["organisation"].pk: row for row in report.members}
    assert (rows[world.turku.pk]["items"], rows[world.turku.pk]["given"]) == (1, 2)
    assert (rows[world.raisio.pk]["items"], rows[world.raisio.pk]["received"]) == (5, 2)
    assert rows[world.raisio.pk]["kg"] == Decimal("50.00")
    total = report.total
    assert total["items"] == 6  # 1 + 3 + the 2 transferred, once
    assert total["kg"] == Decimal("60.00") and total["co2e"] == Decimal("180.00")
    assert total["between"] == 2
    assert (total["given"], total["received"]) == (0, 0)  # nothing left the region
    text = " ".join(response.text.split())
    assert "Turku region" in text and "Region total" in text
    assert "2 items moved between members" in text
    rows = csv_region(client)
    assert rows[0][:3] == ["Organisation", "Business ID", "Items reused"]
    assert [row[:3] for row in rows[1:]] == [
        ["Raisio", world.raisio.business_id, "5"],
        ["Turku", world.turku.business_id, "1"],
        ["Region total", "", "6"],
    ]
    # Turku's coordinator sees the same table; the report page links to it.
    client.force_login(world.turku_coordinator)
    index = client.get(reverse("reports:index"), **EN)
    assert reverse("reports:region") + "?region=turku" in index.text
    assert client.get(reverse("reports:region"), {"region": "turku"}, **EN).status_code == 200


def test_the_region_is_for_its_members_coordinators_only(client, world):
    salo = other_organisation(3, name="Salo")
    outsider = UserFactory(
        unit=UnitFactory(department=DepartmentFactory(organisation=salo)), roles=[COORDINATOR]
    )
    client.force_login(outsider)
    assert client.get(reverse("reports:region"), **EN).status_code == 404
    assert client.get(reverse("reports:region"), {"region": "turku"}, **EN).status_code == 404
    export = reverse("reports:region_export", args=["csv"])
    assert client.get(export, {"region": "turku"}, **EN).status_code == 404
    client.force_login(UserFactory(unit=world.raisio_unit))  # unit staff
    assert client.get(reverse("reports:region"), **EN).status_code == 403


def test_end_of_life_rates_apart(client, world):
    decider = world.turku_coordinator
    recipient = Recipient.objects.create(organisation=world.turku, name="Kierrätyskeskus")
    leftovers = ListingFactory(owner_unit=world.turku_unit, quantity=9)
    EndOfLife.objects.create(
        listing=leftovers,
        outcome=EndOfLife.Outcome.DONATE,
        quantity=2,
        recipient=recipient,
        decided_by=decider,
        decided_at=at(9, 1),
    )
    EndOfLife.objects.create(
        listing=leftovers,
        outcome=EndOfLife.Outcome.SELL,
        quantity=1,
        starting_price_eur=20,
        decided_by=decider,
        decided_at=at(9, 2),
    )
    EndOfLife.objects.create(
        listing=leftovers,
        outcome=EndOfLife.Outcome.RECYCLE,
        quantity=3,
        fraction=EndOfLife.Fraction.WOOD,
        weight_kg=30,
        decided_by=decider,
        decided_at=at(9, 3),
    )
    EndOfLife.objects.create(  # another year
        listing=leftovers,
        outcome=EndOfLife.Outcome.RECYCLE,
        quantity=3,
        fraction=EndOfLife.Fraction.WOOD,
        weight_kg=30,
        decided_by=decider,
        decided_at=datetime(2024, 9, 3, tzinfo=HELSINKI),
    )
    raisio_leftovers = ListingFactory(owner_unit=world.raisio_unit, quantity=4)
    EndOfLife.objects.create(  # Raisio's, not Turku's
        listing=raisio_leftovers,
        outcome=EndOfLife.Outcome.RECYCLE,
        quantity=4,
        fraction=EndOfLife.Fraction.METAL,
        weight_kg=8,
        decided_by=world.raisio_coordinator,
        decided_at=at(9, 3),
    )
    response = report_of(client, world.turku_coordinator)
    rates = {
        row["outcome"]: (row["items"], row["share"]) for row in response.context["report"].outcomes
    }
    # Reuse: Turku's own listings collected, 1 within Turku and 2 by Raisio.
    assert rates == {
        "reuse": (3, Decimal("33.3")),
        "donate": (2, Decimal("22.2")),
        "sell": (1, Decimal("11.1")),
        "recycle": (3, Decimal("33.3")),
    }
    text = " ".join(response.text.split())
    assert "Reuse, donation, sale and recycling" in text
    donated = '<th scope="row">Donated</th> <td class="num">2</td> <td class="num">22.2 %</td>'
    assert donated in text
    rows = csv_rows(client, "outcomes")
    assert rows[0] == ["Outcome", "Items", "Share (%)"]
    assert rows[1:] == [
        ["Reused", "3", "33.3"],
        ["Donated", "2", "22.2"],
        ["Sold", "1", "11.1"],
        ["Recycled", "3", "33.3"],
    ]
    # The regional view has the same outcomes per member.
    region = client.get(reverse("reports:region"), YEAR_2025, **EN).context["report"]
    rows = {row["organisation"].pk: row for row in region.members}
    assert (rows[world.turku.pk]["donate"], rows[world.turku.pk]["sell"]) == (2, 1)
    assert rows[world.turku.pk]["recycle"] == 3 and rows[world.raisio.pk]["recycle"] == 4
    assert region.total["recycle"] == 7


def test_a_member_that_left_later_keeps_its_row_for_the_period(client, world):
    RegionMembership.objects.filter(organisation=world.turku).update(
        joined_on=date(2024, 1, 1), left_on=date(2026, 1, 31)
    )
    client.force_login(world.raisio_coordinator)
    report = client.get(reverse("reports:region"), YEAR_2025, **EN).context["report"]
    assert world.turku.pk in [row["organisation"].pk for row in report.members]
    assert report.total["between"] == 2  # still a transfer inside the region in 2025


def test_an_organisations_own_figures_replace_the_categorys(client, world):
    """Turku counts its chairs at 25 kg CO2e: its own listings use that, in both sides' reports;
    Raisio's table keeps the category's 30 kg."""
    world.turku.impact_overrides = {"ro-chairs": {"co2e_kg_per_item": "25"}}
    world.turku.full_clean()
    world.turku.save()

    turku = report_of(client, world.turku_coordinator).context["report"].totals
    assert (turku["items"], turku["co2e"], turku["kg"]) == (1, Decimal("25.00"), Decimal("10.00"))
    raisio = report_of(client, world.raisio_coordinator).context["report"].totals
    # 3 own tables at 30 kg and the 2 chairs received from Turku at Turku's 25 kg.
    assert raisio["co2e"] == Decimal("3") * 30 + 2 * 25


@pytest.mark.parametrize(
    "overrides",
    [
        ["ro-chairs"],
        {"ro-chairs": 25},
        {"ro-chairs": {}},
        {"ro-chairs": {"weight": 3}},
        {"ro-chairs": {"co2e_kg_per_item": -1}},
        {"ro-chairs": {"co2e_kg_per_item": "many"}},
        {"ro-chairs": {"co2e_kg_per_item": True}},
    ],
)
def test_overrides_that_are_not_positive_figures_are_refused(world, overrides):
    from django.core.exceptions import ValidationError

    world.turku.impact_overrides = overrides
    with pytest.raises(ValidationError) as refused:
        world.turku.full_clean()
    assert "category identifiers" in str(refused.value)
