"""Write side of wanted requests: post, close, answer with a listing, expire, and tell the
poster of listings that match (issue 20, item 2).

"Offered to that unit first": an answer starts as a draft of the answering unit, linked to
the request. When it is published, its poster is told at once (before saved-search
alerts' hourly mail), and if its stage would not show it to the requesting unit yet, it
widens at once to the first stage that does (listing_audience_set, the owner's own
"show it wider now"), so the requester can reserve it with one click from the notice.
"""

from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kierratys import live
from kierratys.accounts.roles import belongs_to_unit, unit_acted_for
from kierratys.common.errors import Conflict, NotFound, ServiceError
from kierratys.common.limits import MAX_QUANTITY
from listings import audience
from listings.models import Category, Listing
from listings.services import listing_audience_set, listing_create

from .errors import WantedError
from .models import MAX_WANTED_TEXT, WANTED_AUDIENCES, WANTED_DAYS, WantedAnswer, WantedRequest
from .permissions import can_answer, can_manage

MAX_AHEAD_DAYS = 365  # needed by at most a year ahead
TITLE_LENGTH = 120  # Listing.title's max_length

POSTED_FIELDS = ("category", "quantity", "details", "needed_by", "audience")


def _validate(fields: dict, today) -> dict:
    details = (fields.get("details") or "").strip()
    category = fields.get("category")
    quantity = fields.get("quantity")
    needed_by = fields.get("needed_by")
    errors = {}
    if category is None and not details:
        errors["category"] = ServiceError(
            _("Choose a category or describe what you need."), code=WantedError.EMPTY
        )
    if category is not None and not isinstance(category, Category):
        errors["category"] = _("Choose a category from the list.")
    if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
        errors["quantity"] = _("Quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY}
    if len(details) > MAX_WANTED_TEXT:
        errors["details"] = _("Write at most %(max)d characters.") % {"max": MAX_WANTED_TEXT}
    if needed_by is not None and needed_by < today:
        errors["needed_by"] = _("The date has passed. Choose today or a later day.")
    elif needed_by is not None and needed_by > today + timedelta(days=MAX_AHEAD_DAYS):
        errors["needed_by"] = _("Choose a day within a year.")
    if fields.get("audience") not in WANTED_AUDIENCES:
        errors["audience"] = _("Choose who may see the request.")
    if errors:
        raise ServiceError(errors)
    return {**fields, "details": details}


def expiry_for(needed_by, now) -> datetime:
    """The end of the needed-by day, else WANTED_DAYS from now."""
    if needed_by is None:
        return now + timedelta(days=WANTED_DAYS)
    end_of_day = datetime.combine(needed_by + timedelta(days=1), time.min)
    return timezone.make_aware(end_of_day)


def wanted_post(*, actor, fields: dict, for_unit_id: int | None = None, unit=None) -> WantedRequest:
    """A unit posts what it needs. Nothing is written when any field is refused.

    The actor's own unit, or (`for_unit_id`, issue 20 item 4) another unit of their
    organisation when they are warehouse staff or a coordinator: the request is then that
    unit's own, recorded as posted on its behalf. Any other unit is 404
    (kierratys.accounts.roles.unit_acted_for). `unit` is the older way of naming the
    actor's own unit and must be it."""
    if for_unit_id is None and unit is not None:
        for_unit_id = unit.pk
    if actor.unit_id is None and for_unit_id is None:
        raise ServiceError(
            _("Your account is not linked to a unit. Contact support."), code=WantedError.NO_UNIT
        )
    on_behalf = for_unit_id is not None and not belongs_to_unit(actor, for_unit_id)
    unit = unit_acted_for(actor, for_unit_id)
    fields = _validate({name: fields.get(name) for name in POSTED_FIELDS}, timezone.localdate())
    now = timezone.now()
    with transaction.atomic():
        wanted = WantedRequest.objects.create(
            organisation_id=unit.department.organisation_id,
            department_id=unit.department_id,
            unit=unit,
            poster=actor,
            on_behalf=on_behalf,
            expires_at=expiry_for(fields["needed_by"], now),
            **fields,
        )
        _announce(wanted, "wanted.posted")
    return wanted


def _lock(request_id: int) -> WantedRequest:
    wanted = (
        WantedRequest.objects.select_for_update(of=("self",))
        .select_related("category", "unit")
        .filter(pk=request_id)
        .first()
    )
    if wanted is None:
        raise NotFound
    return wanted


def _refuse_closed(wanted: WantedRequest, now) -> None:
    if wanted.status != WantedRequest.Status.OPEN or wanted.expires_at <= now:
        raise Conflict(_("This request is no longer open."), code=WantedError.NOT_OPEN)


def wanted_close(*, actor, request_id: int, fulfilled: bool) -> WantedRequest:
    """The requesting unit got what it needed (fulfilled), or needs it no more."""
    with transaction.atomic():
        wanted = _lock(request_id)
        if not can_manage(actor, wanted):
            if audience.sees(audience.viewer_of(actor), wanted):
                raise PermissionDenied
            raise NotFound
        if wanted.status != WantedRequest.Status.OPEN:
            raise Conflict(_("This request is no longer open."), code=WantedError.NOT_OPEN)
        wanted.status = WantedRequest.Status.FULFILLED if fulfilled else WantedRequest.Status.CLOSED
        wanted.closed_at = timezone.now()
        wanted.closed_by = actor
        wanted.save(update_fields=["status", "closed_at", "closed_by"])
        _announce(wanted, "wanted.closed")
    return wanted


def wanted_fulfil_by_reservation(*, listing_id: int, unit_id: int, actor) -> WantedRequest | None:
    """The requesting unit now holds (an active reservation of) a listing made in answer to
    its own open request: the request is closed as fulfilled, by the one who reserved
    (reservations call this when a reservation becomes active, in its transaction). None
    when the listing answers no open request of that unit."""
    with transaction.atomic():
        wanted = (
            WantedRequest.objects.select_for_update(of=("self",))
            .filter(
                answers__listing_id=listing_id, unit_id=unit_id, status=WantedRequest.Status.OPEN
            )
            .first()
        )
        if wanted is None:
            return None
        wanted.status = WantedRequest.Status.FULFILLED
        wanted.closed_at = timezone.now()
        wanted.closed_by = actor
        wanted.save(update_fields=["status", "closed_at", "closed_by"])
        _announce(wanted, "wanted.closed")
    return wanted


def _listing_title(wanted: WantedRequest, category: Category) -> str:
    first_line = next((line.strip() for line in wanted.details.splitlines() if line.strip()), "")
    return (first_line or category.name)[:TITLE_LENGTH]


def wanted_answer(*, actor, request_id: int, category: Category | None = None) -> Listing:
    """ "I have this": a draft listing of the actor's unit, prefilled from the request and
    linked to it. Its owner checks it, adds photos and publishes it; the poster is told
    then (wanted_listing_published)."""
    with transaction.atomic():
        wanted = _lock(request_id)
        viewer = audience.viewer_of(actor)
        if not audience.sees(viewer, wanted) and not can_manage(actor, wanted):
            raise NotFound
        _refuse_closed(wanted, timezone.now())
        if not can_answer(actor, wanted):
            raise Conflict(_("This is your own unit's request."), code=WantedError.OWN_REQUEST)
        category = wanted.category or category
        if category is None:
            raise ServiceError(
                {"category": _("Choose the category of what you have.")},
                code=WantedError.EMPTY,
            )
        description = wanted.details
        listing = listing_create(
            actor=actor,
            unit=actor.unit,
            fields={
                "title": _listing_title(wanted, category),
                "description": description,
                "category": category,
                "condition": Listing.Condition.GOOD,
                "quantity": wanted.quantity,
            },
            publish=False,
        )
        WantedAnswer.objects.create(
            request=wanted, listing=listing, unit_id=actor.unit_id, created_by=actor
        )
    return listing


def wanted_listing_published(*, listing: Listing, actor) -> None:
    """In the publishing transaction (listings.hooks.listing_published): an answer is
    shown to its requesting unit at once; the worker then tells the posters of open
    requests it matches, after commit."""
    from .alerts import match_wanted_requests

    answer = (
        WantedAnswer.objects.filter(listing_id=listing.pk)
        .select_related("request__unit__department")
        .first()
    )
    if answer is not None and answer.request.is_open:
        _show_to_requester(listing, answer.request, actor)
    match_wanted_requests.enqueue(listing.pk)


def wanted_listing_widened(*, listing: Listing, before: str) -> None:
    """In the transaction that widens a listing's audience (listings.hooks
    .audience_widened): after commit the worker tells the posters of open requests whose
    unit the wider stage shows it to for the first time."""
    from .alerts import match_wanted_requests_widened

    match_wanted_requests_widened.enqueue(listing.pk, before)


def _show_to_requester(listing: Listing, wanted: WantedRequest, actor) -> None:
    requester = audience.viewer_for_unit(wanted.unit)
    for stage in audience.STAGES[audience.STAGES.index(listing.audience) :]:
        probe = Listing(
            audience=stage,
            department_id=listing.department_id,
            organisation_id=listing.organisation_id,
        )
        if stage == Listing.Audience.ENDED:
            return  # no stage shows it to them (a partnership ended meanwhile)
        if audience.sees(requester, probe):
            break
    if stage == listing.audience:
        return
    try:
        widened = listing_audience_set(
            actor=actor, listing_id=listing.pk, audience=stage, hold=False
        )
    except (ValidationError, PermissionDenied):
        return  # the organisation skips that stage: it widens on its own schedule
    listing.audience, listing.audience_widens_at = widened.audience, widened.audience_widens_at


def wanted_requests_expire(*, now=None) -> int:
    """The periodic job: open requests past their day expire. Returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            WantedRequest.objects.select_for_update(skip_locked=True)
            .filter(status=WantedRequest.Status.OPEN, expires_at__lte=now)
            .order_by("pk")[:500]
        )
        for wanted in due:
            wanted.status = WantedRequest.Status.EXPIRED
            wanted.closed_at = now
        WantedRequest.objects.bulk_update(due, ["status", "closed_at"])
        for wanted in due:
            _announce(wanted, "wanted.closed")
    return len(due)


def _groups(wanted: WantedRequest) -> list[str]:
    """The live groups of those the request's stage shows it to (as for a listing)."""
    return audience.groups_for(
        Listing(
            audience=wanted.audience,
            status=Listing.Status.PUBLISHED,
            department_id=wanted.department_id,
            organisation_id=wanted.organisation_id,
            owner_unit_id=wanted.unit_id,
        )
    )


def _announce(wanted: WantedRequest, event: str) -> None:
    live.publish(
        _groups(wanted),
        event,
        {"id": wanted.pk, "status": wanted.status},
        key=f"wanted:{wanted.pk}",
    )
