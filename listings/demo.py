"""Demo listings with photos drawn by Pillow (no downloads). Idempotent by unit + title."""

import random
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from kierratys.accounts.models import Unit, User

from . import services
from .models import Category, Listing

COLOURS = {
    "grey": (128, 132, 138),
    "black": (40, 40, 44),
    "white": (236, 236, 232),
    "wood": (176, 128, 82),
    "blue": (52, 96, 168),
    "green": (70, 140, 90),
    "red": (176, 58, 52),
    "beige": (214, 196, 160),
    "yellow": (228, 186, 48),
}

# (category slug, title fi, colour, material, condition, quantity, w, d, h, weight, shape)
ITEMS = [
    (
        "office-chairs",
        "Työtuoli käsinojilla",
        "black",
        "fabric",
        "good",
        6,
        65,
        60,
        105,
        14,
        "chair",
    ),
    ("office-chairs", "Satulatuoli", "grey", "leather", "like_new", 2, 50, 50, 70, None, "stool"),
    ("office-chairs", "Verhoiltu työtuoli", "blue", "fabric", "fair", 4, 62, 58, 100, 13, "chair"),
    (
        "stackable-chairs",
        "Pinottava tuoli, koivu",
        "wood",
        "wood",
        "good",
        24,
        45,
        50,
        80,
        5,
        "chair",
    ),
    (
        "stackable-chairs",
        "Pinottava tuoli, punainen",
        "red",
        "plastic",
        "good",
        30,
        48,
        50,
        80,
        4,
        "chair",
    ),
    (
        "school-chairs",
        "Koulutuoli, säädettävä",
        "blue",
        "plastic",
        "good",
        28,
        42,
        45,
        78,
        6,
        "chair",
    ),
    ("school-chairs", "Jakkara, matala", "yellow", "wood", "fair", 12, 35, 35, 45, 3, "stool"),
    ("sofas", "Kolmen istuttava sohva", "grey", "fabric", "good", 1, 210, 90, 85, 55, "sofa"),
    ("sofas", "Nojatuoli, vihreä", "green", "fabric", "like_new", 2, 80, 80, 90, 22, "sofa"),
    ("sofas", "Odotustilan sohva", "black", "leather", "fair", 1, 180, 80, 80, None, "sofa"),
    ("desks", "Työpöytä 160 cm", "white", "laminate", "good", 5, 160, 80, 72, 38, "desk"),
    ("desks", "Työpöytä 120 cm, koivu", "wood", "laminate", "good", 3, 120, 70, 72, 30, "desk"),
    (
        "sit-stand-desks",
        "Sähköpöytä 160 × 80",
        "white",
        "laminate",
        "like_new",
        4,
        160,
        80,
        65,
        45,
        "desk",
    ),
    (
        "sit-stand-desks",
        "Sähköpöytä 140 cm, musta",
        "black",
        "laminate",
        "good",
        2,
        140,
        80,
        65,
        None,
        "desk",
    ),
    ("school-desks", "Oppilaspulpetti", "beige", "laminate", "good", 26, 70, 50, 72, 14, "desk"),
    ("school-desks", "Pulpetti, säädettävä", "grey", "metal", "fair", 18, 70, 55, 76, None, "desk"),
    (
        "meeting-tables",
        "Neuvottelupöytä 8 hengelle",
        "wood",
        "wood",
        "good",
        1,
        240,
        110,
        74,
        70,
        "table",
    ),
    (
        "meeting-tables",
        "Ruokapöytä, pyöreä",
        "white",
        "laminate",
        "fair",
        3,
        110,
        110,
        74,
        30,
        "table",
    ),
    ("meeting-tables", "Taittopöytä", "grey", "metal", "good", 10, 160, 70, 74, 18, "table"),
    (
        "cabinets",
        "Arkistokaappi, lukollinen",
        "grey",
        "metal",
        "good",
        2,
        100,
        45,
        195,
        60,
        "cabinet",
    ),
    ("cabinets", "Vaatekaappi", "white", "laminate", "fair", 3, 80, 55, 190, None, "cabinet"),
    ("cabinets", "Liukuovikaappi", "wood", "laminate", "good", 1, 120, 45, 110, 45, "cabinet"),
    ("shelves", "Kirjahylly, 5 hyllyä", "white", "laminate", "good", 4, 80, 30, 200, 28, "shelf"),
    ("shelves", "Varastohylly, metalli", "grey", "metal", "fair", 6, 100, 50, 200, 25, "shelf"),
    (
        "shelves",
        "Matala hylly lastenhuoneeseen",
        "wood",
        "wood",
        "like_new",
        2,
        100,
        35,
        80,
        15,
        "shelf",
    ),
    (
        "drawer-units",
        "Laatikosto pyörillä",
        "white",
        "laminate",
        "good",
        8,
        42,
        55,
        60,
        20,
        "cabinet",
    ),
    (
        "drawer-units",
        "Piirustuslaatikosto",
        "grey",
        "metal",
        "needs_repair",
        1,
        120,
        85,
        70,
        None,
        "cabinet",
    ),
    ("beds", "Lepopeti päiväkotiin", "blue", "plastic", "good", 20, 130, 55, 12, 3, "bed"),
    ("beds", "Sänky 90 cm", "wood", "wood", "fair", 2, 90, 200, 45, 35, "bed"),
    ("lamps", "Työvalaisin", "black", "metal", "good", 10, 20, 20, 45, 2, "lamp"),
    ("lamps", "Lattiavalaisin", "white", "metal", "like_new", 3, 35, 35, 160, 5, "lamp"),
    ("whiteboards", "Tussitaulu 120 × 90", "white", "metal", "good", 4, 120, 2, 90, 12, "board"),
    ("whiteboards", "Ilmoitustaulu, korkki", "beige", "mixed", "fair", 5, 90, 2, 60, 5, "board"),
    (
        "whiteboards",
        "Siirrettävä tussitaulu",
        "white",
        "metal",
        "needs_repair",
        1,
        150,
        60,
        190,
        None,
        "board",
    ),
    ("textiles", "Verhot, sininen, 4 kpl", "blue", "fabric", "good", 4, 140, 1, 250, 1, "textile"),
    ("textiles", "Matto 200 × 300", "red", "fabric", "fair", 1, 200, 300, 1, 8, "textile"),
    ("supplies", "Karttateline", "grey", "metal", "fair", 2, 60, 40, 150, None, "lamp"),
    (
        "supplies",
        "Askartelutarvikelaatikot",
        "yellow",
        "plastic",
        "good",
        15,
        40,
        30,
        20,
        1,
        "cabinet",
    ),
    ("supplies", "Magneettitaulut, pieni", "white", "metal", "new", 12, 45, 2, 60, 2, "board"),
    ("office-chairs", "Neuvottelutuoli", "black", "mixed", "good", 16, 55, 55, 85, 7, "chair"),
]


