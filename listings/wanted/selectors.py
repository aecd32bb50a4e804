"""Read side of wanted requests. Who sees one is listings.audience's rule, as for listings."""

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from kierratys.common.errors import NotFound
from listings import audience, choices

from .models import WantedAnswer, WantedRequest
from .permissions import can_answer, can_manage, can_view

PAGE_SIZE = 20
OWN_SHOWN = 20  # the unit's own requests, newest first, on the list page
NOTE_SECONDS = 60  # the catalogue's "N requests want this", kept in the shared cache


def _with_relations(queryset):
    return queryset.select_related("category", "unit", "unit__department").annotate(
        answer_count=Count("answers")
    )


def open_requests(viewer, now=None):
    """The open requests the viewer may see (status, expiry and stage)."""
    now = now or timezone.now()
    return WantedRequest.objects.filter(
        audience.visible_q(viewer), status=WantedRequest.Status.OPEN, expires_at__gt=now
    )


def wanted_page(*, user, category_id: int | None, page_number):
    """The wanted list: others' open requests the user may see, newest first."""
    viewer = audience.viewer_of(user)
    queryset = open_requests(viewer)
    if user.unit_id is not None:
        queryset = queryset.exclude(unit_id=user.unit_id)
    if category_id is not None:
        queryset = queryset.filter(category_id__in=choices.category_with_descendants(category_id))
    queryset = _with_relations(queryset).order_by("-created_at", "-pk")
    return Paginator(queryset, PAGE_SIZE).get_page(page_number)


def wanted_of_unit(*, user) -> list[WantedRequest]:
    """The unit's own requests, and those the user posted on behalf of other units."""
    if user.unit_id is None:
        return []
    own = Q(unit_id=user.unit_id) | Q(poster_id=user.pk, on_behalf=True)
    return list(
        _with_relations(WantedRequest.objects.filter(own).select_related("poster")).order_by(
            "-created_at", "-pk"
        )[:OWN_SHOWN]
    )


def wanted_for_view(*, user, request_id: int) -> WantedRequest:
    """404 for a request the user may not see: another organisation's, or one whose stage
    does not reach them (no probing)."""
    wanted = (
        WantedRequest.objects.filter(pk=request_id)
        .select_related("category", "unit", "unit__department", "poster")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=WantedAnswer.objects.select_related("listing", "unit").order_by(
                    "created_at", "pk"
                ),
            )
        )
        .first()
    )
    if wanted is None or not can_view(user, wanted):
        raise NotFound
    wanted.can_manage = can_manage(user, wanted)
    wanted.can_answer = can_answer(user, wanted) and wanted.expires_at > timezone.now()
    # Answers a viewer may open: a draft only its own unit sees (listings' rule).
    wanted.shown_answers = [
        answer
        for answer in wanted.answers.all()
        if answer.listing.status != answer.listing.Status.DRAFT or answer.unit_id == user.unit_id
    ]
    return wanted


def wanted_count_for_category(*, user, category_id: int | None) -> int:
    """The catalogue's "N requests want this" for a category filter: open requests the user
    may see for the category or one inside it, not the user's own unit's. From the shared
    cache for a minute, so the catalogue's queries stay as they were."""
    if category_id is None or getattr(user, "unit_id", None) is None:
        return 0
    viewer = audience.viewer_of(user)
    key = (
        f"wanted-count:{viewer.organisation_id}:{viewer.department_id}:{user.unit_id}:{category_id}"
    )
    count = cache.get(key)
    if count is None:
        count = (
            open_requests(viewer)
            .filter(category_id__in=choices.category_with_descendants(category_id))
            .exclude(unit_id=user.unit_id)
            .count()
        )
        cache.set(key, count, NOTE_SECONDS)
    return count
