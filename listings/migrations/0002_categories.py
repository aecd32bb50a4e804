"""Seed the category tree with impact factors, and give coordinators category rights.

The figures are estimates made for Kierrätys from typical product data (manufacturers'
environmental product declarations for comparable new items, and public-sector purchase
prices). They are marked as estimates: a city should replace them with its own sources.
"""

from decimal import Decimal

from django.db import migrations

from kierratys.migration_utils import grant_role_permissions

SOURCE = (
    "Estimate for Kierrätys: typical weight and price of a comparable new item; CO2e from "
    "manufacturers' environmental product declarations (EPD) for similar products, "
    "cradle-to-gate. Replace with your city's own figures."
)

# slug, parent slug, fi, sv, en, weight kg, CO2e kg, value EUR
CATEGORIES = [
    ("seating", None, "Istuimet", "Sittmöbler", "Seating", None, None, None),
    ("office-chairs", "seating", "Työtuolit", "Kontorsstolar", "Office chairs", 14, 60, 280),
    ("stackable-chairs", "seating", "Pinottavat tuolit", "Stapelbara stolar", "Stackable chairs", 5, 18, 80),
    ("school-chairs", "seating", "Koulutuolit", "Skolstolar", "School chairs", 6, 20, 90),
    ("sofas", "seating", "Sohvat ja nojatuolit", "Soffor och fåtöljer", "Sofas and armchairs", 40, 150, 800),
    ("tables", None, "Pöydät", "Bord", "Tables and desks", None, None, None),
    ("desks", "tables", "Työpöydät", "Skrivbord", "Desks", 35, 90, 350),
    ("sit-stand-desks", "tables", "Sähköpöydät", "Höj- och sänkbara skrivbord", "Sit-stand desks", 45, 180, 650),
    ("school-desks", "tables", "Koulupulpetit", "Skolbänkar", "School desks", 14, 40, 160),
    ("meeting-tables", "tables", "Neuvottelu- ja ruokapöydät", "Mötes- och matbord", "Meeting and dining tables", 40, 110, 450),
    ("storage", None, "Säilytys", "Förvaring", "Storage", None, None, None),
    ("cabinets", "storage", "Kaapit", "Skåp", "Cabinets", 40, 120, 400),
    ("shelves", "storage", "Hyllyt", "Hyllor", "Shelves", 25, 60, 180),
    ("drawer-units", "storage", "Laatikostot", "Lådhurtsar", "Drawer units", 22, 65, 230),
    ("beds", None, "Sängyt", "Sängar", "Beds", 40, 110, 400),
    ("lamps", None, "Valaisimet", "Belysning", "Lamps", 3, 15, 90),
    ("whiteboards", None, "Tussi- ja ilmoitustaulut", "Whiteboards och anslagstavlor", "Whiteboards and noticeboards", 12, 35, 220),
    ("textiles", None, "Tekstiilit", "Textilier", "Textiles", 3, 20, 60),
    ("supplies", None, "Koulu- ja toimistotarvikkeet", "Skol- och kontorsmaterial", "School and office supplies", 2, 6, 30),
]


def seed(apps, schema_editor):
    Category = apps.get_model("listings", "Category")
    by_slug = {}
    for order, (slug, parent, fi, sv, en, kg, co2, eur) in enumerate(CATEGORIES):
        parent_obj = by_slug.get(parent)
        by_slug[slug], _ = Category.objects.update_or_create(
            slug=slug,
            defaults={
                "parent": parent_obj,
                "depth": 0 if parent_obj is None else parent_obj.depth + 1,
                "name_fi": fi,
                "name_sv": sv,
                "name_en": en,
                "sort_order": order,
                "typical_weight_kg": Decimal(kg) if kg else None,
                "co2e_kg_per_item": Decimal(co2) if co2 else None,
                "replacement_value_eur": Decimal(eur) if eur else None,
                "factors_are_estimates": True,
                "factor_source": SOURCE if kg else "",
            },
        )
    grant_role_permissions(
        apps,
        {
            "coordinator": [
                "listings.view_category",
                "listings.add_category",
                "listings.change_category",
                "listings.view_listing",
            ],
            "warehouse": ["listings.view_listing"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("listings", "0001_initial"), ("kierratys", "0002_roles")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
