"""Data for the catalogue benchmark's "regions" scenario: many organisations, one viewer.

40 organisations (4 departments of 2 units each) in 8 regions of 5, and one partnership
across regions for the viewer's organisation, so the viewer has 5 partners (4 through the
region, 1 through the partnership: both branches of `partner_ids_of`). Listings are spread
evenly over the organisations' units; each is at a stage drawn independently:

    department 20 %, organisation 40 %, partners 25 %, ended 15 %

so the viewer (a unit of organisation 1, department 1) sees by stage
    own organisation   (40 + 25) % + 20 % / 4 departments  = 70 % of 1/40
    5 partners         5 x 25 % of 1/40
    together           (0.70 + 1.25) / 40                  = 4.9 % of all listings
(the catalogue then also drops the 1 in 10 with nothing left and those past their last day).

Rows are made by PostgreSQL itself, `INSERT ... SELECT generate_series`, each attribute a
hash of the row number (so a top-up adds the same rows a fresh run would). Titles,
categories, materials and colours come from a few thousand templates; each template's
search vector is built once by `listings.search.refresh_vectors` (on a draft without a code,
removed afterwards) and every row gets its code's lexemes in front of it: the same vector
`refresh_vectors` gives that row, without running the stemmers a million times.
"""

import random
import time

from django.db import connection, transaction
from django.utils import timezone

ORGANISATIONS = 40
REGIONS = 8
DEPARTMENTS = 4
UNITS = 2
TEMPLATES_PER_TITLE = 8
RARE_TEMPLATES = 5  # of ~4,900: about 1 listing in 1,000 has the narrow search word
NARROW_WORD = "jugend"
RARE_DESCRIPTION = "Jugend-tyylinen, restauroitu. Noudettavissa arkisin."
DESCRIPTION = "Generoitu testi-ilmoitus. Noudettavissa arkisin."
VIEWER_EMAIL = "viewer@bench.example"
CODE_PREFIX = "B-"  # bench rows: B-0000001 ... (real listings are K-000001)
BATCH = 100_000
# Stage thresholds on a 0..99 draw: < 20 department, < 60 organisation, < 85 partners.
STAGES_SQL = (
    "CASE WHEN {h} < 20 THEN 'department' WHEN {h} < 60 THEN 'organisation' "
    "WHEN {h} < 85 THEN 'partners' ELSE 'ended' END"
)


def _draw(key: int, modulo: int) -> str:
    """A pseudo-random 0..modulo-1 from the row number `n`, independent for each key."""
    return f"(((hashint8extended(n, {key}) %% {modulo}) + {modulo}) %% {modulo})"


def business_id(index: int) -> str:
    """A valid Y-tunnus (check digit by the weights 7, 9, 10, 5, 8, 4, 2) for bench org i."""
    weights = (7, 9, 10, 5, 8, 4, 2)
    base = 2_900_000 + index * 7
    while True:
        digits = f"{base:07d}"
        remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 1:
            return f"{digits}-{0 if remainder == 0 else 11 - remainder}"
        base += 1


def bench_organisations():
    from kierratys.accounts.models import Organisation

    return Organisation.objects.filter(slug__startswith="bench-").order_by("slug")


