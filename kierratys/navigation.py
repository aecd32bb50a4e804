"""Main navigation. An entry shows once its page exists and the user has the role."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .accounts.roles import COORDINATOR, STAFF, WAREHOUSE, role_names

ENTRIES = [
    ("catalogue", _("Catalogue"), "listings:catalogue", STAFF),
    ("new_listing", _("New listing"), "listings:create", STAFF),
    ("our_listings", _("Our listings"), "listings:mine", STAFF),
    ("reservations", _("Reservations"), "reservations:list", STAFF),
    ("warehouse", _("Warehouse"), "inventory:board", WAREHOUSE),
    ("warehouses", _("Warehouses"), "inventory:warehouses", COORDINATOR),
    ("partners", _("Partners"), "partnerships:list", COORDINATOR),
    ("users", _("Users"), "organisation_users", COORDINATOR),
    ("announcements", _("Announcements"), "announcements:manage", COORDINATOR),
    ("recipients", _("Donation recipients"), "listings:recipients", COORDINATOR),
    ("pauses", _("Ordering pauses"), "pauses:list", COORDINATOR),
    ("reports", _("Reports"), "reports:index", STAFF),
]


def entries_for(user, current_path: str) -> list[dict]:
    roles = role_names(user)
    items = []
    for key, label, url_name, role in ENTRIES:
        if role not in roles:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue  # that part of the service is not installed
        items.append({"key": key, "label": label, "url": url, "current": False})
    # Only the most specific entry is current: /listings/new/ is "New listing", not "Catalogue".
    matching = [i for i in items if current_path == i["url"] or current_path.startswith(i["url"])]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["current"] = True
    return items
