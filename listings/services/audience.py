"""Audience stages over time: the periodic job that widens them, and the owner's own choice.

The rule of who sees what is `listings.audience`; here only the moves between stages.
Each move locks the listing's row, so a reservation running at the same moment sees the
stage either before or after the move, never half of it, and only the audience columns
are written (the reservation's decrease of `quantity_available` is never overwritten).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from kierratys.accounts.models import Notice, User
from kierratys.common import mail

from .. import audience, history, hooks
from ..events import listing_announce
from ..models import Listing
from ..permissions import can_edit

Audience = Listing.Audience
BATCH = 500  # due listings read at a time; each is then moved in a transaction of its own
END_NOTICE = "audience_ended"  # Notice.kind of "the last stage ended, decide"
MAILED_AT_MOST = 3  # the unit's people mailed when the listing's creator has left

WIDENED, HELD, RELEASED = history.AUDIENCE_WIDENED, history.AUDIENCE_HELD, history.AUDIENCE_RELEASED

_SAVED = ("audience", "audience_widens_at", "updated_at")


def listings_audience_advance(*, now=None) -> int:
    """Move every published listing whose stage is over on to its next one (stages of 0
    days are passed through). Returns how many moved."""
    now = now or timezone.now()
    due = Listing.objects.filter(
        status=Listing.Status.PUBLISHED, audience_widens_at__lte=now
    ).order_by("pk")
    moved, after = 0, 0
    while True:
        ids = list(due.filter(pk__gt=after).values_list("pk", flat=True)[:BATCH])
        for listing_id in ids:
            moved += _advance_one(listing_id, now)
        if len(ids) < BATCH:
            return moved
        after = ids[-1]


def _advance_one(listing_id: int, now) -> int:
    with transaction.atomic():
        listing = (
            Listing.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("organisation", "owner_unit", "created_by")
            .filter(pk=listing_id, status=Listing.Status.PUBLISHED, audience_widens_at__lte=now)
            .first()
        )
        if listing is None:  # moved meanwhile, or locked: the next round takes it
            return 0
        before = listing.audience
        listing.audience, listing.audience_widens_at = audience.stage_from(
            listing.organisation, audience.next_stage(before), now
        )
        listing.save(update_fields=_SAVED)
        _record_move(listing, actor=None, before=before)
        return 1


def _record_move(listing: Listing, *, actor, before: str) -> None:
    history.record(
        listing=listing,
        actor=actor,
        kind=WIDENED,
        changes={"from": before, "to": listing.audience},
    )
    listing_announce(listing, audience_before=before)
    if listing.audience == Audience.ENDED:
        _tell_owners_it_ended(listing)
    else:
        match_saved_searches_widened.enqueue(listing.pk, before)
        hooks.audience_widened(listing=listing, before=before)


def _decision_url(listing: Listing) -> str:
    """The owner's page for deciding what happens to what is left."""
    return reverse("listings:end_of_life", args=[listing.pk])


def _tell_owners_it_ended(listing: Listing) -> None:
    """A notice for each of the owner unit's people, and the same mail as the expiry
    question's (the creator, or a few of the unit's people when the creator has left)."""
    if listing.quantity_available == 0:
        return  # everything is reserved: nothing is left to decide about
    people = list(User.objects.filter(unit_id=listing.owner_unit_id, is_active=True))
    url = _decision_url(listing)
    Notice.objects.bulk_create(
        Notice(
            user=person,
            kind=END_NOTICE,
            params={"title": listing.title, "code": listing.code},
            url=url,
        )
        for person in people
    )
    creator = listing.created_by
    mailed = [creator] if creator.is_active and creator.unit_id == listing.owner_unit_id else []
    for person in mailed or people[:MAILED_AT_MOST]:
        mail.send_later(
            to=person.email,
            template="audience_ended",
            context={"title": listing.title, "code": listing.code, "url": settings.SITE_URL + url},
            language=person.language or None,
        )


