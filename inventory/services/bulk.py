"""Bulk work in "Our listings": one action on many listings at once, all or nothing.

Here in inventory because one of the actions (send to the warehouse) is inventory's, and
inventory may import listings but not the other way round (.importlinter).

Each listing goes through the same service as on its own page, so every rule keeps its one
home. The calls run in one transaction: each service's own atomic block becomes a
savepoint, so a refusal undoes that listing's partial work while the rest are still tried
(to name every listing that fails), and then the whole batch is rolled back. Live events
are published on commit, so a refused batch sends none.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kierratys.common.errors import Conflict, NotFound, ServiceError
from kierratys.common.limits import MAX_BULK_LISTINGS
from listings.models import Listing
from listings.permissions import can_edit
from listings.projects.selectors import projects_for_actor
from listings.projects.services import project_listings_add
from listings.services import listing_update, listing_withdraw

from .intake import intake_request

MAX_BATCH = MAX_BULK_LISTINGS  # per request: one transaction holds all their row locks


class Action(TextChoices):
    WITHDRAW = "withdraw"
    EXTEND = "extend"
    LABELS = "labels"
    WAREHOUSE = "warehouse"
    PROJECT = "project"


class BatchRefused(Conflict):
    """Some listings refused the action, so nothing was changed. `failures` names each one
    with its reasons, in the order of the listings."""

    def __init__(self, failures: list[tuple[Listing, list[str]]], total: int):
        self.failures = failures
        self.total = total
        super().__init__([message for _listing, reasons in failures for message in reasons])


def _checked_ids(listing_ids) -> list[int]:
    ids = sorted(set(listing_ids))
    if not ids:
        raise ServiceError(_("Choose at least one listing."))
    if len(ids) > MAX_BATCH:
        raise ServiceError(
            _("You can choose at most %(max)d listings at a time. Nothing was changed.")
            % {"max": MAX_BATCH}
        )
    return ids


def _owned(actor, listings: list[Listing], ids: list[int]) -> list[Listing]:
    # Another unit's or organisation's id anywhere in the batch: the whole request is a 404,
    # as for one such listing, so nothing can be probed.
    if len(listings) != len(ids) or not all(can_edit(actor, listing) for listing in listings):
        raise NotFound
    return listings


def listings_for_bulk(*, actor, listing_ids) -> list[Listing]:
    """The chosen listings (read only, e.g. to print their labels), by id; NotFound unless
    the actor may work on every one of them."""
    ids = _checked_ids(listing_ids)
    listings = list(Listing.objects.filter(pk__in=ids).select_related("owner_unit").order_by("pk"))
    return _owned(actor, listings, ids)


def _extend(*, actor, listing: Listing, last_day: date) -> None:
    if listing.status == Listing.Status.ARCHIVED:
        raise Conflict(_("This item is archived."))
    if last_day < listing.available_until:  # extending never shortens anyone's time
        raise Conflict(
            _("It is already available until %(day)s, later than the day you chose.")
            % {"day": date_format(listing.available_until, "SHORT_DATE_FORMAT")}
        )
    listing_update(actor=actor, listing_id=listing.pk, fields={"available_until": last_day})


def _project_step(actor, project_id):
    if project_id is None:
        raise ServiceError({"project": _("Choose the project to move the listings to.")})
    if not projects_for_actor(actor=actor).filter(pk=project_id).exists():
        raise NotFound  # another unit's or organisation's project, as for its own page
    return lambda actor, listing: project_listings_add(
        actor=actor, project_id=project_id, listing_ids=[listing.pk]
    )


def _step(action: str, *, last_day, actor=None, project_id=None):
    if action == Action.WITHDRAW:
        return lambda actor, listing: listing_withdraw(actor=actor, listing_id=listing.pk)
    if action == Action.EXTEND:
        if last_day is None or last_day < timezone.localdate():
            raise ServiceError({"last_day": _("Choose the new last day: today or later.")})
        return lambda actor, listing: _extend(actor=actor, listing=listing, last_day=last_day)
    if action == Action.WAREHOUSE:
        return lambda actor, listing: intake_request(actor=actor, listing_id=listing.pk)
    if action == Action.PROJECT:
        return _project_step(actor, project_id)
    raise ServiceError({"action": _("Choose what to do with the selected listings.")})


def listings_bulk_apply(
    *, actor, action: str, listing_ids, last_day: date | None = None, project_id=None
) -> int:
    """Withdraw, extend to `last_day`, send to the warehouse or move into the project
    `project_id` every chosen listing, or none of them. Returns how many were done; raises
    BatchRefused naming each listing that refused (nothing changed), NotFound if any (or
    the project) is not the actor's to work on."""
    ids = _checked_ids(listing_ids)
    step = _step(action, last_day=last_day, actor=actor, project_id=project_id)
    failures = []
    with transaction.atomic():
        # Locked in id order, as each service locks its own again: two batches at once
        # wait for each other instead of deadlocking.
        locked = list(Listing.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        listings = _owned(actor, locked, ids)
        for listing in listings:
            try:
                step(actor, listing)
            except ValidationError as error:
                failures.append((listing, error.messages))
            except (PermissionDenied, NotFound, Listing.DoesNotExist):
                failures.append((listing, [_("You cannot do this with this listing.")]))
        if failures:
            raise BatchRefused(failures, total=len(listings))  # rolls the whole batch back
    return len(listings)
