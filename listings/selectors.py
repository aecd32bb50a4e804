"""Read side of listings."""

import hashlib

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kierratys.common.errors import NotFound

from . import audience, choices, history, search
from .models import Category, Listing, ListingEvent, ListingPhoto
from .permissions import can_edit, can_view
from .services import EDITABLE_FIELDS


def _with_relations(queryset):
    return queryset.select_related(
        "category", "category__parent", "owner_unit", "owner_unit__department"
    ).prefetch_related(Prefetch("photos", queryset=ListingPhoto.objects.order_by("position")))


def listing_for_view(*, user, listing_id: int) -> Listing:
    listing = (
        _with_relations(Listing.objects.filter(pk=listing_id))
        .select_related("storage_location__warehouse")
        .first()
    )
    if listing is None or not can_view(user, listing):
        raise NotFound
    return listing


def listing_for_edit(*, user, listing_id: int) -> Listing:
    """404 for drafts others cannot see; 404 also for others' listings (no probing)."""
    listing = _with_relations(Listing.objects.filter(pk=listing_id)).first()
    if listing is None or not can_edit(user, listing):
        raise NotFound
    return listing


def listings_of_unit(*, unit):
    return _with_relations(Listing.objects.filter(owner_unit=unit)).order_by("-created_at")


def listing_history(*, listing: Listing) -> list[ListingEvent]:
    """The item's history, newest first, each change in words of the reader's language."""
    return history.describe(ListingEvent.objects.filter(listing=listing).select_related("actor"))


def listings_for_labels(*, user, ids: list[int]) -> list[Listing]:
    listings = (
        Listing.objects.filter(pk__in=ids)
        .select_related("owner_unit", "organisation")
        .order_by("pk")
    )
    return [listing for listing in listings if can_edit(user, listing)]


def categories_for_choice():
    return Category.objects.select_related("parent").order_by(
        "parent__sort_order", "sort_order", "name_fi"
    )


def listing_copy_initial(listing: Listing) -> dict:
    """Initial values for "list another like this": everything but photos and dates."""
    skip = {"available_from", "available_until"}
    initial = {name: getattr(listing, name) for name in EDITABLE_FIELDS if name not in skip}
    initial["category"] = listing.category_id
    return initial


CATALOGUE_PAGE_SIZE = 24
COUNT_CAP = 1000


