"""Demo organisations, accounts and activity. Idempotent: running it again changes nothing."""

import logging

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .accounts.models import Department, Organisation, Unit, User
from .accounts.organisation_services import organisation_create
from .accounts.roles import COORDINATOR, STAFF, WAREHOUSE
from .accounts.sso.models import IdentityProvider, RoleMapping, UnitMapping

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "kierratys-demo"  # documented demo password

LISTER, RESERVER = "lister@demo.example", "reserver@demo.example"
WAREHOUSE_EMAIL, COORDINATOR_EMAIL = "warehouse@demo.example", "coordinator@demo.example"
KAARINA_RESERVER, KAARINA_COORDINATOR = (
    "reserver@kaarina.demo.example",
    "coordinator@kaarina.demo.example",
)
VARHA_RESERVER, VARHA_COORDINATOR = "reserver@varha.demo.example", "coordinator@varha.demo.example"

# (organisation slug, code, name)
DEPARTMENTS = [
    ("turku", "KASVO", "Kasvatus ja opetus"),
    ("turku", "HYTE", "Hyvinvointitoimiala"),
    ("turku", "KYMP", "Kaupunkiympäristö"),
    ("kaarina", "SIVI", "Sivistystoimiala"),
    ("kaarina", "KONS", "Konsernipalvelut"),
    ("varha", "TERV", "Terveys- ja sairaanhoitopalvelut"),
    ("varha", "TUKI", "Tukipalvelut"),
]

# (department code, name, street, postal code, city district, phone, cost centre); the city
# is the organisation's, or the one given after the district as "district, city".
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
    ("SIVI", "Piikkiön koulu", "Koulutie 2", "21500", "Piikkiö", "02 588 0101", "SI-110"),
    ("SIVI", "Kaarinan lukio", "Lukiokatu 1", "20780", "Keskusta", "02 588 0102", "SI-120"),
    (
        "KONS",
        "Kaarinan kaupungintalo",
        "Lautakunnankatu 4",
        "20780",
        "Keskusta",
        "02 588 0201",
        "KO-210",
    ),
    (
        "TERV",
        "Kaarinan terveysasema",
        "Lautakunnankatu 2",
        "20780",
        "Keskusta, Kaarina",
        "02 313 0101",
        "TE-3110",
    ),
    (
        "TERV",
        "Paimion sairaala",
        "Alvar Aallon tie 275",
        "21540",
        "Preitilä, Paimio",
        "02 313 0102",
        "TE-3120",
    ),
    (
        "TUKI",
        "Varhan kalustopalvelut",
        "Ajurinkatu 20",
        "20360",
        "Artukainen, Turku",
        "02 313 0201",
        "TU-4110",
    ),
]

# Swedish names, as bilingual organisations give them (Turku/Åbo, Kupittaa/Kuppis).
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
    "Sivistystoimiala": "Bildningssektorn",
    "Konsernipalvelut": "Koncerntjänster",
    "Piikkiön koulu": "Pikis skola",
    "Kaarinan lukio": "S:t Karins gymnasium",
    "Kaarinan kaupungintalo": "S:t Karins stadshus",
    "Terveys- ja sairaanhoitopalvelut": "Hälso- och sjukvårdstjänster",
    "Tukipalvelut": "Stödtjänster",
    "Kaarinan terveysasema": "S:t Karins hälsostation",
    "Paimion sairaala": "Pemar sjukhus",
    "Varhan kalustopalvelut": "Välfärdsområdets möbeltjänster",
}

