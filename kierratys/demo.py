"""Demo organisation, accounts and activity. Idempotent: running it again changes nothing."""

import logging

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from .accounts.models import Department, Organisation, Unit, User
from .accounts.organisation_services import organisation_create
from .accounts.roles import COORDINATOR, STAFF, WAREHOUSE

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "kierratys-demo"  # documented demo password

DEPARTMENTS = [
    ("KASVO", "Kasvatus ja opetus"),
    ("HYTE", "Hyvinvointitoimiala"),
    ("KYMP", "Kaupunkiympäristö"),
]

# (department code, name, street, postal code, district, phone, cost centre)
UNITS = [
    ("KASVO", "Puolalan koulu", "Puolalankatu 3", "20100", "Keskusta", "02 262 0101", "KV-1101"),
    (
        "KASVO",
        "Vasaramäen koulu",
        "Vasaramäenkatu 2",
        "20880",
        "Vasaramäki",
        "02 262 0102",
        "KV-1102",
    ),
    (
        "KASVO",
        "Päiväkoti Tähtitaivas",
        "Uudenmaankatu 20",
        "20700",
        "Itäharju",
        "02 262 0103",
        "KV-2201",
    ),
    (
        "HYTE",
        "Kupittaan terveysasema",
        "Kunnallissairaalantie 20",
        "20700",
        "Kupittaa",
        "02 266 0201",
        "HY-3101",
    ),
    (
        "HYTE",
        "Runosmäen palvelutalo",
        "Teräskatu 4",
        "20360",
        "Runosmäki",
        "02 266 0202",
        "HY-3202",
    ),
    (
        "KYMP",
        "Kaupunkiympäristön toimisto",
        "Puolalankatu 5",
        "20100",
        "Keskusta",
        "02 330 0301",
        "KY-4101",
    ),
    (
        "KYMP",
        "Kiinteistöpalvelut, Artukainen",
        "Ajurinkatu 12",
        "20360",
        "Artukainen",
        "02 330 0302",
        "KY-4202",
    ),
    (
        "KYMP",
        "Puistotoimi, Koroinen",
        "Koroistentie 6",
        "20540",
        "Koroinen",
        "02 330 0303",
        "KY-4303",
    ),
]

# Swedish names, as a bilingual city gives them (Turku/Åbo, Kupittaa/Kuppis).
SWEDISH_NAMES = {
    "Kasvatus ja opetus": "Fostran och undervisning",
    "Hyvinvointitoimiala": "Välfärdssektorn",
    "Kaupunkiympäristö": "Stadsmiljö",
    "Puolalan koulu": "Puolala skola",
    "Vasaramäen koulu": "Hammarbackens skola",
    "Päiväkoti Tähtitaivas": "Daghemmet Stjärnhimlen",
    "Kupittaan terveysasema": "Kuppis hälsostation",
    "Runosmäen palvelutalo": "Runosbackens servicehus",
    "Kaupunkiympäristön toimisto": "Stadsmiljösektorns kontor",
    "Kiinteistöpalvelut, Artukainen": "Fastighetstjänster, Artukais",
    "Puistotoimi, Koroinen": "Parkväsendet, Korois",
}

# (email, name, unit name, extra roles)
ACCOUNTS = [
    ("lister@demo.example", "Liisa Lehtinen", "Puolalan koulu", []),
    ("reserver@demo.example", "Rasmus Rantanen", "Kupittaan terveysasema", []),
    ("warehouse@demo.example", "Ville Varasto", "Kiinteistöpalvelut, Artukainen", [WAREHOUSE]),
    (
        "coordinator@demo.example",
        "Kaisa Koordinaattori",
        "Kaupunkiympäristön toimisto",
        [COORDINATOR],
    ),
]


def _turku() -> Organisation:
    """The demo's city, with the sign-up domains of the environment (demo.example)."""
    existing = Organisation.objects.filter(slug="turku").first()
    if existing is not None:
        return existing
    return organisation_create(
        name="Turku",
        name_sv="Åbo",
        slug="turku",
        kind=Organisation.Kind.MUNICIPALITY,
        business_id="0204819-8",
        domains=settings.SIGNUP_EMAIL_DOMAINS,
        support_email=settings.SUPPORT_EMAIL,
        support_phone=settings.SUPPORT_PHONE,
    )


