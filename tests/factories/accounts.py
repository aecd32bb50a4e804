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