# The organisations: Turku, a neighbouring municipality and the wellbeing services county.
# Business IDs are the real ones (Y-tunnus, checked by their check digit).
ORGANISATIONS = [
    {
        "slug": "turku",
        "name": "Turku",
        "name_sv": "Åbo",
        "kind": "municipality",
        "business_id": "0204819-8",
        "city": "Turku",
    },
    {
        "slug": "kaarina",
        "name": "Kaarina",
        "name_sv": "S:t Karins",
        "kind": "municipality",
        "business_id": "0133226-9",
        "domains": ["kaarina.demo.example"],
        "brand_colour": "#00594f",
        "city": "Kaarina",
    },
    {
        "slug": "varha",
        "name": "Varsinais-Suomen hyvinvointialue",
        "name_sv": "Egentliga Finlands välfärdsområde",
        "name_en": "Wellbeing services county of Southwest Finland",
        "kind": "wellbeing_county",
        "business_id": "3221065-1",
        "domains": ["varha.demo.example"],
        "brand_colour": "#3a2a6b",
        "city": "Turku",
    },
]
REGION = {"slug": "turun-seutu", "name": "Turun seutu", "name_sv": "Åboregionen"}

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
    ("reserver@kaarina.demo.example", "Kalle Kaarinalainen", "Piikkiön koulu", []),
    (
        "coordinator@kaarina.demo.example",
        "Karoliina Koivisto",
        "Kaarinan kaupungintalo",
        [COORDINATOR],
    ),
    ("reserver@varha.demo.example", "Veera Virtanen", "Kaarinan terveysasema", []),
    ("warehouse@varha.demo.example", "Valtteri Vainio", "Varhan kalustopalvelut", [WAREHOUSE]),
    (
        "coordinator@varha.demo.example",
        "Vilma Vuorinen",
        "Varhan kalustopalvelut",
        [COORDINATOR],
    ),
]


def _organisation(spec: dict) -> Organisation:
    """One demo organisation, made once through the service the administrators use."""
    existing = Organisation.objects.filter(slug=spec["slug"]).first()
    if existing is not None:
        return existing
    return organisation_create(
        name=spec["name"],
        name_sv=spec["name_sv"],
        name_en=spec.get("name_en", ""),
        slug=spec["slug"],
        kind=spec["kind"],
        business_id=spec["business_id"],
        domains=spec.get("domains", settings.SIGNUP_EMAIL_DOMAINS),
        support_email=settings.SUPPORT_EMAIL,
        support_phone=settings.SUPPORT_PHONE,
        brand_colour=spec.get("brand_colour"),
    )


def _turku() -> Organisation:
    """The demo's city, with the sign-up domains of the environment (demo.example)."""
    existing = Organisation.objects.filter(slug="turku").first()
    if existing is not None:
        return existing
    turku = _organisation(ORGANISATIONS[0])
    # The demo's Turku listings are open to the whole city at once, so every Turku account
    # finds them; Kaarina and Varha keep the default stages (their own department first).
    # Turku also publishes its impact as open data, so /open-data/ has something to show.
    opened = timezone.now()
    Organisation.objects.filter(pk=turku.pk).update(department_days=0, open_data_since=opened)
    turku.department_days, turku.open_data_since = 0, opened
    return turku


def _city(organisation_city: str, district: str) -> tuple[str, str]:
    """("Keskusta, Kaarina") -> district Keskusta, city Kaarina; else the organisation's."""
    district, _, city = district.partition(", ")
    return district, city or organisation_city