def _draw(shape: str, colour: tuple, seed: int) -> bytes:
    """A simple, recognisable silhouette on a soft background."""
    rng = random.Random(seed)
    image = Image.new("RGB", (1200, 900), (235 - rng.randint(0, 20), 232, 226))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 700, 1200, 900), fill=(200, 196, 188))  # floor
    dark = tuple(max(0, c - 50) for c in colour)
    if shape in ("chair", "stool"):
        draw.rectangle((450, 470, 750, 520), fill=colour)
        for x in (465, 715):
            draw.rectangle((x, 520, x + 20, 700), fill=dark)
        if shape == "chair":
            draw.rectangle((450, 220, 750, 470), fill=colour, outline=dark, width=6)
    elif shape in ("desk", "table"):
        draw.rectangle((250, 420, 950, 460), fill=colour, outline=dark, width=4)
        for x in (270, 910):
            draw.rectangle((x, 460, x + 22, 700), fill=dark)
    elif shape in ("cabinet", "shelf"):
        draw.rectangle((420, 180, 780, 700), fill=colour, outline=dark, width=6)
        for y in range(260, 700, 110):
            draw.line((420, y, 780, y), fill=dark, width=6)
    elif shape == "sofa":
        draw.rounded_rectangle((250, 380, 950, 620), radius=40, fill=colour, outline=dark, width=6)
        draw.rounded_rectangle((250, 300, 950, 420), radius=40, fill=colour, outline=dark, width=6)
        draw.rectangle((280, 620, 300, 700), fill=dark)
        draw.rectangle((900, 620, 920, 700), fill=dark)
    elif shape == "bed":
        draw.rectangle((200, 520, 1000, 620), fill=colour, outline=dark, width=6)
        draw.rectangle((200, 420, 240, 700), fill=dark)
    elif shape == "lamp":
        draw.polygon([(520, 200), (680, 200), (720, 320), (480, 320)], fill=colour, outline=dark)
        draw.rectangle((590, 320, 610, 680), fill=dark)
        draw.ellipse((520, 670, 680, 710), fill=dark)
    elif shape == "board":
        draw.rectangle((300, 200, 900, 600), fill=colour, outline=(90, 90, 96), width=14)
    else:  # textile
        draw.rectangle((300, 150, 900, 700), fill=colour)
        for x in range(330, 900, 60):
            draw.line((x, 150, x, 700), fill=dark, width=4)
    out = BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


