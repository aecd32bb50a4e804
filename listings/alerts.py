"""Saved-search alerts, run by the worker after the publishing transaction commits.

A match gives an in-app notice and a live `search.match` event at once. Email goes out
at most once an hour per saved search; matches in between are bundled into one digest.
A search is told of a listing once, however many matchers ask (SavedSearchAlert).
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from kierratys import live
from kierratys.accounts.models import Notice
from kierratys.common import mail

from . import audience
from .filters import CatalogueFilter, visible_listings
from .models import Listing, SavedSearch, SavedSearchAlert

EMAIL_INTERVAL = timedelta(hours=1)
UNSUBSCRIBE_SALT = "listings.saved-search.unsubscribe"


def unsubscribe_token(saved: SavedSearch) -> str:
    return signing.dumps(saved.pk, salt=UNSUBSCRIBE_SALT)


def saved_search_for_token(token: str) -> SavedSearch | None:
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return SavedSearch.objects.filter(pk=pk).first()


def matches(saved: SavedSearch, listing_id: int) -> bool:
    return listing_matches(saved.user, saved.query, listing_id)


def listing_matches(user, query: str, listing_id: int, *, viewer=None) -> bool:
    """The catalogue's own FilterSet decides, so an alert equals what the user would see
    with that query (saved searches; wanted requests by their category). `viewer`: whose
    stage decides, when not the user's own (a wanted request posted for another unit)."""
    viewer = viewer or audience.viewer_of(user)
    candidates = visible_listings(viewer).filter(pk=listing_id)
    filterset = CatalogueFilter(QueryDict(query), queryset=candidates, viewer=viewer)
    return filterset.qs.exists()


@task()
def match_saved_searches(listing_id: int) -> int:
    listing = Listing.objects.select_related("owner_unit").filter(pk=listing_id).first()
    if listing is None or listing.status != Listing.Status.PUBLISHED:
        return 0
    searches = (
        SavedSearch.objects.filter(user__is_active=True)
        .exclude(user__unit_id=listing.owner_unit_id)  # nobody needs alerts for their own items
        .select_related("user__unit__department")
    )
    matched = 0
    # Those told of it already are skipped before the matcher runs; alert() decides.
    for saved in searches.exclude(alerted__listing_id=listing_id).iterator():
        if matches(saved, listing_id) and alert(saved.pk, listing):
            matched += 1
    return matched


def _listing_url(listing: Listing) -> str:
    return reverse("listings:detail", args=[listing.pk])


def alert(saved_id: int, listing: Listing) -> bool:
    """Tell the search's owner of `listing`, at most once per search and listing: publishing
    and widening its audience (at once, as an answer to a wanted request does) each queue
    a matcher. False when told before, or the search is gone."""
    with transaction.atomic():
        saved = (
            SavedSearch.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=saved_id)
            .first()
        )
        if saved is None or saved.alerted.filter(listing_id=listing.pk).exists():
            return False
        SavedSearchAlert.objects.create(saved_search=saved, listing=listing)
        Notice.objects.create(
            user=saved.user,
            kind=Notice.Kind.SEARCH_MATCH,
            params={"search": saved.name, "title": listing.title},
            url=_listing_url(listing),
        )
        live.publish(
            [live.user_group(saved.user_id)],
            "search.match",
            {"search_id": saved.pk, "listing_id": listing.pk, "title": listing.title},
        )
        if not saved.alerts_enabled:
            return True
        now = timezone.now()
        if saved.last_emailed_at is None or now - saved.last_emailed_at >= EMAIL_INTERVAL:
            _email(saved, [listing])
            saved.last_emailed_at = now
        else:
            saved.pending_listing_ids = [*saved.pending_listing_ids, listing.pk]
            if not saved.digest_scheduled:
                send_digest.using(run_after=saved.last_emailed_at + EMAIL_INTERVAL).enqueue(
                    saved.pk
                )
                saved.digest_scheduled = True
        saved.save(update_fields=["last_emailed_at", "pending_listing_ids", "digest_scheduled"])
        return True


@task()
def send_digest(saved_id: int) -> int:
    """The bundled email: everything that matched since the last one, still available."""
    with transaction.atomic():
        saved = (
            SavedSearch.objects.select_for_update(of=("self",))
            .select_related("user__unit__department")
            .filter(pk=saved_id)
            .first()
        )
        if saved is None:
            return 0
        viewer = audience.viewer_of(saved.user)
        listings = list(
            visible_listings(viewer).filter(pk__in=saved.pending_listing_ids).order_by("pk")
        )
        if listings and saved.alerts_enabled and saved.user.is_active:
            _email(saved, listings)
            saved.last_emailed_at = timezone.now()
        saved.pending_listing_ids = []
        saved.digest_scheduled = False
        saved.save(update_fields=["last_emailed_at", "pending_listing_ids", "digest_scheduled"])
        return len(listings)


def _email(saved: SavedSearch, listings: list[Listing]) -> None:
    unsubscribe_url = settings.SITE_URL + reverse(
        "listings:search_unsubscribe", args=[unsubscribe_token(saved)]
    )
    mail.send_later(
        to=saved.user.email,
        template="search_match",
        context={
            "search_name": saved.name,
            "items": [
                {"code": x.code, "title": x.title, "url": settings.SITE_URL + _listing_url(x)}
                for x in listings
            ],
            "search_url": settings.SITE_URL + reverse("listings:catalogue") + "?" + saved.query,
            "unsubscribe_url": unsubscribe_url,
        },
        language=saved.user.language or None,
        # RFC 8058: the mail client unsubscribes in one click, by a POST to the same URL.
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
