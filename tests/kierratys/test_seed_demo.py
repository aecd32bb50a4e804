from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone, translation
from stdnum.fi import ytunnus

from inventory import selectors as inventory_selectors
from inventory.models import Task, Warehouse
from kierratys.accounts.models import Department, EmailDomain, Organisation, Unit, User
from kierratys.accounts.partnerships import Partnership, Region, RegionMembership, running_on
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from kierratys.accounts.selectors import partner_ids_of
from kierratys.reports.filters import ReportFilter
from kierratys.reports.forms import this_year
from kierratys.reports.selectors import impact_report
from listings.audience import viewer_of
from listings.filters import visible_listings
from listings.models import Listing, ListingPhoto, SavedSearch
from reservations.models import Reservation

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo")

    def counts():
        return [m.objects.count() for m in (Department, Unit, User, Listing, ListingPhoto)]

    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert first[:3] == [7, 14, 9]  # Turku's 3, Kaarina's 2 and Varha's 2 departments
    assert first[3] >= 50
    assert Listing.objects.filter(status=Listing.Status.PUBLISHED).count() >= 35
    warehouse = User.objects.get(email="warehouse@demo.example")
    assert warehouse.groups.filter(name=WAREHOUSE).exists()
    coordinator = User.objects.get(email="coordinator@demo.example")
    assert coordinator.groups.filter(name=COORDINATOR).exists() and coordinator.is_staff
    lister = User.objects.get(email="lister@demo.example")
    reserver = User.objects.get(email="reserver@demo.example")
    assert lister.unit.department != reserver.unit.department
    for email in [
        "lister@demo.example",
        "reserver@demo.example",
        "warehouse@demo.example",
        "coordinator@demo.example",
        "reserver@kaarina.demo.example",
        "coordinator@kaarina.demo.example",
        "reserver@varha.demo.example",
        "warehouse@varha.demo.example",
        "coordinator@varha.demo.example",
    ]:
        assert User.objects.get(email=email).check_password("kierratys-demo")


def test_seed_demo_is_refused_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusing"):
        call_command("seed_demo")
    assert not User.objects.exists()
    call_command("seed_demo", "--force")
    assert User.objects.count() == 9


def test_seed_demo_brings_every_feature_to_life(settings):
    """Reservations in every status, both kinds of task on the board, figures in the reports,
    saved searches and a waiting list: and a second seeding adds none of it again."""
    settings.DEBUG = True
    call_command("seed_demo")

    def counts():
        return [
            Reservation.objects.count(),
            Task.objects.count(),
            SavedSearch.objects.count(),
            *[Reservation.objects.filter(status=s).count() for s in Reservation.Status],
        ]

    first = counts()
    call_command("seed_demo")
    assert counts() == first

    statuses = set(Reservation.objects.values_list("status", flat=True))
    assert statuses == set(Reservation.Status.values)
    today = timezone.localdate()
    expired = Reservation.objects.get(status=Reservation.Status.EXPIRED)
    assert expired.collect_by == today - timedelta(days=1)
    waiting = Reservation.objects.get(status=Reservation.Status.WAITING)
    assert waiting.unit.name == "Kupittaan terveysasema"  # the reserver's, to see the queue

    start, end = this_year(today)
    totals = impact_report(filters=ReportFilter(start=start, end=end)).totals
    assert totals["items"] > 0 and totals["collections"] >= 3
    assert totals["kg"] > 0 and totals["co2e"] > 0 and totals["value"] > 0

    board = inventory_selectors.board(user=User.objects.get(email="warehouse@demo.example"))
    on_board = [task for _status, tasks in board["columns"] for task in tasks]
    kinds = {task.kind for task in on_board}
    assert {Task.Kind.DELIVERY, Task.Kind.INTAKE} <= kinds
    delivery = next(task for task in on_board if task.kind == Task.Kind.DELIVERY)
    assert delivery.reservation.status == Reservation.Status.ACTIVE
    assert today < delivery.date <= today + timedelta(days=settings.DELIVERY_BOOKING_DAYS)

    reserver = User.objects.get(email="reserver@demo.example")
    assert SavedSearch.objects.filter(user=reserver).exists()
    assert Reservation.objects.filter(
        unit=reserver.unit, status=Reservation.Status.ACTIVE, handover="pickup"
    ).exists()  # something to hand over with the QR code

    # Lent, not given (issue 20): a for-loan item with one booking on its calendar.
    from reservations.loans.models import Loan

    beds = Listing.objects.get(title="Retkisänky kesäleireille")
    assert beds.for_loan and beds.status == Listing.Status.PUBLISHED
    assert (beds.quantity, beds.loan_max_days) == (3, 14)
    loan = Loan.objects.get(listing=beds)
    assert loan.status == Loan.Status.BOOKED and loan.unit == reserver.unit
    assert loan.start > today and loan.days <= beds.loan_max_days