@task()
def match_saved_searches_widened(listing_id: int, before: str) -> int:
    """Saved-search alerts for the people the wider stage shows the listing to for the
    first time; those who saw it before were told when it was published (and a search is
    told of a listing once: listings.alerts.alert)."""
    from .. import alerts
    from ..models import SavedSearch

    listing = Listing.objects.filter(pk=listing_id).first()
    if listing is None or listing.status != Listing.Status.PUBLISHED:
        return 0
    earlier = Listing(
        audience=before,
        department_id=listing.department_id,
        organisation_id=listing.organisation_id,
    )
    searches = (
        SavedSearch.objects.filter(user__is_active=True)
        .exclude(user__unit_id=listing.owner_unit_id)
        .select_related("user__unit__department")
    )
    matched = 0
    for saved in searches.exclude(alerted__listing_id=listing_id).iterator():
        if audience.sees(audience.viewer_of(saved.user), earlier):
            continue
        if alerts.matches(saved, listing_id) and alerts.alert(saved.pk, listing):
            matched += 1
    return matched


def _refuse(message: str):
    return ValidationError(message, code="audience")


def listing_audience_set(*, actor, listing_id: int, audience: str, hold: bool) -> Listing:
    """The owner widens the audience now, holds it where it is, or lets it widen again.

    `audience` later than the current stage widens to it (held there when `hold`); the
    current stage with `hold` keeps it there, without it restarts that stage's timer.
    Never narrower: someone who sees it now may be reserving it."""
    from .. import audience as stages  # the argument's name hides the module

    with transaction.atomic():
        listing = (
            Listing.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .filter(pk=listing_id)
            .first()
        )
        if listing is None:
            raise Listing.DoesNotExist
        if not can_edit(actor, listing):
            raise PermissionDenied
        current = listing.audience
        _validate_choice(listing, audience)
        now = timezone.now()
        order = stages.STAGES.index
        if order(audience) > order(current):
            if hold:
                listing.audience, listing.audience_widens_at = audience, None
            else:
                listing.audience, listing.audience_widens_at = stages.stage_from(
                    listing.organisation, audience, now
                )
            listing.save(update_fields=_SAVED)
            _record_move(listing, actor=actor, before=current)
            if hold:
                history.record(listing=listing, actor=actor, kind=HELD)
            return listing
        if hold:
            if listing.audience_widens_at is None:
                return listing  # already held
            listing.audience_widens_at = None
            listing.save(update_fields=_SAVED)
            history.record(listing=listing, actor=actor, kind=HELD)
            listing_announce(listing)
            return listing
        if listing.audience_widens_at is not None:
            return listing  # not held: it widens on schedule already
        listing.audience, listing.audience_widens_at = stages.stage_from(
            listing.organisation, current, now
        )
        listing.save(update_fields=_SAVED)
        history.record(listing=listing, actor=actor, kind=RELEASED)
        if listing.audience != current:  # its stage lasts 0 days here: passed at once
            _record_move(listing, actor=actor, before=current)
        else:
            listing_announce(listing)
        return listing


def _validate_choice(listing: Listing, chosen: str) -> None:
    order = audience.STAGES.index
    if listing.status != Listing.Status.PUBLISHED:
        raise _refuse(_("Only a published listing's audience can be changed."))
    if listing.audience == Audience.ENDED:
        raise _refuse(_("Its last stage has ended. Decide what happens to the item instead."))
    if chosen not in audience.STAGES or chosen == Audience.ENDED:
        raise _refuse(_("Choose who may see the listing."))
    if order(chosen) > order(listing.audience) and not audience.stage_days(
        listing.organisation, chosen
    ):
        raise _refuse(_("Your organisation does not use that stage."))
    if order(chosen) < order(listing.audience):
        raise _refuse(
            _(
                "The listing is already visible to %(audience)s. It cannot be narrowed: "
                "someone may be reserving it."
            )
            % {"audience": audience_phrase(listing.audience)}
        )


def audience_phrase(stage: str) -> str:
    """Who a stage past the department shows the listing to, as words inside a sentence
    (only those stages can be narrowed, so only they are refused)."""
    if stage == Audience.ORGANISATION:
        return _("the whole organisation")
    return _("the whole organisation and its partners")
