"""Delivery: a reservation booked into a slot and handed over at its destination."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kierratys.accounts.pauses.errors import paused_refusal
from kierratys.accounts.pauses.selectors import pause_for, pause_for_listing
from kierratys.accounts.roles import belongs_to_unit
from kierratys.common.errors import Conflict, NotFound, ServiceError
from listings import history
from reservations import services as reservation_services
from reservations.charges.services import charge_delivery
from reservations.locks import reservation_lock
from reservations.models import Reservation

from ..errors import InventoryError as Code
from ..models import (
    LIVE_DELIVERY,
    Task,
    TimeSlot,
)
from ..permissions import can_book_delivery, staff_of, works_on_listing
from ..selectors import delivery_warehouse_ids
from .slots import _book_slot
from .tasks import FINISH_FIELDS, _announce, _finish, _lock_task, _require_warehouse


def delivery_book(*, actor, reservation_id: int, slot_id: int, day: date) -> Task:
    """The reserving unit picks a free slot; the warehouse gets a delivery task."""
    with transaction.atomic():
        reservation, listing = reservation_lock(reservation_id)
        # Before anything is said about the reservation: for others it does not exist.
        if not (belongs_to_unit(actor, reservation.unit_id) or works_on_listing(actor, listing)):
            raise NotFound
        if not can_book_delivery(actor, reservation.unit_id):
            raise PermissionDenied
        if reservation.status != Reservation.Status.ACTIVE:
            raise Conflict(_("Only an active reservation can be delivered."))
        if reservation.handover != Reservation.Handover.DELIVERY:
            raise ServiceError(_("This reservation is collected by the unit itself."))
        # The reservation's row lock serialises bookings; the constraint
        # task_one_live_delivery holds the same rule in the database.
        if Task.objects.filter(LIVE_DELIVERY, reservation=reservation).exists():
            raise Conflict(
                _("A delivery is already booked for this reservation."),
                code=Code.DELIVERY_ALREADY_BOOKED,
            )
        if day > timezone.localdate() + timedelta(days=settings.DELIVERY_BOOKING_DAYS):
            raise ServiceError(
                {
                    "date": _("Choose a delivery time within the next %(n)d days.")
                    % {"n": settings.DELIVERY_BOOKING_DAYS}
                }
            )
        slot = TimeSlot.objects.select_related("warehouse").filter(pk=slot_id).first()
        # Only the warehouses that deliver this listing (never an unrelated organisation's),
        # and only its reserving unit or those warehouses' own staff book them.
        if slot is None or slot.warehouse_id not in delivery_warehouse_ids(
            listing=listing, to_organisation_id=reservation.unit.department.organisation_id
        ):
            raise ServiceError({"slot": _("This time slot is not available.")})
        if not belongs_to_unit(actor, reservation.unit_id) and not staff_of(actor, slot.warehouse):
            raise NotFound
        _refuse_if_paused(listing=listing, warehouse=slot.warehouse, day=day)
        slot_day = _book_slot(slot_id=slot_id, day=day, kind="delivery")
        reservation_services.reservation_hold_for_delivery(reservation=reservation, day=day)
        task = Task.objects.create(
            kind=Task.Kind.DELIVERY,
            status=Task.Status.SCHEDULED,
            warehouse=slot_day.slot.warehouse,
            listing=listing,
            quantity=reservation.quantity,
            reservation=reservation,
            from_unit_id=None if listing.storage_location_id else listing.owner_unit_id,
            to_unit_id=reservation.unit_id,
            date=day,
            slot_day=slot_day,
            created_by=actor,
        )
        history.record(
            listing=listing,
            actor=actor,
            kind="delivery_booked",
            changes={
                "task": task.pk,
                "reservation": reservation.pk,
                "date": day.isoformat(),
                "slot": str(slot_day.slot),
            },
        )
        _announce(task)
    return task


def _refuse_if_paused(*, listing, warehouse, day: date) -> None:
    """No booking while ordering is paused, nor for a day inside a pause: the listing's
    organisation's, the delivering warehouse's organisation's, or that warehouse's."""
    for when in dict.fromkeys((timezone.localdate(), day)):
        pause = pause_for_listing(listing, when) or pause_for(
            organisation_id=warehouse.organisation_id, warehouse_id=warehouse.pk, day=when
        )
        if pause is not None:
            raise paused_refusal(pause)


def delivery_complete(
    *, actor, task_id: int, scanned_code: str = "", quantity: int | None = None
) -> Task:
    """At the destination the driver scans the label: the reservation becomes collected."""
    _require_warehouse(actor)
    with transaction.atomic():
        task, listing = _lock_task(task_id, actor=actor)
        if task.kind != Task.Kind.DELIVERY or task.reservation_id is None:
            raise ServiceError(_("Only a delivery is handed over at its destination."))
        _finish(task, actor)
        reservation_services.reservation_collect(
            actor=actor,
            reservation_id=task.reservation_id,
            quantity=quantity,
            scanned_code=scanned_code,
            by_delivery=True,
        )
        # Its own warehouse's delivery within one organisation is charged (internal prices).
        charge_delivery(
            reservation_id=task.reservation_id,
            warehouse_organisation_id=task.warehouse.organisation_id,
        )
        task.save(update_fields=[*FINISH_FIELDS, "updated_at"])
        history.record(listing=listing, actor=actor, kind="delivered", changes={"task": task.pk})
        _announce(task)
    return task
