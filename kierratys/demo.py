"""Demo organisation and accounts. Idempotent: running it again changes nothing."""

from django.contrib.auth.models import Group
from django.db import transaction

from .accounts.models import Department, Unit, User
from .accounts.roles import COORDINATOR, STAFF, WAREHOUSE

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


@transaction.atomic
def seed_organisation() -> list[User]:
    departments = {}
    for code, name in DEPARTMENTS:
        departments[code], _ = Department.objects.update_or_create(
            code=code, defaults={"name": name}
        )
    units = {}
    for code, name, street, postal, district, phone, cost_centre in UNITS:
        units[name], _ = Unit.objects.update_or_create(
            department=departments[code],
            name=name,
            defaults={
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
