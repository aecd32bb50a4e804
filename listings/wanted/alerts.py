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
    listing = Listing.objects.filter(pk=listing_id).first()
    if listing is None or listing.status != Listing.Status.PUBLISHED:
        return 0
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
        .select_related("poster__unit__department", "category")
        .order_by("pk")
    )
    told = 0
    for wanted in candidates.filter(pk__in=answered):
        if listing_matches(wanted.poster, "", listing_id):  # it can be seen and reserved
            _tell(wanted, listing, answer=True)
            told += 1
    matching = candidates.exclude(pk__in=answered).filter(
        category_id__in=_categories_above(listing.category_id)
    )
    for wanted in matching.iterator():
        if listing_matches(wanted.poster, f"category={wanted.category_id}", listing_id):
            _tell(wanted, listing, answer=False)
            told += 1
    return told


def _tell(wanted: WantedRequest, listing: Listing, *, answer: bool) -> None:
    url = reverse("listings:detail", args=[listing.pk])
    with transaction.atomic():
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