@transaction.atomic
def seed_organisation() -> list[User]:
    turku = _turku()
    departments = {}
    for code, name in DEPARTMENTS:
        departments[code], _ = Department.objects.update_or_create(
            code=code,
            defaults={
                "organisation": turku,
                "name": name,
                "name_sv": SWEDISH_NAMES.get(name, ""),
            },
        )
    units = {}
    for code, name, street, postal, district, phone, cost_centre in UNITS:
        units[name], _ = Unit.objects.update_or_create(
            department=departments[code],
            name=name,
            defaults={
                "name_sv": SWEDISH_NAMES.get(name, ""),
                "street_address": street,
                "postal_code": postal,
                "city": "Turku",
                "district": district,
                "phone": phone,
                "cost_centre": cost_centre,
                "is_active": True,
            },
        )
    users = []
    for email, full_name, unit_name, roles in ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, full_name=full_name
            )
        user.full_name = full_name
        user.unit = units[unit_name]
        user.is_active = True
        user.is_staff = COORDINATOR in roles
        if user.email_verified_at is None:
            from django.utils import timezone

            user.email_verified_at = timezone.now()
        user.save()
        user.groups.set(Group.objects.filter(name__in=[STAFF, *roles]))
        users.append(user)
    return users


@transaction.atomic
def seed_warehouse() -> None:
    """The city warehouse with shelves and weekday delivery slots."""
    from datetime import time

    from inventory.models import StorageLocation, TimeSlot, Warehouse

    warehouse, _ = Warehouse.objects.update_or_create(
        name="Artukaisen kierrätysvarasto",
        defaults={
            "street_address": "Ajurinkatu 12",
            "postal_code": "20360",
            "city": "Turku",
            "opening_hours": "ma–pe 8–15",
            "phone": "02 330 0399",
            "is_active": True,
        },
    )
    for row in "AB":
        for bay in range(1, 4):
            for level in range(1, 3):
                StorageLocation.objects.get_or_create(
                    warehouse=warehouse,
                    code=f"{row}-{bay:02d}-{level}",
                    defaults={"description": f"Hylly {row}, väli {bay}, taso {level}"},
                )
    for weekday in range(5):
        for start, end in ((time(8), time(10)), (time(10), time(12)), (time(12), time(14))):
            TimeSlot.objects.get_or_create(
                warehouse=warehouse,
                weekday=weekday,
                start=start,
                defaults={"end": end, "delivery_capacity": 3, "pickup_capacity": 4},
            )


# --- Activity: reservations, tasks, saved searches ---------------------------------------
# Each scenario is made through the services, as a user would make it, in one transaction,
# and found again by its reservation's note (or the saved search's name), so seeding twice
# adds nothing. Dates are relative to the day of seeding.

LISTER, RESERVER = "lister@demo.example", "reserver@demo.example"
WAREHOUSE_EMAIL, COORDINATOR_EMAIL = "warehouse@demo.example", "coordinator@demo.example"

# (scenario, reserving account, listing title, quantity, note)
RESERVATIONS = [
    # Reserved, to be collected at the door: the lister hands it over with the QR code.
    ("active", RESERVER, "Työtuoli käsinojilla", 2, "Kaksi tuolia vastaanoton työpisteisiin."),
    # Reserved with delivery: a delivery task on the warehouse board.
    ("delivery", RESERVER, "Ilmoitustaulu, korkki", 2, "Taulut odotustilan seinälle."),
    # The whole quantity reserved by one unit, another one on the waiting list.
    ("taken", COORDINATOR_EMAIL, "Nojatuoli, vihreä", 2, "Nojatuolit toimiston taukotilaan."),
    ("waiting", RESERVER, "Nojatuoli, vihreä", 1, "Nojatuoli lepohuoneeseen, jos vapautuu."),
    # Collected, so the reports have items, kilograms, CO2e and euros to show.
    ("collected", RESERVER, "Koulutuoli, säädettävä", 10, "Tuolit ryhmätilaan."),
    ("collected", LISTER, "Oppilaspulpetti", 12, "Pulpetit uuteen luokkaan."),
    ("collected", COORDINATOR_EMAIL, "Työpöytä 120 cm, koivu", 2, "Pöydät projektihuoneeseen."),
    # Reserved and then cancelled by the reserving unit.
    ("cancelled", RESERVER, "Matala hylly lastenhuoneeseen", 1, "Hylly leikkinurkkaan."),
    # Not collected by its collect-by date.
    ("expired", LISTER, "Pinottava tuoli, koivu", 6, "Tuolit kevätjuhlaan."),
]

