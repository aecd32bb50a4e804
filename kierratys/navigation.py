"""Main navigation. An entry shows once its page exists and the user has the role."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .accounts.roles import COORDINATOR, STAFF, WAREHOUSE, role_names

ENTRIES = [
    ("catalogue", _("Catalogue"), "listings:catalogue", STAFF),
    ("wanted", _("Wanted"), "wanted:list", STAFF),
    ("new_listing", _("New listing"), "listings:create", STAFF),
    ("our_listings", _("Our listings"), "listings:mine", STAFF),
    ("reservations", _("Reservations"), "reservations:list", STAFF),
    ("warehouse", _("Warehouse"), "inventory:board", WAREHOUSE),
    ("organisation", _("Organisation"), "organisation_hub", COORDINATOR),
    ("reports", _("Reports"), "reports:index", STAFF),
]

# The coordinator's tools for running the organisation. They are listed on one page (the
# "Organisation" entry, current on each of them) so that the main navigation fits one line.
ORGANISATION_TOOLS = [
    (
        "warehouses",
        _("Warehouses"),
        _("Warehouses, their shelves, opening hours and delivery slots."),
        "inventory:warehouses",
    ),
    (
        "partners",
        _("Partners"),
        _("Partnerships and regions: whose staff see your furniture after your own."),
        "partnerships:list",
    ),
    (
        "users",
        _("Users"),
        _("The people of your organisation, and when and how each last signed in."),
        "organisation_users",
    ),
    (
        "announcements",
        _("Announcements"),
        _("Notices shown on top of every page for a while, to everyone or some."),
        "announcements:manage",
    ),
    (
        "pauses",
        _("Ordering pauses"),
        _("Pause reserving and deliveries for holidays, stock-taking or a move."),
        "pauses:list",
    ),
    (
        "finance",
        _("Internal prices"),
        _("Prices of delivery, storage and cleaning, and each month's charges per cost centre."),
        "charges:month",
    ),
    (
        "recipients",
        _("Donation recipients"),
        _("Associations and schools that may receive furniture at the end of its life."),
        "listings:recipients",
    ),
    (
        "help",
        _("Help pages"),
        _("Your own help page, FAQ and e-mail footer, in Finnish, Swedish and English."),
        "help:manage",
    ),
    (
        "api_tokens",
        _("API tokens"),
        _("Tokens that let other systems, such as purchasing, use the service's API."),
        "api_tokens:list",
    ),
    (
        "webhooks",
        _("Webhooks"),
        _("Your systems told of new listings, reservations and tasks as they happen."),
        "webhooks:list",
    ),
    (
        "open_data",
        _("Open data"),
        _("Publish your monthly impact figures for anyone to use (CC BY 4.0)."),
        "open_data:manage",
    ),
    (
        "privacy",
        _("Who viewed personal data"),
        _("Who opened whose personal data; a person's data exported or anonymised."),
        "privacy:log",
    ),
]


def _url(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None  # that part of the service is not installed


def organisation_tools() -> list[dict]:
    return [
        {"key": key, "label": label, "description": description, "url": url}
        for key, label, description, url_name in ORGANISATION_TOOLS
        if (url := _url(url_name))
    ]


def entries_for(user, current_path: str) -> list[dict]:
    roles = role_names(user)
    items = []
    for key, label, url_name, role in ENTRIES:
        if role not in roles or not (url := _url(url_name)):
            continue
        # The hub entry also stands for its tools' pages.
        prefixes = (
            [url, *(t["url"] for t in organisation_tools())] if key == "organisation" else [url]
        )
        items.append({"key": key, "label": label, "url": url, "prefixes": prefixes})
    # Only the most specific entry is current: /listings/new/ is "New listing", not "Catalogue".
    matches = [
        (len(prefix), item)
        for item in items
        for prefix in item["prefixes"]
        if current_path.startswith(prefix)
    ]
    current = max(matches, key=lambda match: match[0])[1] if matches else None
    return [
        {"key": i["key"], "label": i["label"], "url": i["url"], "current": i is current}
        for i in items
    ]
