from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from inventory import selectors as inventory_selectors
from inventory.models import Task
from kierratys.accounts.models import Department, Unit, User
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from kierratys.reports.filters import ReportFilter
from kierratys.reports.forms import this_year
from kierratys.reports.selectors import impact_report
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
    assert first[:3] == [3, 8, 4]
    assert first[3] >= 40
    assert Listing.objects.filter(status=Listing.Status.PUBLISHED).count() >= 35
    warehouse = User.objects.get(email="warehouse@demo.example")
    assert warehouse.groups.filter(name=WAREHOUSE).exists()
    coordinator = User.objects.get(email="coordinator@demo.example")
    assert coordinator.groups.filter(name=COORDINATOR).exists() and coordinator.is_staff
    lister = User.objects.get(email="lister@demo.example")
    reserver = User.objects.get(email="reserver@demo.example")
    assert lister.unit.department != reserver.unit.department
    for email in ["lister", "reserver", "warehouse", "coordinator"]:
        assert User.objects.get(email=f"{email}@demo.example").check_password("kierratys-demo")


def test_seed_demo_is_refused_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusing"):
        call_command("seed_demo")
    assert not User.objects.exists()
    call_command("seed_demo", "--force")
    assert User.objects.count() == 4


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

    on_board = [task for _status, tasks in inventory_selectors.board()["columns"] for task in tasks]
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


def test_the_demo_names_its_units_in_swedish_too(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    unit = Unit.objects.get(name="Kupittaan terveysasema")
    with translation.override("sv"):
        assert unit.display_name == "Kuppis hälsostation"
    with translation.override("fi"):
        assert unit.display_name == "Kupittaan terveysasema"