@transaction.atomic
def seed_structure():
    """Organisations, departments, units, regions, the partnership and the viewer (idempotent).
    Returns the viewer."""
    from datetime import timedelta

    from django.contrib.auth.models import Group

    from kierratys.accounts.models import Department, Organisation, Unit, User
    from kierratys.accounts.partnerships import Partnership, Region, RegionMembership
    from kierratys.accounts.roles import STAFF

    today = timezone.localdate()
    organisations = []
    for index in range(ORGANISATIONS):
        organisation, _ = Organisation.objects.get_or_create(
            slug=f"bench-{index + 1:02d}",
            defaults={
                "name": f"Bench-organisaatio {index + 1:02d}",
                "kind": Organisation.Kind.MUNICIPALITY,
                "business_id": business_id(index),
            },
        )
        organisations.append(organisation)
        for d in range(DEPARTMENTS):
            department, _ = Department.objects.get_or_create(
                organisation=organisation,
                code=f"B{index + 1:02d}-{d + 1}",
                defaults={"name": f"Toimiala {d + 1}"},
            )
            for u in range(UNITS):
                Unit.objects.get_or_create(
                    department=department,
                    name=f"Yksikkö {d + 1}.{u + 1}",
                    defaults={
                        "street_address": "Testikatu 1",
                        "postal_code": "20100",
                        "city": "Turku",
                    },
                )
    for r in range(REGIONS):
        region, _ = Region.objects.get_or_create(
            slug=f"bench-region-{r + 1}", defaults={"name": f"Bench-seutu {r + 1}"}
        )
        per_region = ORGANISATIONS // REGIONS
        for organisation in organisations[r * per_region : (r + 1) * per_region]:
            RegionMembership.objects.get_or_create(
                region=region,
                organisation=organisation,
                defaults={"joined_on": today - timedelta(days=365)},
            )
    viewer = User.objects.filter(email=VIEWER_EMAIL).first()
    first_unit = Unit.objects.filter(department__organisation=organisations[0]).order_by("pk")[0]
    if viewer is None:
        viewer = User.objects.create_user(
            email=VIEWER_EMAIL, password=None, full_name="Bench Viewer", unit=first_unit
        )
        viewer.is_active = True
        viewer.email_verified_at = timezone.now()
        viewer.save()
        viewer.groups.set(Group.objects.filter(name=STAFF))
    partner = organisations[ORGANISATIONS // REGIONS]  # the first of the next region
    now = timezone.now()
    if not Partnership.objects.filter(
        proposer=organisations[0], partner=partner, ended_at__isnull=True
    ).exists():
        Partnership.objects.create(
            proposer=organisations[0],
            partner=partner,
            starts_on=today - timedelta(days=30),
            proposed_by=viewer,
            proposed_at=now,
            accepted_by=viewer,
            accepted_at=now,
        )
    return viewer


def listing_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM listings_listing WHERE code LIKE %s", [CODE_PREFIX + "%"]
        )
        return cursor.fetchone()[0]


def _templates() -> list[tuple]:
    """(title, category slug, material, colour, description) for each template number."""
    from kierratys.management.commands.generate_listings import ADJECTIVES, NOUNS
    from listings.models import Listing

    rng = random.Random(17)
    materials = [c for c, _ in Listing.Material.choices]
    colours = [c for c, _ in Listing.Colour.choices]
    rows = []
    for adjective in ADJECTIVES:
        for slug, nouns in NOUNS.items():
            for noun in nouns:
                for _ in range(TEMPLATES_PER_TITLE):
                    rows.append(
                        [f"{adjective} {noun}", slug, rng.choice(materials), rng.choice(colours)]
                    )
    step = len(rows) // RARE_TEMPLATES
    rare = {7 + step * i for i in range(RARE_TEMPLATES)}
    for index, row in enumerate(rows):
        row.append(RARE_DESCRIPTION if index in rare else DESCRIPTION)
    return [tuple(row) for row in rows]


