"""Transfers: warehouse staff move a stored item to another warehouse of their organisation.

A transfer is a task like the others (board, assignment, a date, started by scanning the
label) that ends on a shelf of the other warehouse (`intake_shelve`).

What it moves: a listing has one shelf and one QR label, so a transfer moves all of the
listing that is still stored (neither collected nor disposed of). Moving part of it would
leave one label in two warehouses and a pickup address that is right for only some of it.

What a warehouse expects, and so what is refused (nothing changed, a message that says why):
- Reserved items are promised where they are: the reserving unit collects them at this
  warehouse, or its van delivers them from here. Moving the listing would leave less than
  is reserved at that warehouse (nothing at all), so a listing with anything reserved is
  moved once those have been handed over. Checked again when loading (`transfer_check_load`),
  as a reservation may have come in since.
- An open disposal of the listing: it is either thrown away or moved, not both.
- One open transfer per listing (task_one_open_transfer).
- Stock-takes are counted and saved in one step (`stocktake_record`) under the same listing
  row locks, so a count never sees a transfer half made; while a transfer is under way its
  items are expected on neither shelf and the count page says they are in transit.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kierratys.common.errors import Conflict, NotFound, ServiceError
from listings import history
from listings.models import Listing

from ..models import OPEN_STATUSES, StorageLocation, Task, Warehouse
from ..permissions import staff_of, works_on_listing
from .tasks import _announce, _require_warehouse

history.register_kinds(
    {
        "transfer_requested": gettext_lazy("Transfer to another warehouse asked for"),
        "transferred": gettext_lazy("Moved to another warehouse"),
    }
)


def _stored(listing: Listing) -> int:
    return listing.quantity_available + listing.quantity_reserved


def _refuse_if_reserved(listing: Listing, warehouse: Warehouse) -> None:
    if listing.quantity_reserved:
        raise Conflict(
            ngettext(
                "%(n)d of this item is reserved and is collected at %(warehouse)s or "
                "delivered from there. Move it once it has been handed over.",
                "%(n)d of this item are reserved and are collected at %(warehouse)s or "
                "delivered from there. Move it once they have been handed over.",
                listing.quantity_reserved,
            )
            % {"n": listing.quantity_reserved, "warehouse": warehouse.name}
        )


def transfer_request(*, actor, listing_id: int, to_warehouse_id: int) -> Task:
    """Ask for a stored listing to be moved to another warehouse of the same organisation."""
    _require_warehouse(actor)
    with transaction.atomic():
        listing = (
            Listing.objects.select_for_update(of=("self",))
            .select_related("storage_location__warehouse")
            .filter(pk=listing_id)
            .first()
        )
        location = listing.storage_location if listing and listing.storage_location_id else None
        if listing is not None and location is None and works_on_listing(actor, listing):
            raise ServiceError(_("Only an item stored in a warehouse can be moved."))
        if location is None or not staff_of(actor, location.warehouse):
            raise NotFound  # another organisation's item, or none of theirs to move
        origin = location.warehouse
        to = Warehouse.objects.filter(pk=to_warehouse_id).first()
        if to is None or to.organisation_id != origin.organisation_id:
            raise NotFound  # another organisation's warehouse: as if it did not exist
        if to.pk == origin.pk:
            raise ServiceError(
                {"to_warehouse": _("The item is already in %(w)s.") % {"w": origin.name}}
            )
        if not to.is_active or not to.locations.filter(is_active=True).exists():
            raise ServiceError(
                {"to_warehouse": _("%(w)s has no shelf in use to take it.") % {"w": to.name}}
            )
        if listing.status == Listing.Status.ARCHIVED or _stored(listing) < 1:
            raise Conflict(_("Nothing of this item is left in the warehouse to move."))
        _refuse_if_reserved(listing, origin)
        if Task.objects.filter(
            listing=listing,
            kind=Task.Kind.DISPOSAL,
            status__in=OPEN_STATUSES,
        ).exists():
            raise Conflict(_("This item has an open disposal task. Finish or cancel it first."))
        try:
            with transaction.atomic():
                task = Task.objects.create(
                    kind=Task.Kind.TRANSFER,
                    warehouse=origin,
                    listing=listing,
                    quantity=_stored(listing),
                    from_location=location,
                    to_warehouse=to,
                    created_by=actor,
                )
        except IntegrityError as error:  # task_one_open_transfer
            raise Conflict(_("This item is already being moved to another warehouse.")) from error
        history.record(
            listing=listing,
            actor=actor,
            kind="transfer_requested",
            changes={"task": task.pk, "from": str(location), "to": to.name},
        )
        _announce(task)
    return task


def transfer_check_load(*, task: Task, listing: Listing) -> None:
    """Loading a transfer (task_start, both locked): still nothing reserved, still stored.
    The van takes what is stored now (a disposal may have taken some since)."""
    _refuse_if_reserved(listing, task.warehouse)
    if listing.storage_location_id != task.from_location_id or _stored(listing) < 1:
        raise Conflict(_("The item is no longer on the shelf this transfer leaves from."))
    task.quantity = _stored(listing)


def transfer_check_shelf(*, task: Task, location: StorageLocation) -> None:
    """A transfer ends on a shelf of the warehouse it goes to, nowhere else."""
    if location.warehouse_id != task.to_warehouse_id:
        raise ServiceError(
            {
                "location": _("Choose a shelf in %(w)s, where this transfer goes.")
                % {"w": task.to_warehouse.name}
            }
        )
