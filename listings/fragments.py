"""The catalogue's cached fragments: its cards and its filter form, in the shared cache.

A card is rendered once per listing version and language, and kept under a key made of
exactly what it shows: the listing's `updated_at` (every service that changes what a card
shows, in listings, reservations and inventory, writes it: title, photos, quantity,
condition, shelf, status) and the filter choices' version (`choices.version()`: a new one
whenever a unit, department, organisation or warehouse is saved, or every few minutes,
which covers the unit and warehouse names on the card). A change is therefore a new key,
never a delete: no process can serve a card older than the row it read from the database.
A page's cards are one `get_many` and at most one `set_many`, whatever the page size.

A card shows nothing that depends on who looks at it beyond the language (which listings
someone may see is the catalogue's query, not the card). Anything viewer-dependent added
to `_card.html` must go into `_card_key` or stay outside the card.

The filter form depends on the language, the choices' version, the organisations whose
departments and units the viewer is offered (`choices.organisations_seen_by`) and the
values chosen in its own fields, and on nothing else: not the page, not the search words.
"""

import hashlib

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from . import choices

CARD_SECONDS = 24 * 3600
# The fields rendered inside the cached filter form (catalogue.html); `q` is outside it.
FILTER_FIELDS = (
    "category",
    "condition",
    "width_min",
    "width_max",
    "depth_min",
    "depth_max",
    "height_min",
    "height_max",
    "colour",
    "material",
    "department",
    "unit",
    "location",
    "lending",
    "available_now",
    "sort",
)


def _language() -> str:
    return (get_language() or "fi")[:5]


def card_seconds() -> int:
    """Signed photo addresses (S3) expire: a card is kept at most half their life, so
    one served at the end of its time still shows its photo."""
    if getattr(default_storage, "querystring_auth", False):
        return max(60, int(getattr(default_storage, "querystring_expire", 3600)) // 2)
    return CARD_SECONDS


def _card_key(listing, *, language: str, names: str) -> str:
    version = listing.updated_at.isoformat() if listing.updated_at else "-"
    return f"listings:card:{listing.pk}:{version}:{language}:{names}"


def cards(listings) -> list[SafeString]:
    """The cards of `listings` (as the catalogue's and card_listing's queries load them),
    in order, in the current language."""
    listings = list(listings)
    if not listings:
        return []
    language, names = _language(), choices.version()
    keys = [_card_key(listing, language=language, names=names) for listing in listings]
    found = cache.get_many(keys)
    missing = {}
    for key, listing in zip(keys, listings, strict=True):
        if key not in found:
            html = render_to_string("listings/_card.html", {"listing": listing})
            found[key] = missing[key] = html
    if missing:
        cache.set_many(missing, card_seconds())
    return [mark_safe(found[key]) for key in keys]  # noqa: S308 (our own rendering)


def filter_form_key(*, filterset, viewer, version: str) -> str:
    """What the cached filter form (catalogue.html) varies on."""
    data = filterset.form.data
    chosen = [(name, sorted(data.getlist(name))) for name in FILTER_FIELDS if name in data]
    seen = ",".join(str(pk) for pk in sorted(choices.organisations_seen_by(viewer)))
    digest = hashlib.sha256(repr(chosen).encode()).hexdigest()[:32]
    return f"{_language()}:{version}:{seen}:{digest}"
