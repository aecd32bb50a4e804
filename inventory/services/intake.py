"""Intake: the warehouse fetches an item from its unit and shelves it."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kierratys.common.errors import Conflict, ServiceError
from listings import history
from listings.models import Listing

from ..models import (
    StorageLocation,
    Task,
)
from ..permissions import can_send_to_warehouse
from .tasks import (
    FINISH_FIELDS,
    _announce,
    _finish,
    _lock_task,
    _require_warehouse,
    default_warehouse,
)
from .transfers import transfer_check_shelf


def intake_request(*, actor, listing_id: int) -> Task:
    """A unit asks the warehouse to fetch its item."""
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        if not can_send_to_warehouse(actor, listing):
            raise PermissionDenied
        warehouse = default_warehouse(listing=listing)
        if warehouse is None:
            raise ServiceError(_("There is no warehouse in use. Contact the coordinator."))
        if listing.storage_location_id:
            raise Conflict(_("This item is already in the warehouse."))
        if listing.status == Listing.Status.ARCHIVED:
            raise Conflict(_("This item is archived."))
        quantity = listing.quantity - listing.quantity_collected
        try:
            with transaction.atomic():
                task = Task.objects.create(
                    kind=Task.Kind.INTAKE,
                    warehouse=warehouse,
                    listing=listing,
                    quantity=quantity,
                    from_unit_id=listing.owner_unit_id,
                    created_by=actor,
                )
        except IntegrityError as error:
            raise ServiceError(
                _("The warehouse has already been asked to fetch this item.")
            ) from error
        history.record(
            listing=listing, actor=actor, kind="intake_requested", changes={"task": task.pk}
        )
        _announce(task)
    return task


def intake_shelve(*, actor, task_id: int, location_id: int) -> Task:
    """On arrival the item gets a shelf: its location is now the warehouse."""
    _require_warehouse(actor)
    with transaction.atomic():
        task, listing = _lock_task(task_id, actor=actor)
        if task.kind not in (Task.Kind.INTAKE, Task.Kind.TRANSFER):
            raise ServiceError(_("Only intake and transfer tasks end on a shelf."))
        location = (
            StorageLocation.objects.select_related("warehouse").filter(pk=location_id).first()
        )
        # Never a shelf of another organisation's warehouse (not found, like any other).
        if location is None or location.warehouse.organisation_id != (
            task.warehouse.organisation_id
        ):
            location = None
        if location is None or not (location.is_active and location.warehouse.is_active):
            raise ServiceError({"location": _("Choose a shelf in a warehouse that is in use.")})
        if task.kind == Task.Kind.TRANSFER:
            transfer_check_shelf(task=task, location=location)
        _finish(task, actor)
        task.to_location = location
        task.save(update_fields=[*FINISH_FIELDS, "to_location", "updated_at"])
        old = str(listing.storage_location or listing.owner_unit)
        listing.storage_location = location
        listing.save(update_fields=["storage_location", "updated_at"])
        history.record(
            listing=listing,
            actor=actor,
            kind="transferred" if task.kind == Task.Kind.TRANSFER else "shelved",
            changes={"task": task.pk, "location": [old, str(location)]},
        )
        _announce(task)
    return task
