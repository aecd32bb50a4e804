import pytest
from django.core.management import CommandError, call_command

from kierratys.accounts.models import Department, Unit, User
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from listings.models import Listing, ListingPhoto

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