# (account, name, catalogue category)
SAVED_SEARCHES = [
    (RESERVER, "Sohvat ja nojatuolit", "sofas"),
    (COORDINATOR_EMAIL, "Työtuolit", "office-chairs"),
]

# The lister asks the warehouse to fetch this one: an intake task on the board.
INTAKE_TITLE = "Neuvottelupöytä 8 hengelle"


def seed_activity() -> int:
    """Reservations in every status, a delivery and an intake task, saved searches.

    Returns how many scenarios were made now (0 when everything exists already).
    """
    from django.core.exceptions import PermissionDenied, ValidationError

    from kierratys.common.errors import ServiceError

    users = {u.email: u for u in User.objects.filter(email__endswith="@demo.example")}
    if not {LISTER, RESERVER, WAREHOUSE_EMAIL, COORDINATOR_EMAIL} <= users.keys():
        return 0
    made = 0
    steps = [
        *[(_reservation_scenario, (users, *row)) for row in RESERVATIONS],
        *[(_saved_search, (users, *row)) for row in SAVED_SEARCHES],
        (_intake, (users,)),
    ]
    for step, args in steps:
        try:
            with transaction.atomic():
                made += step(*args)
        except (ServiceError, ValidationError, PermissionDenied) as error:
            # The demo has been used: e.g. the item is no longer on offer. Nothing is half made.
            what = " / ".join(str(arg) for arg in args[1:4]) or step.__name__.strip("_")
            reasons = getattr(error, "messages", None) or [str(error) or type(error).__name__]
            logger.warning("Demo data skipped (%s): %s", what, " ".join(reasons))
    return made


def _reservation_scenario(users, scenario, email, title, quantity, note) -> int:
    from datetime import timedelta

    from django.utils import timezone

    from inventory.selectors import free_slots
    from listings.models import Listing
    from reservations import services as reservations
    from reservations.models import Reservation

    actor = users[email]
    listing = Listing.objects.filter(title=title).order_by("pk").first()
    if listing is None or Reservation.objects.filter(listing=listing, note=note).exists():
        return 0
    details = {
        "actor": actor,
        "listing_id": listing.pk,
        "quantity": quantity,
        "contact_name": actor.full_name,
        "contact_phone": actor.unit.phone,
        "note": note,
    }
    if scenario == "delivery":
        slot = next(iter(free_slots(kind="delivery")), None)
        if slot is None:
            return 0
        details.update(
            handover=Reservation.Handover.DELIVERY, delivery=(slot["slot"].pk, slot["date"])
        )
    if scenario == "waiting":
        details["join_waiting_list"] = True
    reservation = reservations.reservation_create(**details)
    owner = User.objects.filter(unit_id=listing.owner_unit_id, email__in=users).first()
    if scenario == "collected":
        reservations.reservation_collect(actor=owner, reservation_id=reservation.pk)
    elif scenario == "cancelled":
        reservations.reservation_cancel(actor=actor, reservation_id=reservation.pk)
    elif scenario == "expired":
        # The one write outside the services: time passing. The collect-by date was
        # yesterday, and the periodic job expires it as it would have overnight.
        yesterday = timezone.localdate() - timedelta(days=1)
        Reservation.objects.filter(pk=reservation.pk).update(collect_by=yesterday)
        reservations.reservations_expire()
    return 1


def _saved_search(users, email, name, category_slug) -> int:
    from django.http import QueryDict

    from listings.models import Category, SavedSearch
    from listings.services.saved_searches import saved_search_create

    user = users[email]
    category = Category.objects.filter(slug=category_slug).first()
    if category is None or SavedSearch.objects.filter(user=user, name=name).exists():
        return 0
    saved_search_create(user=user, name=name, query=QueryDict(f"category={category.pk}"))
    return 1


def _intake(users) -> int:
    from inventory import services as inventory
    from inventory.models import Task
    from listings.models import Listing

    listing = Listing.objects.filter(title=INTAKE_TITLE).order_by("pk").first()
    if listing is None or Task.objects.filter(kind=Task.Kind.INTAKE, listing=listing).exists():
        return 0
    inventory.intake_request(actor=users[LISTER], listing_id=listing.pk)
    return 1