def _prepare_templates(cursor, author_id: int) -> int:
    """bench_tpl(t, title, category_id, material, colour, description, vector) as a temporary
    table; the vectors made by refresh_vectors on drafts without a code, then removed."""
    from listings import search
    from listings.models import Category

    templates = _templates()
    categories = dict(Category.objects.values_list("slug", "pk"))
    unit_id, department_id, organisation_id = _any_unit(cursor)
    cursor.execute("DROP TABLE IF EXISTS bench_tpl")  # from an earlier call in this transaction
    cursor.execute(
        "CREATE TEMPORARY TABLE bench_tpl (t int PRIMARY KEY, title text, category_id bigint, "
        "material text, colour text, description text, vector tsvector) ON COMMIT DROP"
    )
    cursor.executemany(
        "INSERT INTO bench_tpl VALUES (%s, %s, %s, %s, %s, %s, NULL)",
        [
            (t, title, categories[slug], material, colour, description)
            for t, (title, slug, material, colour, description) in enumerate(templates)
        ],
    )
    now = timezone.now()
    cursor.execute(
        """
        INSERT INTO listings_listing (code, title, description, category_id, condition,
            material, colour, quantity, quantity_available, quantity_collected,
            quantity_disposed, pickup_instructions, available_from, available_until, status,
            audience, owner_unit_id, department_id, organisation_id, created_by_id,
            created_at, updated_at)
        SELECT NULL, title, description, category_id, 'good', material, colour, 1, 1, 0, 0,
            '', %(today)s, %(today)s, 'draft', 'department', %(unit)s, %(department)s,
            %(organisation)s, %(author)s, %(now)s, %(now)s
          FROM bench_tpl ORDER BY t
        RETURNING id
        """,
        {
            "today": now.date(),
            "unit": unit_id,
            "department": department_id,
            "organisation": organisation_id,
            "author": author_id,
            "now": now,
        },
    )
    ids = [row[0] for row in cursor.fetchall()]
    search.refresh_vectors(ids)
    cursor.execute(
        """
        UPDATE bench_tpl SET vector = l.search_vector
          FROM (SELECT search_vector, row_number() OVER (ORDER BY id) - 1 AS t
                  FROM listings_listing WHERE id = ANY(%s)) AS l
         WHERE bench_tpl.t = l.t
        """,
        [ids],
    )
    cursor.execute("DELETE FROM listings_listing WHERE id = ANY(%s)", [ids])
    return len(templates)


def _any_unit(cursor):
    cursor.execute(
        """
        SELECT u.id, d.id, d.organisation_id FROM kierratys_unit u
          JOIN kierratys_department d ON d.id = u.department_id
          JOIN kierratys_organisation o ON o.id = d.organisation_id
         WHERE o.slug = 'bench-01' ORDER BY u.id LIMIT 1
        """
    )
    return cursor.fetchone()


def _prepare_units(cursor) -> None:
    """bench_units(o, d, u, unit_id, department_id, organisation_id), numbered from 0."""
    cursor.execute("DROP TABLE IF EXISTS bench_units")
    cursor.execute(
        """
        CREATE TEMPORARY TABLE bench_units ON COMMIT DROP AS
        SELECT (row_number() OVER (PARTITION BY u.department_id ORDER BY u.id) - 1) AS u,
               (dense_rank() OVER (PARTITION BY d.organisation_id ORDER BY d.id) - 1) AS d,
               (dense_rank() OVER (ORDER BY o.slug) - 1) AS o,
               u.id AS unit_id, d.id AS department_id, o.id AS organisation_id
          FROM kierratys_unit u
          JOIN kierratys_department d ON d.id = u.department_id
          JOIN kierratys_organisation o ON o.id = d.organisation_id
         WHERE o.slug LIKE 'bench-%'
        """
    )
    cursor.execute("CREATE INDEX ON bench_units (o, d, u)")


INSERT_SQL = """
INSERT INTO listings_listing (code, title, description, category_id, condition, width_cm,
    depth_cm, height_cm, weight_kg, material, colour, quantity, quantity_available,
    quantity_collected, quantity_disposed, pickup_instructions, available_from,
    available_until, status, published_at, audience, audience_widens_at, owner_unit_id,
    department_id, organisation_id, created_by_id, search_vector, created_at, updated_at)
SELECT code, tpl.title, tpl.description, tpl.category_id,
       (ARRAY['new', 'like_new', 'good', 'fair', 'needs_repair'])[1 + {condition}],
       30 + {width}, 30 + {depth}, 40 + {height},
       CASE WHEN {weighed} = 0 THEN NULL ELSE 2 + {weight} END,
       tpl.material, tpl.colour, q.quantity,
       CASE WHEN {gone} = 0 THEN 0 ELSE 1 + ({available} %% q.quantity) END,
       0, 0, '', %(today)s - {from_days}::int, %(today)s + 1 + {until_days}::int, 'published',
       %(now)s - make_interval(mins => {minutes}::int), s.audience,
       CASE WHEN s.audience = 'ended' THEN NULL
            ELSE %(now)s + make_interval(days => 60 + {widens}::int) END,
       bu.unit_id, bu.department_id, bu.organisation_id, %(author)s,
       setweight(to_tsvector('simple', code), 'A') || tpl.vector, %(now)s, %(now)s
  FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS n
 CROSS JOIN LATERAL (SELECT %(prefix)s || lpad(n::text, 7, '0') AS code,
                            {stage} AS audience) AS s
 CROSS JOIN LATERAL (SELECT (ARRAY[1, 1, 1, 2, 4, 6, 10, 20, 30])[1 + {quantity}] AS quantity) q
  JOIN bench_tpl tpl ON tpl.t = (n - 1) %% %(templates)s
  JOIN bench_units bu ON bu.o = {org} AND bu.d = {department} AND bu.u = {unit}
"""


