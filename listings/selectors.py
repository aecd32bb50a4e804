"""Read side of listings."""

from django.db.models import Prefetch
from django.http import Http404

from .models import Category, Listing, ListingEvent, ListingPhoto
from .permissions import can_edit, can_view
from .services import EDITABLE_FIELDS


def _with_relations(queryset):
    return queryset.select_related(
        "category", "category__parent", "owner_unit", "owner_unit__department"
    ).prefetch_related(Prefetch("photos", queryset=ListingPhoto.objects.order_by("position")))


def listing_for_view(*, user, listing_id: int) -> Listing:
    listing = _with_relations(Listing.objects.filter(pk=listing_id)).first()
    if listing is None or not can_view(user, listing):
        raise Http404
    return listing


def listing_for_edit(*, user, listing_id: int) -> Listing:
    """404 for drafts others cannot see; 404 also for others' listings (no probing)."""
    listing = _with_relations(Listing.objects.filter(pk=listing_id)).first()
    if listing is None or not can_edit(user, listing):
        raise Http404
    return listing


def listings_of_unit(*, unit):
    return _with_relations(Listing.objects.filter(owner_unit=unit)).order_by("-created_at")


def listing_history(*, listing: Listing):
    return ListingEvent.objects.filter(listing=listing).select_related("actor")


def listings_for_labels(*, user, ids: list[int]) -> list[Listing]:
    listings = Listing.objects.filter(pk__in=ids).select_related("owner_unit").order_by("pk")
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