# Listings of the neighbouring municipality and the wellbeing services county:
# (organisation slug, unit name, item as in ITEMS, stage it is seeded at).
PARTNER_ITEMS = [
    (
        "kaarina",
        "Piikkiön koulu",
        (
            "school-desks",
            "Pulpetti, kaksipaikkainen",
            "wood",
            "wood",
            "fair",
            8,
            120,
            50,
            72,
            22,
            "desk",
        ),
        "department",
    ),
    (
        "kaarina",
        "Piikkiön koulu",
        (
            "stackable-chairs",
            "Ruokalan tuoli",
            "blue",
            "plastic",
            "good",
            20,
            45,
            50,
            80,
            4,
            "chair",
        ),
        "organisation",
    ),
    (
        "kaarina",
        "Kaarinan lukio",
        ("shelves", "Kirjaston hylly, tammi", "wood", "wood", "good", 3, 90, 35, 180, 40, "shelf"),
        "partners",
    ),
    (
        "kaarina",
        "Kaarinan kaupungintalo",
        (
            "meeting-tables",
            "Valtuustosalin pöytä",
            "wood",
            "wood",
            "good",
            2,
            200,
            90,
            74,
            60,
            "table",
        ),
        "partners",
    ),
    (
        "kaarina",
        "Kaarinan kaupungintalo",
        ("lamps", "Pöytävalaisin, vihreä", "green", "metal", "fair", 6, 20, 20, 40, 2, "lamp"),
        "ended",
    ),
    (
        "varha",
        "Kaarinan terveysasema",
        ("sofas", "Odotustilan nojatuoli", "blue", "fabric", "good", 4, 70, 70, 85, 18, "sofa"),
        "department",
    ),
    (
        "varha",
        "Paimion sairaala",
        (
            "cabinets",
            "Lääkekaappi, lukollinen",
            "white",
            "metal",
            "good",
            2,
            80,
            40,
            180,
            45,
            "cabinet",
        ),
        "partners",
    ),
    (
        "varha",
        "Paimion sairaala",
        (
            "office-chairs",
            "Satulatuoli hoitotyöhön",
            "black",
            "leather",
            "good",
            5,
            50,
            50,
            65,
            8,
            "stool",
        ),
        "partners",
    ),
    (
        "varha",
        "Varhan kalustopalvelut",
        (
            "desks",
            "Työpöytä 140 cm, valkoinen",
            "white",
            "laminate",
            "good",
            6,
            140,
            80,
            72,
            32,
            "desk",
        ),
        "organisation",
    ),
    (
        "varha",
        "Varhan kalustopalvelut",
        (
            "drawer-units",
            "Laatikosto, lukollinen",
            "grey",
            "metal",
            "needs_repair",
            2,
            43,
            60,
            65,
            25,
            "cabinet",
        ),
        "ended",
    ),
]

# Turku's listings go straight to the organisation stage (the demo city has no department
# stage); these are seeded further on, so Kaarina and Varha find Turku's items too.
TURKU_STAGES = {
    "Kolmen istuttava sohva": "partners",
    "Kirjahylly, 5 hyllyä": "partners",
    "Lattiavalaisin": "partners",
    "Tussitaulu 120 × 90": "partners",
    "Varastohylly, metalli": "ended",
}