def _insert_sql() -> str:
    draws = {
        "org": (1, ORGANISATIONS),
        "department": (2, DEPARTMENTS),
        "unit": (3, UNITS),
        "condition": (5, 5),
        "width": (6, 211),
        "depth": (7, 91),
        "height": (8, 171),
        "weighed": (9, 2),
        "weight": (10, 79),
        "gone": (11, 10),
        "available": (12, 1000),
        "from_days": (13, 21),
        "until_days": (14, 60),
        "minutes": (15, 60 * 24 * 60),
        "widens": (16, 30),
        "quantity": (17, 9),
    }
    parts = {name: _draw(key, modulo) for name, (key, modulo) in draws.items()}
    parts["stage"] = STAGES_SQL.format(h=_draw(4, 100))
    return INSERT_SQL.format(**parts)


def generate(target: int, *, out=print) -> int:
    """Top the bench listings up to `target` (or cut them down to it). Returns the count."""
    from listings.models import Listing

    have = listing_count()
    if have > target:
        cut = [CODE_PREFIX + "%", f"{CODE_PREFIX}{target:07d}"]
        with transaction.atomic(), connection.cursor() as cursor:
            # Their photos first (bench/_photos.py): raw SQL does not cascade.
            cursor.execute(
                "DELETE FROM listings_listingphoto WHERE listing_id IN (SELECT id FROM "
                "listings_listing WHERE code LIKE %s AND code > %s)",
                cut,
            )
            cursor.execute("DELETE FROM listings_listing WHERE code LIKE %s AND code > %s", cut)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE listings_listing")
        return listing_count()
    if have == target:
        return have
    viewer = seed_structure()
    started = time.monotonic()
    now, today = timezone.now(), timezone.localdate()
    sql = _insert_sql()
    with transaction.atomic(), connection.cursor() as cursor:
        templates = _prepare_templates(cursor, viewer.pk)
        _prepare_units(cursor)
        out(f"{templates} templates with search vectors ({time.monotonic() - started:.1f} s)")
        first = have + 1
        while first <= target:
            last = min(target, first + BATCH - 1)
            cursor.execute(
                sql,
                {
                    "first": first,
                    "last": last,
                    "today": today,
                    "now": now,
                    "author": viewer.pk,
                    "prefix": CODE_PREFIX,
                    "templates": templates,
                },
            )
            out(f"{last:,}/{target:,} listings ({time.monotonic() - started:.1f} s)")
            first = last + 1
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE listings_listing")
    out(f"generated {target - have:,} listings in {time.monotonic() - started:.1f} s")
    assert Listing.objects.filter(code__startswith=CODE_PREFIX).exists()
    return listing_count()


def viewer_share(viewer) -> dict:
    """How many bench listings the viewer's stage rule admits, and how many the catalogue
    shows (also in stock, not past the last day, available now)."""
    from listings import audience
    from listings.filters import visible_listings
    from listings.models import Listing

    who = audience.viewer_of(viewer)
    bench = Listing.objects.filter(code__startswith=CODE_PREFIX)
    total = bench.count()
    by_stage = bench.filter(audience.visible_q(who)).count()
    shown = (
        visible_listings(who)
        .filter(code__startswith=CODE_PREFIX, available_from__lte=timezone.localdate())
        .count()
    )
    return {
        "listings": total,
        "visible_by_stage": by_stage,
        "visible_share": round(by_stage / total, 4) if total else 0,
        "in_catalogue": shown,
        "partners": len(who.partner_ids),
    }
