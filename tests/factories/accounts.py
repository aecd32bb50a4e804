import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from stdnum.fi import ytunnus

from kierratys.accounts.models import Department, EmailDomain, Organisation, Unit, User
from kierratys.accounts.roles import STAFF

PASSWORD = "correct-horse-battery-9"


def _business_id(n: int) -> str:
    """A valid business ID of its own for the nth organisation (some digits have none)."""
    for base in range(1000000 + 10 * n, 1000000 + 10 * n + 10):
        for check in range(10):
            candidate = f"{base:07d}-{check}"
            if ytunnus.is_valid(candidate):
                return candidate
    raise AssertionError("no business ID")


class OrganisationFactory(factory.django.DjangoModelFactory):
    """A municipality; the first one (slug "turku") is the one every default factory uses."""

    class Meta:
        model = Organisation
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    name = "Turku"
    name_sv = "Åbo"
    slug = "turku"
    kind = Organisation.Kind.MUNICIPALITY
    business_id = "0204819-8"
    support_email = "kierratys-tuki@demo.example"
    # Published listings go straight to the whole organisation, as most tests assume; the
    # stages' own tests give the department its days.
    department_days = 0

    @factory.post_generation
    def domains(self, create, extracted, **kwargs):
        """The default organisation signs up from demo.example, as the demo accounts do."""
        if create:
            for domain in ["demo.example"] if extracted is None else extracted:
                EmailDomain.objects.get_or_create(organisation=self, domain=domain)


def other_organisation(n: int = 1, **fields) -> Organisation:
    """Another organisation than the default one, with its own sign-up domain."""
    return OrganisationFactory(
        name=fields.pop("name", f"Kunta {n}"),
        name_sv="",
        slug=f"kunta-{n}",
        business_id=_business_id(n),
        domains=fields.pop("domains", [f"kunta{n}.example"]),
        **fields,
    )


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["organisation", "code"]

    organisation = factory.SubFactory(OrganisationFactory)

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


def unit_of(organisation) -> Unit:
    """A unit in a department of its own in the organisation."""
    return UnitFactory(department=DepartmentFactory(organisation=organisation))


def member_of(organisation=None, roles=(), **fields) -> User:
    """Someone in a unit of the organisation (the default one), with these roles."""
    unit = fields.pop("unit", None) or unit_of(organisation or OrganisationFactory())
    return UserFactory(unit=unit, roles=list(roles), **fields)


def running_partnership(one, other, **fields):
    """A partnership of two organisations, proposed by one's coordinator, accepted by the
    other's and running since yesterday."""
    from datetime import timedelta

    from kierratys.accounts.partnerships import Partnership
    from kierratys.accounts.roles import COORDINATOR

    now = timezone.now()
    values = {
        "starts_on": timezone.localdate() - timedelta(days=1),
        "proposed_by": member_of(one, [COORDINATOR]),
        "proposed_at": now,
        "accepted_by": member_of(other, [COORDINATOR]),
        "accepted_at": now,
        **fields,
    }
    return Partnership.objects.create(proposer=one, partner=other, **values)


def identity_provider_for(organisation, issuer: str, **fields):
    """An organisation's OpenID Connect provider, with the test provider's client."""
    from kierratys.accounts.sso.models import IdentityProvider

    return IdentityProvider.objects.create(
        organisation=organisation,
        name=fields.pop("name", "Kaupungin tunnus"),
        slug=fields.pop("slug", organisation.slug),
        issuer=issuer,
        client_id=fields.pop("client_id", f"kierratys-{organisation.slug}"),
        client_secret=fields.pop("client_secret", "test-client-secret"),
        scopes=fields.pop("scopes", "openid email profile groups"),
        **fields,
    )
