"""Generate N realistic listings for benchmarks (bulk inserts: 100,000 in about a minute)."""

import random
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from kierratys.accounts.models import Unit, User
from kierratys.demo import seed_organisation
from listings import search
from listings.models import Category, Listing

ADJECTIVES = [
    "Harmaa",
    "Valkoinen",
    "Musta",
    "Sininen",
    "Punainen",
    "Vihreä",
    "Koivuinen",
    "Säädettävä",
    "Pieni",
    "Suuri",
    "Matala",
    "Korkea",
    "Käytetty",
    "Siisti",
    "Pinottava",
]
NOUNS = {
    "office-chairs": ["työtuoli", "toimistotuoli", "satulatuoli"],
    "stackable-chairs": ["pinotuoli", "tuoli", "kokoustuoli"],
    "school-chairs": ["koulutuoli", "oppilastuoli", "jakkara"],
    "sofas": ["sohva", "nojatuoli", "divaani"],
    "desks": ["työpöytä", "kirjoituspöytä"],
    "sit-stand-desks": ["sähköpöytä", "säätöpöytä"],
    "school-desks": ["pulpetti", "oppilaspöytä"],
    "meeting-tables": ["neuvottelupöytä", "ruokapöytä", "taittopöytä"],
    "cabinets": ["kaappi", "arkistokaappi", "vaatekaappi"],
    "shelves": ["hylly", "kirjahylly", "varastohylly"],
    "drawer-units": ["laatikosto", "lipasto"],
    "beds": ["sänky", "lepopeti"],
    "lamps": ["valaisin", "lamppu", "lattiavalaisin"],
    "whiteboards": ["tussitaulu", "ilmoitustaulu"],
    "textiles": ["verho", "matto", "tyyny"],
    "supplies": ["karttateline", "laatikko", "taulu"],
}
BATCH = 5000


class Command(BaseCommand):
    help = "Generate N published listings with realistic attributes (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, count, seed, **options):
        if count < 1 or count > 2_000_000:
            raise CommandError("count must be between 1 and 2,000,000")
        rng = random.Random(seed)
        if not Unit.objects.exists():
            seed_organisation()
        units = list(Unit.objects.filter(is_active=True).select_related("department"))
        author = User.objects.filter(is_active=True).first()
        categories = {c.slug: c for c in Category.objects.filter(slug__in=NOUNS)}
        slugs = list(categories)
        conditions = [c for c, _ in Listing.Condition.choices]
        colours = [c for c, _ in Listing.Colour.choices]
        materials = [c for c, _ in Listing.Material.choices]
        today = timezone.localdate()
        now = timezone.now()
        started = time.monotonic()
        made = 0
        while made < count:
            size = min(BATCH, count - made)
            rows = []
            for _ in range(size):
                slug = rng.choice(slugs)
                unit = rng.choice(units)
                quantity = rng.choice([1, 1, 1, 2, 4, 6, 10, 20, 30])
                rows.append(
                    Listing(
                        title=f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS[slug])}",
                        description="Generoitu testi-ilmoitus. Noudettavissa arkisin.",
                        category=categories[slug],
                        condition=rng.choice(conditions),
                        colour=rng.choice(colours),
                        material=rng.choice(materials),
                        width_cm=rng.randint(30, 240),
                        depth_cm=rng.randint(30, 120),
                        height_cm=rng.randint(40, 210),
                        weight_kg=rng.choice([None, rng.randint(2, 80)]),
                        quantity=quantity,
                        quantity_available=rng.randint(0, quantity),
                        owner_unit=unit,
                        department_id=unit.department_id,
                        organisation_id=unit.department.organisation_id,
                        audience=Listing.Audience.ORGANISATION,
                        created_by=author,
                        available_from=today - timedelta(days=rng.randint(0, 20)),
                        available_until=today + timedelta(days=rng.randint(1, 60)),
                        status=Listing.Status.PUBLISHED,
                        published_at=now - timedelta(minutes=rng.randint(0, 60 * 24 * 60)),
                    )
                )
            with transaction.atomic():
                created = Listing.objects.bulk_create(rows)
                ids = [row.pk for row in created if row.pk] or list(
                    Listing.objects.filter(code__isnull=True).values_list("pk", flat=True)
                )
                self._set_codes()
                search.refresh_vectors(ids)
            made += size
            self.stdout.write(f"{made}/{count} listings ({time.monotonic() - started:.1f} s)")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE listings_listing")
        self.stdout.write(
            self.style.SUCCESS(f"Generated {count} listings in {time.monotonic() - started:.1f} s")
        )

    @staticmethod
    def _set_codes():
        code = (
            "'K-' || LPAD(CAST(id AS TEXT), 6, '0')"
            if connection.vendor == "postgresql"
            else "printf('K-%06d', id)"
        )
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE listings_listing SET code = {code} WHERE code IS NULL")