# How long a count past the cap is remembered, in the shared cache.
CAPPED_COUNT_SECONDS = 60


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: "more than 1,000" is all a person needs to know.

    An exact count of 100,000 listings costs more than the rest of the page together. Even
    the capped count can scan far when the viewer's listings are spread thin over a big
    table (issue 22: 2-36 ms at 1,000,000 listings), so a count past the cap is remembered
    for the same query a short while: "more than 1,000" seldom stops being true in a
    minute, and when it does the page is only off by its last page number. Smaller counts
    are exact on every page, so a new or reserved listing shows in them at once.
    """

    cap = COUNT_CAP

    @cached_property
    def count(self):
        counted = self.object_list.order_by().values("pk")[: self.cap + 1]
        try:  # the SQL with its parameters names the viewer's audience, filters and today
            statement = repr(counted.query.sql_with_params())
        except EmptyResultSet:  # a filter no listing can match
            return 0
        key = "capped-count:" + hashlib.sha256(statement.encode()).hexdigest()
        if cache.get(key) == self.cap:
            return self.cap + 1
        count = counted.count()
        if count > self.cap:
            cache.set(key, self.cap, CAPPED_COUNT_SECONDS)
        return count

    @property
    def capped(self) -> bool:
        return self.count > self.cap


def catalogue_filter(*, user, params, filterset_class=None):
    """The catalogue's FilterSet over what the user may find, for the page and the API
    (which passes a stricter subclass that refuses bad values instead of dropping them)."""
    from django.db.models import OuterRef, Subquery

    from .filters import CatalogueFilter, visible_listings

    covers = ListingPhoto.objects.filter(listing=OuterRef("pk"), position=0).values("thumb")[:1]
    queryset = (
        visible_listings(audience.viewer_of(user))
        .select_related("owner_unit", "storage_location__warehouse")
        .defer("search_vector", "description", "pickup_instructions")
        .annotate(cover_thumb=Subquery(covers))
    )
    filterset_class = filterset_class or CatalogueFilter
    return filterset_class(params, queryset=queryset, viewer=audience.viewer_of(user))


def catalogue_page(*, user, params, page_number):
    """One page of the catalogue: the FilterSet, the page, and notes about corrected input.

    The same few queries whatever the page size: session, user, roles, the viewer's
    partners, count and the page itself (cover thumbnails come in the page's query as a
    subquery; filter choices are cached).
    """
    filterset = catalogue_filter(user=user, params=params)
    notes = list(filterset.notes)
    try:
        with search.time_limit(active=filterset.searching):
            paginator = CappedPaginator(filterset.qs, CATALOGUE_PAGE_SIZE)
            paginator.cap = filterset.count_cap or paginator.cap  # a search's candidates
            page = paginator.get_page(page_number)
            page.object_list = list(page.object_list)  # both queries inside the limit
    except search.SearchTooSlow:
        page = CappedPaginator(Listing.objects.none(), CATALOGUE_PAGE_SIZE).get_page(1)
        notes.append(_("The search took too long. Narrow it: use fewer or more specific words."))
        return filterset, page, notes, choices.version()
    if page_number not in (None, "", str(page.number)):
        notes.append(_("That page does not exist; showing page %(n)d.") % {"n": page.number})
    return filterset, page, notes, choices.version()


def similar_listings(*, user, listing: Listing, limit: int = 4):
    from .filters import visible_listings

    return list(
        visible_listings(audience.viewer_of(user))
        .filter(category_id=listing.category_id, available_from__lte=timezone.localdate())
        .exclude(pk=listing.pk)
        .select_related("owner_unit")
        .prefetch_related(Prefetch("photos", queryset=ListingPhoto.objects.filter(position=0)))
        .order_by("-published_at")[:limit]
    )


def card_listing(*, user, listing_id: int):
    """One catalogue card (live updates fetch new listings' cards one by one): only for
    those the listing's stage shows it to, like the catalogue itself."""
    from django.db.models import OuterRef, Subquery

    from .filters import visible_listings

    covers = ListingPhoto.objects.filter(listing=OuterRef("pk"), position=0).values("thumb")[:1]
    listing = (
        visible_listings(audience.viewer_of(user))
        .filter(pk=listing_id)
        .select_related("owner_unit", "storage_location__warehouse")
        .annotate(cover_thumb=Subquery(covers))
        .first()
    )
    if listing is None:
        raise NotFound
    return listing


def describe_query(query: str, *, user) -> list[str]:
    """Human-readable filters of a saved search: "Condition: Good, Like new"."""
    from django.http import QueryDict

    from .filters import CatalogueFilter

    filterset = CatalogueFilter(
        QueryDict(query), queryset=Listing.objects.none(), viewer=audience.viewer_of(user)
    )
    form = filterset.form
    form.is_valid()
    parts = []
    for name, value in form.cleaned_data.items():
        if value in (None, "", [], ()):
            continue
        field = form.fields[name]
        choices = {
            str(k): v for k, v in getattr(field, "choices", []) if not isinstance(v, list | tuple)
        }
        values = value if isinstance(value, list | tuple) else [value]
        shown = ", ".join(str(choices.get(str(v), v)).lstrip("— ") for v in values)
        parts.append(f"{field.label}: {shown}")
    return parts


# The catalogue's chips: what the user chose, each removable. Sort is not a filter; a size
# bound reads "Width at least 50 cm"; "available now" is the default and has no chip.
CHIP_FIELDS = (
    "q",
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
)
SIZE_LABELS = {
    "width_min": _lazy("Width at least"),
    "width_max": _lazy("Width at most"),
    "depth_min": _lazy("Depth at least"),
    "depth_max": _lazy("Depth at most"),
    "height_min": _lazy("Height at least"),
    "height_max": _lazy("Height at most"),
}


def active_filters(*, filterset, params) -> list[dict]:
    """The chips above the catalogue's results: one per filter value the user chose (values
    the form dropped as invalid have none), each with `label` and `query`, the query string
    without that value (and back on page 1): a plain link that works without JavaScript."""
    from django.utils.formats import number_format

    form = filterset.form
    form.is_valid()
    chips = []
    for name in CHIP_FIELDS:
        value = form.cleaned_data.get(name)
        chosen = [v for v in params.getlist(name) if v.strip()]
        if not chosen or value in (None, "", [], ()):
            continue
        if name == "available_now" and value != "0":
            continue
        field = form.fields[name]
        choices = {
            str(k): v for k, v in getattr(field, "choices", []) if not isinstance(v, list | tuple)
        }
        for one in value if isinstance(value, list | tuple) else [value]:
            remaining = params.copy()
            remaining.pop("page", None)
            if isinstance(value, list | tuple):
                remaining.setlist(name, [v for v in remaining.getlist(name) if v != str(one)])
            else:
                remaining.pop(name, None)
            if name in SIZE_LABELS:
                label = f"{SIZE_LABELS[name]} {number_format(one)} cm"
            elif name == "available_now":
                label = str(choices.get(str(one), one))
            else:
                label = f"{field.label}: {str(choices.get(str(one), one)).lstrip('— ')}"
            chips.append({"name": name, "label": label, "query": remaining.urlencode()})
    return chips


def saved_searches_of(*, user) -> list:
    from .models import SavedSearch

    searches = list(SavedSearch.objects.filter(user=user))
    for saved in searches:
        saved.summary = describe_query(saved.query, user=user)
    return searches
