import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from kierratys.accounts.models import Department, Unit, User
from kierratys.accounts.roles import STAFF

PASSWORD = "correct-horse-battery-9"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Toimiala {n}")
    code = factory.Sequence(lambda n: f"D{n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"Koulu {n}")
    street_address = factory.Sequence(lambda n: f"Koulukatu {n}")
    postal_code = "20100"
    city = "Turku"
    district = "Keskusta"
    phone = "02 262 0000"
    cost_centre = factory.Sequence(lambda n: f"KP-{n:04d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@demo.example")
    full_name = factory.Sequence(lambda n: f"Testi Käyttäjä {n}")
    unit = factory.SubFactory(UnitFactory)
    is_active = True
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create:
            return
        names = [STAFF, *(extracted or [])] if self.is_active else list(extracted or [])
        # get_or_create: transactional tests flush the groups the data migration made.
        self.groups.set([Group.objects.get_or_create(name=name)[0] for name in names])


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "listings.Category"
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"category-{n}")
    name_fi = factory.Sequence(lambda n: f"Tuolit {n}")
    name_sv = factory.Sequence(lambda n: f"Stolar {n}")
    name_en = factory.Sequence(lambda n: f"Chairs {n}")
    typical_weight_kg = 10
    co2e_kg_per_item = 30
    replacement_value_eur = 100


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "listings.Listing"

    title = factory.Sequence(lambda n: f"Harmaa työtuoli {n}")
    description = "Käsinojalliset, säädettävät."
    category = factory.SubFactory(CategoryFactory)
    condition = "good"
    quantity = 5
    quantity_available = factory.SelfAttribute("quantity")
    owner_unit = factory.SubFactory(UnitFactory)
    created_by = factory.SubFactory(UserFactory, unit=factory.SelfAttribute("..owner_unit"))
    status = "published"
    published_at = factory.LazyFunction(timezone.now)
    code = factory.Sequence(lambda n: f"T-{n:06d}")


def reserve(listing, *, user=None, quantity=1, **kwargs):
    """Reserve through the real service, as a member of another unit."""
    from reservations import services

    user = user or UserFactory()
    return services.reservation_create(
        actor=user,
        listing_id=listing.pk,
        quantity=quantity,
        contact_name=user.full_name,
        contact_phone="040 123 4567",
        **kwargs,
    )


def warehouse_with_slots(capacity=2):
    """A warehouse with two shelves and a 08-10 slot every weekday."""
    from datetime import time

    from inventory.models import StorageLocation, TimeSlot, Warehouse

    warehouse = Warehouse.objects.create(
        name=f"Varasto {Warehouse.objects.count() + 1}",
        street_address="Ajurinkatu 12",
        postal_code="20360",
        city="Turku",
    )
    shelves = [
        StorageLocation.objects.create(warehouse=warehouse, code=f"A-0{n}-1") for n in (1, 2)
    ]
    slots = [
        TimeSlot.objects.create(
            warehouse=warehouse,
            weekday=day,
            start=time(8),
            end=time(10),
            delivery_capacity=capacity,
            pickup_capacity=capacity,
        )
        for day in range(7)
    ]
    return warehouse, shelves, slots


def next_working_day(after_days=1):
    from datetime import timedelta

    from django.utils import timezone

    from inventory.calendar import is_holiday

    day = timezone.localdate() + timedelta(days=after_days)
    while is_holiday(day):
        day += timedelta(days=1)
    return day
