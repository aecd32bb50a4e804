import factory
from django.utils import timezone

from listings.models import Category, Listing

from .accounts import UnitFactory, UserFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"category-{n}")
    name_fi = factory.Sequence(lambda n: f"Tuolit {n}")
    name_sv = factory.Sequence(lambda n: f"Stolar {n}")
    name_en = factory.Sequence(lambda n: f"Chairs {n}")
    typical_weight_kg = 10
    co2e_kg_per_item = 30
    replacement_value_eur = 100


class ListingFactory(factory.django.DjangoModelFactory):
    """A published listing; `ListingFactory(status=Listing.Status.DRAFT, published_at=None)`
    for a draft."""

    class Meta:
        model = Listing
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Harmaa työtuoli {n}")
    description = "Käsinojalliset, säädettävät."
    category = factory.SubFactory(CategoryFactory)
    condition = Listing.Condition.GOOD
    quantity = 5
    quantity_available = factory.SelfAttribute("quantity")
    owner_unit = factory.SubFactory(UnitFactory)
    department = factory.SelfAttribute("owner_unit.department")
    organisation = factory.SelfAttribute("owner_unit.department.organisation")
    # Seen by the whole organisation, as most tests assume; stages have their own tests.
    audience = Listing.Audience.ORGANISATION
    created_by = factory.SubFactory(UserFactory, unit=factory.SelfAttribute("..owner_unit"))
    status = Listing.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    code = None  # the printed code of its id, as the listing service gives it (below)

    @factory.post_generation
    def printed_code(obj, create, extracted, **kwargs):
        if obj.code is None and obj.pk is not None:
            obj.code = f"K-{obj.pk:06d}"
            if create:
                obj.save(update_fields=["code"])
