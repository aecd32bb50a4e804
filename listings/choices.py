"""Filter choices that change rarely (categories, departments, units), cached.

The catalogue must render in a handful of queries, so these lists come from the cache
(the shared one, Redis, when REDIS_URL is set: every process sees a `forget()`). Admin
saves of departments, units and warehouses, partnership changes and `warehouse_update`
call `forget()`; otherwise they refresh within a few minutes. Their `version()` is also in
the keys of the catalogue's cached cards (listings.fragments), which name units and
warehouses. Inside `pinned()` (one catalogue request) each is read from the cache once.

Departments and units are cached with their organisation, and each viewer is offered
only those of the organisations whose listings they can see: their own and its partners
(`organisations_seen_by`, cached per organisation and day under the lists' version, so
`forget()` drops it too). One cache entry serves every organisation.
"""

import contextlib
from contextvars import ContextVar

from django.core.cache import cache
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language

from kierratys.accounts.models import Department, Unit

from .models import Category

TIMEOUT = 300
NAMES = ("name", "name_sv", "name_en")  # departments' and units' (kierratys.common.names)
KEY = "listings:choices:v3"


def _load() -> dict:
    import uuid

    categories = list(
        Category.objects.values("pk", "parent_id", "name_fi", "name_sv", "name_en", "sort_order")
    )
    return {
        "version": uuid.uuid4().hex,  # changes whenever the lists are reloaded
        "categories": categories,
        "departments": list(Department.objects.values("pk", *NAMES, org=F("organisation_id"))),
        "units": list(
            Unit.objects.filter(is_active=True).values(
                "pk", *NAMES, org=F("department__organisation_id")
            )
        ),
    }


# Inside `pinned()`: the lists and the seen organisations as first read, so that one page
# asks the shared cache once for each, not at every use (each ask is a round trip to Redis).
_pinned: ContextVar[dict | None] = ContextVar("listings_choices_pinned", default=None)


@contextlib.contextmanager
def pinned():
    """Read the lists once for everything inside (one request's work)."""
    token = _pinned.set({})
    try:
        yield
    finally:
        _pinned.reset(token)


def _cached(key: str, load):
    memo = _pinned.get()
    if memo is not None and key in memo:
        return memo[key]
    value = cache.get(key)
    if value is None:
        value = load()
        cache.set(key, value, TIMEOUT)
    if memo is not None:
        memo[key] = value
    return value


def _data() -> dict:
    return _cached(KEY, _load)


def forget() -> None:
    cache.delete(KEY)
    memo = _pinned.get()
    if memo is not None:
        memo.clear()


def version() -> str:
    return _data()["version"]


def category_tree() -> list[tuple[dict, int]]:
    """Categories depth-first with their depth, names in the current language."""
    language = (get_language() or "fi")[:2]
    field = f"name_{language}" if language in ("fi", "sv", "en") else "name_fi"
    rows = sorted(_data()["categories"], key=lambda c: (c["sort_order"], c["name_fi"]))
    children = {}
    for row in rows:
        children.setdefault(row["parent_id"], []).append(row)
    ordered = []

    def walk(parent_id, depth):
        for row in children.get(parent_id, []):
            ordered.append(({"pk": row["pk"], "name": row[field]}, depth))
            walk(row["pk"], depth + 1)

    walk(None, 0)
    return ordered


def category_with_descendants(category_id: int) -> list[int]:
    rows = _data()["categories"]
    ids, frontier = {category_id}, {category_id}
    while frontier:
        frontier = {r["pk"] for r in rows if r["parent_id"] in frontier} - ids
        ids |= frontier
    return sorted(ids)


def _named(rows: list[dict]) -> list[tuple[int, str]]:
    """(pk, name in the current language, else the primary name), sorted by that name."""
    language = (get_language() or "fi")[:2]
    field = f"name_{language}" if f"name_{language}" in NAMES else "name"
    return sorted(((row["pk"], row[field] or row["name"]) for row in rows), key=lambda r: r[1])


def organisations_seen_by(viewer) -> frozenset[int]:
    """The organisations whose listings a viewer (listings.audience.Viewer) can see: their
    own and its partners today. Cached per organisation and day for as long as the lists."""
    if viewer is None or viewer.organisation_id is None:
        return frozenset()
    today = timezone.localdate()
    key = f"{KEY}:seen:{version()}:{viewer.organisation_id}:{today.isoformat()}"
    seen = _cached(key, lambda: [viewer.organisation_id, *viewer.partners])
    return frozenset(seen)


def _of(rows: list[dict], viewer) -> list[dict]:
    """Every row without a viewer (saved-search descriptions, the service's own use); for
    a viewer only those of the organisations they can see."""
    if viewer is None:
        return rows
    seen = organisations_seen_by(viewer)
    return [row for row in rows if row["org"] in seen]


def departments(viewer=None) -> list[tuple[int, str]]:
    return _named(_of(_data()["departments"], viewer))


def units(viewer=None) -> list[tuple[int, str]]:
    return _named(_of(_data()["units"], viewer))