def test_the_demo_names_its_units_in_swedish_too(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    unit = Unit.objects.get(name="Kupittaan terveysasema")
    with translation.override("sv"):
        assert unit.display_name == "Kuppis hälsostation"
    with translation.override("fi"):
        assert unit.display_name == "Kupittaan terveysasema"


def test_the_demo_has_three_organisations_a_partnership_and_a_region(settings):
    """Turku, Kaarina and Varha with their real business IDs and own sign-up domains; Turku
    and Kaarina partners, all three in the Turku region; a warehouse for Turku and Varha."""
    settings.DEBUG = True
    call_command("seed_demo")

    def counts():
        return [
            Organisation.objects.count(),
            Partnership.objects.count(),
            RegionMembership.objects.count(),
            Warehouse.objects.count(),
        ]

    first = counts()
    call_command("seed_demo")
    assert counts() == first == [3, 1, 3, 2]

    organisations = {o.slug: o for o in Organisation.objects.all()}
    assert {slug: o.business_id for slug, o in organisations.items()} == {
        "turku": "0204819-8",
        "kaarina": "0133226-9",
        "varha": "3221065-1",
    }
    assert all(ytunnus.is_valid(o.business_id) for o in organisations.values())
    assert organisations["varha"].kind == Organisation.Kind.WELLBEING_COUNTY
    with translation.override("sv"):
        assert organisations["kaarina"].display_name == "S:t Karins"
        assert organisations["varha"].display_name == "Egentliga Finlands välfärdsområde"
    assert organisations["turku"].department_days == 0  # Turku's go straight to the city
    domains = dict(EmailDomain.objects.values_list("domain", "organisation__slug"))
    assert domains["kaarina.demo.example"] == "kaarina"
    assert domains["varha.demo.example"] == "varha"
    for email, slug in [
        ("reserver@kaarina.demo.example", "kaarina"),
        ("coordinator@kaarina.demo.example", "kaarina"),
        ("reserver@varha.demo.example", "varha"),
        ("coordinator@varha.demo.example", "varha"),
    ]:
        assert User.objects.get(email=email).unit.department.organisation.slug == slug
    assert User.objects.get(email="coordinator@varha.demo.example").groups.filter(name=COORDINATOR)

    today = timezone.localdate()
    partnership = Partnership.objects.get()
    assert {partnership.proposer.slug, partnership.partner.slug} == {"turku", "kaarina"}
    assert Partnership.objects.filter(running_on(today)).count() == 1
    region = Region.objects.get(slug="turun-seutu")
    with translation.override("sv"):
        assert region.display_name == "Åboregionen"
    assert set(region.memberships.values_list("organisation__slug", flat=True)) == {
        "turku",
        "kaarina",
        "varha",
    }
    assert set(partner_ids_of(organisations["turku"].pk)) == {
        organisations["kaarina"].pk,
        organisations["varha"].pk,
    }
    assert set(Warehouse.objects.values_list("organisation__slug", flat=True)) == {
        "turku",
        "varha",
    }


def test_the_demo_has_listings_at_every_stage_seen_across_organisations(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = list(Listing.objects.order_by("pk").values_list("audience", "audience_widens_at"))
    call_command("seed_demo")
    assert list(Listing.objects.order_by("pk").values_list("audience", "audience_widens_at")) == (
        first
    )

    published = Listing.objects.exclude(status=Listing.Status.DRAFT)
    stages = {
        (slug, stage) for slug, stage in published.values_list("organisation__slug", "audience")
    }
    for stage in ["organisation", "partners", "ended"]:
        assert ("turku", stage) in stages
    for slug in ["kaarina", "varha"]:
        for stage in ["department", "organisation", "partners", "ended"]:
            assert (slug, stage) in stages, (slug, stage)

    def catalogue_of(email):
        user = User.objects.get(email=email)
        return set(visible_listings(viewer_of(user)).values_list("title", flat=True))

    kaarina = catalogue_of("reserver@kaarina.demo.example")
    turku = catalogue_of("reserver@demo.example")
    varha = catalogue_of("reserver@varha.demo.example")
    assert "Lattiavalaisin" in kaarina and "Lattiavalaisin" in varha  # Turku's, partners
    assert "Satulatuoli" not in kaarina  # Turku's, the city only
    assert "Satulatuoli" in turku
    assert "Lääkekaappi, lukollinen" in turku  # Varha's, partners (the region)
    assert "Odotustilan nojatuoli" not in turku  # Varha's, its own department only
    assert "Odotustilan nojatuoli" in varha  # the reserver's unit is in that department
    assert "Ruokalan tuoli" not in turku and "Ruokalan tuoli" in kaarina
    assert not {"Varastohylly, metalli", "Pöytävalaisin, vihreä"} & (kaarina | turku | varha)

    across = Reservation.objects.exclude(unit__department__organisation=F("listing__organisation"))
    assert set(across.values_list("unit__department__organisation__slug", "status")) == {
        ("kaarina", Reservation.Status.COLLECTED),
        ("varha", Reservation.Status.ACTIVE),
        ("turku", Reservation.Status.ACTIVE),
    }
