"""A published listing that matches an open wanted request tells its poster: run by the
worker after the publishing transaction commits, like saved-search alerts (listings.alerts),
whose matcher decides here too, so a notice equals what the poster would find in the
catalogue filtered by the request's category."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from kierratys import live
from kierratys.accounts.models import Notice
from kierratys.common import mail
from listings import audience
from listings.alerts import listing_matches
from listings.models import Category, Listing

from .models import WantedAnswer, WantedRequest


def _categories_above(category_id: int) -> list[int]:
    """A request for a category matches listings in it and in its subcategories: the
    listing's category and those above it (at most three levels)."""
    row = (
        Category.objects.filter(pk=category_id)
        .values_list("pk", "parent_id", "parent__parent_id")
        .first()
    )
    return [pk for pk in row or () if pk is not None]


@task()
def match_wanted_requests(listing_id: int) -> int:
    return _match(listing_id, before=None)


@task()
def match_wanted_requests_widened(listing_id: int, before: str) -> int:
    """The listing's audience widened from `before` (the periodic stage advance, or its
    owner's "show it wider now"): the posters of open matching requests whose unit the
    wider stage shows it to for the first time are told, as saved searches' owners are
    (listings.services.audience.match_saved_searches_widened); those who saw it before
    were told when it was published."""
    return _match(listing_id, before=before)


def _match(listing_id: int, *, before: str | None) -> int:
    """Tell the posters of open requests the listing matches, as their requesting unit
    sees it (a request posted on behalf of a unit is that unit's need)."""
    listing = Listing.objects.filter(pk=listing_id).first()
    if listing is None or listing.status != Listing.Status.PUBLISHED:
        return 0
    earlier = (
        Listing(
            audience=before,
            department_id=listing.department_id,
            organisation_id=listing.organisation_id,
        )
        if before is not None
        else None
    )

    def matches(wanted, query: str) -> bool:
        viewer = audience.viewer_for_unit(wanted.unit)
        if earlier is not None and audience.sees(viewer, earlier):
            return False  # shown to them before, and told then
        return listing_matches(wanted.poster, query, listing_id, viewer=viewer)

    answered = set(
        WantedAnswer.objects.filter(listing_id=listing_id).values_list("request_id", flat=True)
    )
    candidates = (
        WantedRequest.objects.filter(
            status=WantedRequest.Status.OPEN,
            expires_at__gt=timezone.now(),
            poster__is_active=True,
        )
        .exclude(unit_id=listing.owner_unit_id)  # nobody needs telling of their own items
        .select_related("unit__department", "category", "poster")
        .order_by("pk")
    )
    told = 0
    for wanted in candidates.filter(pk__in=answered):
        if matches(wanted, "") and _tell(wanted, listing, answer=True):  # seen and reservable
            told += 1
    matching = candidates.exclude(pk__in=answered).filter(
        category_id__in=_categories_above(listing.category_id)
    )
    for wanted in matching.iterator():
        if matches(wanted, f"category={wanted.category_id}") and _tell(
            wanted, listing, answer=False
        ):
            told += 1
    return told


def _told_before(wanted: WantedRequest, url: str) -> bool:
    """A poster hears of a listing once per request: an answer published and widened to
    them in one transaction queues both matchers, and a listing may widen again later."""
    return Notice.objects.filter(
        user_id=wanted.poster_id,
        kind__in=[Notice.Kind.WANTED_ANSWER, Notice.Kind.WANTED_MATCH],
        url=url,
        params__request_id=wanted.pk,
    ).exists()


def _tell(wanted: WantedRequest, listing: Listing, *, answer: bool) -> bool:
    url = reverse("listings:detail", args=[listing.pk])
    with transaction.atomic():
        # The request's row is locked while its notices are looked at: two workers telling
        # of one listing at the same moment would otherwise both find none and both tell.
        if not WantedRequest.objects.select_for_update().filter(pk=wanted.pk).exists():
            return False  # deleted meanwhile
        if _told_before(wanted, url):
            return False
        Notice.objects.create(
            user=wanted.poster,
            kind=Notice.Kind.WANTED_ANSWER if answer else Notice.Kind.WANTED_MATCH,
            params={"request": wanted.summary, "title": listing.title, "request_id": wanted.pk},
            url=url,
        )
        live.publish(
            [live.user_group(wanted.poster_id)],
            "wanted.match",
            {"request_id": wanted.pk, "listing_id": listing.pk, "title": listing.title},
        )
        mail.send_later(
            to=wanted.poster.email,
            template="wanted_match",
            context={
                "request": wanted.summary,
                "answer": answer,
                "title": listing.title,
                "code": listing.code,
                "url": settings.SITE_URL + url,
                "request_url": settings.SITE_URL + wanted.get_absolute_url(),
            },
            language=wanted.poster.language or None,
        )
    return True
