"""Disposal of what nobody wants, and asking owners about listings past their last day."""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kierratys.accounts.models import User
from kierratys.common import mail
from kierratys.common.errors import Conflict, NotFound, ServiceError
from listings import history
from listings.events import listing_announce
from listings.models import Listing
from listings.permissions import can_edit
from listings.services import listing_archive_when_gone
from reservations import services as reservation_services

from ..models import (
    OPEN_STATUSES,
    Task,
)
from .tasks import (
    FINISH_FIELDS,
    _announce,
    _finish,
    _lock_task,
    _move,
    _require_warehouse,
    default_warehouse,
)


def disposal_request(*, actor, listing_id: int, quantity: int, reason: str) -> Task:
    """Dispose of what nobody wants. Reserved items are never disposed of."""
    _require_warehouse(actor)
    if reason not in Task.DisposalReason.values:
        raise ServiceError({"reason": _("Choose a reason for the disposal.")})
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        if not can_edit(actor, listing):
            raise NotFound  # another organisation's listing
        if not 1 <= quantity <= listing.quantity_available:
            raise Conflict(
                {
                    "quantity": _("Only %(n)d can be disposed of; the rest are reserved or gone.")
                    % {"n": listing.quantity_available}
                }
            )
        if Task.objects.filter(
            listing=listing, kind=Task.Kind.TRANSFER, status__in=OPEN_STATUSES
        ).exists():  # thrown away or moved, not both (inventory.services.transfers)
            raise Conflict(
                _("This item is being moved to another warehouse. Finish or cancel that first.")
            )
        warehouse = (
            listing.storage_location.warehouse
            if listing.storage_location_id
            else default_warehouse(listing=listing)
        )
        if warehouse is None:
            raise ServiceError(_("There is no warehouse in use. Contact the coordinator."))
        task = Task.objects.create(
            kind=Task.Kind.DISPOSAL,
            warehouse=warehouse,
            listing=listing,
            quantity=quantity,
            disposal_reason=reason,
            from_unit_id=None if listing.storage_location_id else listing.owner_unit_id,
            created_by=actor,
        )
        history.record(
            listing=listing,
            actor=actor,
            kind="disposal_requested",
            changes={"task": task.pk, "quantity": quantity, "reason": reason},
        )
        _announce(task)
    return task


def disposal_complete(*, actor, task_id: int) -> Task:
    _require_warehouse(actor)
    with transaction.atomic():
        task, listing = _lock_task(task_id, actor=actor)
        if task.kind != Task.Kind.DISPOSAL:
            raise ServiceError(_("This is not a disposal task."))
        if task.quantity > listing.quantity_available:
            raise Conflict(
                _("Only %(n)d can be disposed of; the rest are reserved or gone.")
                % {"n": listing.quantity_available}
            )
        if task.status == Task.Status.OPEN:  # disposing on the spot needs no schedule
            _move(task, Task.Status.SCHEDULED)
            task.date = timezone.localdate()
        if task.status == Task.Status.SCHEDULED:
            _move(task, Task.Status.IN_PROGRESS)
        _finish(task, actor)
        task.save(update_fields=[*FINISH_FIELDS, "date", "updated_at"])
        listing.quantity_available -= task.quantity
        listing.quantity_disposed += task.quantity
        listing_archive_when_gone(listing=listing, actor=actor)
        listing.save(
            update_fields=["quantity_available", "quantity_disposed", "status", "updated_at"]
        )
        history.record(
            listing=listing,
            actor=actor,
            kind="disposed",
            changes={"task": task.pk, "quantity": task.quantity, "reason": task.disposal_reason},
        )
        # An archived listing's waiting list can never be served: it is told so now.
        reservation_services.waiting_list_promote(listing=listing, actor=actor)
        _announce(task)
        listing_announce(listing)
    return task


# --- periodic ---------------------------------------------------------------------------------


def listings_expiry_notify(*, today: date | None = None) -> int:
    """Ask owners what to do with items whose last day passed with nothing reserved."""
    today = today or timezone.localdate()
    candidates = Listing.objects.filter(
        status=Listing.Status.PUBLISHED, available_until__lt=today, expiry_notified_at__isnull=True
    ).values_list("pk", flat=True)
    sent = 0
    for listing_id in list(candidates):
        with transaction.atomic():
            listing = (
                Listing.objects.select_for_update(skip_locked=True)
                .select_related("created_by", "owner_unit")
                .filter(pk=listing_id, expiry_notified_at__isnull=True)
                .first()
            )
            if listing is None or listing.quantity_reserved > 0:
                continue
            listing.expiry_notified_at = timezone.now()
            listing.save(update_fields=["expiry_notified_at"])
            recipients = [listing.created_by] if listing.created_by.is_active else []
            recipients = recipients or list(
                User.objects.filter(unit=listing.owner_unit, is_active=True)[:3]
            )
            for user in recipients:
                mail.send_later(
                    to=user.email,
                    template="listing_expired",
                    context={
                        "title": listing.title,
                        "code": listing.code,
                        "url": settings.SITE_URL + listing.get_absolute_url(),
                    },
                    language=user.language or None,
                )
            sent += 1
    return sent