@transaction.atomic
def seed_organisation() -> list[User]:
    organisations = {"turku": _turku()}
    for spec in ORGANISATIONS[1:]:
        organisations[spec["slug"]] = _organisation(spec)
    cities = {spec["slug"]: spec["city"] for spec in ORGANISATIONS}
    departments = {}
    for slug, code, name in DEPARTMENTS:
        departments[code], _ = Department.objects.update_or_create(
            organisation=organisations[slug],
            code=code,
            defaults={"name": name, "name_sv": SWEDISH_NAMES.get(name, "")},
        )
    units = {}
    for code, name, street, postal, district, phone, cost_centre in UNITS:
        department = departments[code]
        slug = next(s for s, c, _n in DEPARTMENTS if c == code)
        district, city = _city(cities[slug], district)
        units[name], _ = Unit.objects.update_or_create(
            department=department,
            name=name,
            defaults={
                "name_sv": SWEDISH_NAMES.get(name, ""),
                "street_address": street,
                "postal_code": postal,
                "city": city,
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
        user.is_staff = email == COORDINATOR_EMAIL  # Turku's coordinator is the admin
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
        user.save()
        user.groups.set(Group.objects.filter(name__in=[STAFF, *roles]))
        users.append(user)
    _region(organisations)
    seed_partnership()
    return users


# Varha signs in only through its own provider: the test provider that `make oidc-demo`
# runs beside `make run` (tests/support/oidc/demo.json holds its client and people).
DEMO_PROVIDER = {
    "slug": "varha",
    "name": "Varha-tunnus",
    "client_id": "kierratys-demo",
    "client_secret": "demo-secret",
    "scopes": "openid email profile groups",
    "groups_claim": "groups",
    "unit_claim": "unit",
    "allow_passwords": False,
}
DEMO_PROVIDER_ROLES = [
    ("kierratys-staff", STAFF),
    ("kierratys-warehouse", WAREHOUSE),
    ("kierratys-coordinators", COORDINATOR),
]
# The unit claim carries the cost centre, as Varha's HR system gives it.
DEMO_PROVIDER_UNITS = [
    ("TE-3110", "Kaarinan terveysasema"),
    ("TE-3120", "Paimion sairaala"),
    ("TU-4110", "Varhan kalustopalvelut"),
]


def seed_identity_provider() -> None:
    varha = Organisation.objects.get(slug="varha")
    provider, _ = IdentityProvider.objects.update_or_create(
        slug=DEMO_PROVIDER["slug"],
        defaults={
            **DEMO_PROVIDER,
            "organisation": varha,
            "issuer": settings.DEMO_OIDC_ISSUER,
            "enabled": True,
        },
    )
    for group, role in DEMO_PROVIDER_ROLES:
        RoleMapping.objects.get_or_create(provider=provider, group=group, role=role)
    for value, unit_name in DEMO_PROVIDER_UNITS:
        unit = Unit.objects.get(department__organisation=varha, name=unit_name)
        UnitMapping.objects.update_or_create(
            provider=provider, value=value, defaults={"unit": unit}
        )


def _region(organisations: dict) -> None:
    """Turun seutu / Åboregionen, with all three as members from the day of seeding."""
    from django.utils import timezone

    from .accounts.partnerships import Region, RegionMembership

    region, _ = Region.objects.get_or_create(
        slug=REGION["slug"], defaults={"name": REGION["name"], "name_sv": REGION["name_sv"]}
    )
    for organisation in organisations.values():
        RegionMembership.objects.get_or_create(
            region=region,
            organisation=organisation,
            defaults={"joined_on": timezone.localdate()},
        )


def seed_partnership() -> int:
    """Turku and Kaarina: proposed by Turku's coordinator, accepted by Kaarina's, running
    from the day of seeding (written as the partnership services would leave it, without
    their notices, so the demo's bells start at zero). Returns 1 when made now."""
    from django.utils import timezone

    from .accounts.partnerships import Partnership

    turku = Organisation.objects.filter(slug="turku").first()
    kaarina = Organisation.objects.filter(slug="kaarina").first()
    proposer = User.objects.filter(email=COORDINATOR_EMAIL).first()
    accepter = User.objects.filter(email=KAARINA_COORDINATOR).first()
    if None in (turku, kaarina, proposer, accepter):
        return 0
    pair = [turku.pk, kaarina.pk]
    if Partnership.objects.filter(
        proposer_id__in=pair, partner_id__in=pair, ended_at__isnull=True
    ).exists():
        return 0
    now = timezone.now()
    Partnership.objects.create(
        proposer=turku,
        partner=kaarina,
        starts_on=timezone.localdate(now),
        proposed_by=proposer,
        proposed_at=now,
        accepted_by=accepter,
        accepted_at=now,
    )
    return 1


# (organisation slug, warehouse name, street, postal code, city, hours, phone, serves partners)
WAREHOUSES = [
    (
        "turku",
        "Artukaisen kierrätysvarasto",
        "Ajurinkatu 12",
        "20360",
        "Turku",
        "ma–pe 8–15",
        "02 330 0399",
        True,  # Kaarina has no warehouse of its own: Turku's serves its partners
    ),
    (
        "varha",
        "Varhan kalustovarasto",
        "Ajurinkatu 20",
        "20360",
        "Turku",
        "ma–to 8–14",
        "02 313 0299",
        False,
    ),
]


@transaction.atomic
def seed_warehouse() -> None:
    """The warehouses with shelves and weekday delivery slots: Turku's and Varha's."""
    from datetime import time

    from inventory.models import StorageLocation, TimeSlot, Warehouse

    for slug, name, street, postal, city, hours, phone, serves_partners in WAREHOUSES:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            continue
        warehouse, created = Warehouse.objects.get_or_create(
            name=name,
            defaults={
                "organisation": organisation,
                "serves_partners": serves_partners,
                "street_address": street,
                "postal_code": postal,
                "city": city,
                "opening_hours": hours,
                "phone": phone,
                "is_active": True,
            },
        )
        rows = "AB" if slug == "turku" else "A"
        for row in rows:
            for bay in range(1, 4):
                for level in range(1, 3):
                    StorageLocation.objects.get_or_create(
                        warehouse=warehouse,
                        code=f"{row}-{bay:02d}-{level}",
                        defaults={"description": f"Hylly {row}, väli {bay}, taso {level}"},
                    )
        weekdays = range(5) if slug == "turku" else range(4)
        for weekday in weekdays:
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
    # Listings whose owners approve requests: one waiting for the decision, one declined.
    ("requested", RESERVER, "Satulatuoli", 1, "Satulatuoli vastaanoton tiskille."),
    ("declined", RESERVER, "Verhoiltu työtuoli", 2, "Tuolit neuvotteluhuoneeseen."),
    # Across organisations, at the partner stage: Kaarina (a partnership) and Varha (the
    # region) reserve Turku's items, Turku one of Kaarina's. The collected one has a
    # handover document between two organisations.
    ("collected", KAARINA_RESERVER, "Kolmen istuttava sohva", 1, "Sohva koulun aulaan."),
    ("active", VARHA_RESERVER, "Kirjahylly, 5 hyllyä", 2, "Hyllyt terveysaseman arkistoon."),
    ("active", RESERVER, "Kirjaston hylly, tammi", 1, "Hylly terveysaseman aulaan."),
]

# (account, name, catalogue category)
SAVED_SEARCHES = [
    (RESERVER, "Sohvat ja nojatuolit", "sofas"),
    (COORDINATOR_EMAIL, "Työtuolit", "office-chairs"),
]

# The lister asks the warehouse to fetch this one: an intake task on the board.
INTAKE_TITLE = "Neuvottelupöytä 8 hengelle"

# Lent, not given (issue 20): the lister's unit lends camp beds for summer camps, and the
# reserver's unit has booked two of them, so the item page shows the loan calendar.
LOAN_TITLE = "Retkisänky kesäleireille"
LOAN_QUANTITY, LOAN_MAX_DAYS = 3, 14
LOAN_BOOKED = (3, 9, 2)  # from the 3rd to the 9th day from today, two of them


def seed_activity() -> int:
    """Reservations in every status, a delivery and an intake task, saved searches.

    Returns how many scenarios were made now (0 when everything exists already).
    """
    from django.core.exceptions import PermissionDenied, ValidationError

    from kierratys.common.errors import NotFound, ServiceError

    users = {u.email: u for u in User.objects.filter(email__in=[a[0] for a in ACCOUNTS])}
    if not {LISTER, RESERVER, WAREHOUSE_EMAIL, COORDINATOR_EMAIL} <= users.keys():
        return 0
    made = 0
    steps = [
        *[(_reservation_scenario, (users, *row)) for row in RESERVATIONS],
        *[(_saved_search, (users, *row)) for row in SAVED_SEARCHES],
        (_intake, (users,)),
        (_loan, (users,)),
    ]
    for step, args in steps:
        try:
            with transaction.atomic():
                made += step(*args)
        except (ServiceError, ValidationError, PermissionDenied, NotFound) as error:
            # The demo has been used: e.g. the item is no longer on offer. Nothing is half made.
            what = " / ".join(str(arg) for arg in args[1:4]) or step.__name__.strip("_")
            reasons = getattr(error, "messages", None) or [str(error) or type(error).__name__]
            logger.warning("Demo data skipped (%s): %s", what, " ".join(reasons))
    return made


def _reservation_scenario(users, scenario, email, title, quantity, note) -> int:
    from datetime import timedelta

    from django.utils import timezone

    from inventory.models import Warehouse
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
        own = Warehouse.objects.filter(organisation_id=listing.organisation_id)
        slot = next(
            iter(free_slots(kind="delivery", warehouse_ids=own.values_list("pk", flat=True))), None
        )
        if slot is None:
            return 0
        details.update(
            handover=Reservation.Handover.DELIVERY, delivery=(slot["slot"].pk, slot["date"])
        )
    if scenario == "waiting":
        details["join_waiting_list"] = True
    reservation = reservations.reservation_create(**details)
    owner = (
        User.objects.filter(unit_id=listing.owner_unit_id, email__in=users).first()
        or User.objects.filter(
            unit__department__organisation_id=listing.organisation_id,
            email__in=users,
            groups__name=COORDINATOR,
        ).first()
    )
    if scenario == "collected":
        reservations.reservation_collect(actor=owner, reservation_id=reservation.pk)
    elif scenario == "cancelled":
        reservations.reservation_cancel(actor=actor, reservation_id=reservation.pk)
    elif scenario == "declined":
        reservations.reservation_decline(
            actor=owner,
            reservation_id=reservation.pk,
            reason="Tuolit on jo luvattu koulun muuttoon.",
        )
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


def _loan(users) -> int:
    """A for-loan item of the lister's unit with one booking by the reserver's unit."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile

    from listings import services as listings
    from listings.demo import COLOURS, _draw
    from listings.models import Category, Listing
    from reservations.loans import services as loans
    from reservations.loans.models import Loan

    lister, reserver = users[LISTER], users[RESERVER]
    listing = Listing.objects.filter(owner_unit=lister.unit, title=LOAN_TITLE).first()
    made = 0
    if listing is None:
        today = timezone.localdate()
        listing = listings.listing_create(
            actor=lister,
            unit=lister.unit,
            fields={
                "title": LOAN_TITLE,
                "description": "Kokoontaittuvat retkisängyt leireille ja yökouluun. "
                "Lainataan enintään kahdeksi viikoksi kerrallaan.",
                "category": Category.objects.get(slug="beds"),
                "condition": "good",
                "material": "fabric",
                "colour": "green",
                "quantity": LOAN_QUANTITY,
                "width_cm": 65,
                "depth_cm": 190,
                "height_cm": 40,
                "weight_kg": 6,
                "pickup_instructions": "Varasto B, kysy vahtimestarilta.",
                "available_from": today,
                "available_until": today + timedelta(days=180),
                "for_loan": True,
                "loan_max_days": LOAN_MAX_DAYS,
            },
            uploads=[SimpleUploadedFile("demo-loan.jpg", _draw("bed", COLOURS["green"], 2020))],
            publish=True,
        )
        made = 1
    if not Loan.objects.filter(listing=listing).exists():
        first, last, quantity = LOAN_BOOKED
        today = timezone.localdate()
        loans.loan_book(
            actor=reserver,
            listing_id=listing.pk,
            start=today + timedelta(days=first),
            end=today + timedelta(days=last),
            quantity=quantity,
        )
        made = 1
    return made