def _actor_for(unit):
    """Someone of the unit, or a coordinator of its organisation, to list in its name."""
    from kierratys.accounts.roles import COORDINATOR

    return (
        User.objects.filter(unit=unit, is_active=True).order_by("pk").first()
        or User.objects.filter(
            unit__department__organisation_id=unit.department.organisation_id,
            groups__name=COORDINATOR,
            is_active=True,
        )
        .order_by("pk")
        .first()
    )


# Their owners approve each request first (issue 20): the demo has a request waiting for a
# decision and a declined one (kierratys/demo.py).
OWNER_APPROVES = {"Satulatuoli", "Verhoiltu työtuoli"}


def _create(unit, item, index: int, actor) -> Listing:
    slug, title, colour, material, condition, qty, w, d, h, kg, shape = item
    categories = {c.slug: c for c in Category.objects.all()}
    photos = [
        SimpleUploadedFile(f"demo-{index}-{n}.jpg", _draw(shape, COLOURS[colour], index * 7 + n))
        for n in range(1 if index % 3 else 2)
    ]
    return services.listing_create(
        actor=actor,
        unit=unit,
        fields={
            "title": title,
            "description": "Siistissä kunnossa. Noudettavissa arkisin klo 8–15.",
            "category": categories[slug],
            "condition": condition,
            "material": material,
            "colour": colour,
            "quantity": qty,
            "width_cm": w,
            "depth_cm": d,
            "height_cm": h,
            "weight_kg": kg,
            "pickup_instructions": "Kysy vahtimestarilta, puh. " + (unit.phone or "-"),
            "owner_approves": title in OWNER_APPROVES,
        },
        uploads=photos,
        publish=index % 10 != 9,  # a few drafts too
    )


def seed_listings() -> int:
    """About 40 Turku listings spread over its demo units, a few of them drafts, and ten of
    Kaarina's and Varha's; then some of them moved on to later stages."""
    units = list(
        Unit.objects.filter(
            department__organisation__slug="turku",
            department__code__in=["KASVO", "HYTE", "KYMP"],
        )
        .select_related("department")
        .order_by("pk")
    )
    if not units:
        return 0
    created = 0
    for index, item in enumerate(ITEMS):
        unit = units[index % len(units)]
        if Listing.objects.filter(owner_unit=unit, title=item[1]).exists():
            continue
        _create(unit, item, index, _actor_for(unit))
        created += 1
    for offset, (slug, unit_name, item, _stage) in enumerate(PARTNER_ITEMS):
        unit = (
            Unit.objects.filter(department__organisation__slug=slug, name=unit_name)
            .select_related("department")
            .first()
        )
        if unit is None or Listing.objects.filter(owner_unit=unit, title=item[1]).exists():
            continue
        # Published, all of them (an index that is never 9 modulo 10).
        _create(unit, item, 100 + offset * 10, _actor_for(unit))
        created += 1
    seed_stages()
    return created


def seed_stages() -> int:
    """Move the listings named above on to their stage, by their owner's own choice (the
    audience service); to "ended" by time passing, as the periodic job would. A listing
    already at that stage or later is left alone, so seeding twice changes nothing."""
    from datetime import timedelta

    from django.utils import timezone

    from . import audience
    from .services.audience import listing_audience_set, listings_audience_advance

    wanted = {item[1]: stage for _s, _u, item, stage in PARTNER_ITEMS} | TURKU_STAGES
    moved = 0
    order = audience.STAGES.index
    listings = Listing.objects.filter(title__in=wanted, status=Listing.Status.PUBLISHED)
    for listing in listings.select_related("created_by").order_by("pk"):
        stage = wanted[listing.title]
        if order(listing.audience) >= order(stage):
            continue
        if stage != Listing.Audience.ENDED:
            listing_audience_set(
                actor=listing.created_by, listing_id=listing.pk, audience=stage, hold=False
            )
        else:
            if listing.audience != Listing.Audience.PARTNERS:
                listing_audience_set(
                    actor=listing.created_by,
                    listing_id=listing.pk,
                    audience=Listing.Audience.PARTNERS,
                    hold=False,
                )
            # The one write outside the services: time passing. Its last stage ends now,
            # and the periodic job moves it on (and asks the owners what to do with it).
            now = timezone.now()
            Listing.objects.filter(pk=listing.pk).update(
                audience_widens_at=now - timedelta(seconds=1)
            )
            listings_audience_advance(now=now)
        moved += 1
    return moved
