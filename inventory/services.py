"""Warehouse work: intake, shelving, delivery slots, disposal and stock-takes.

Locking order matches reservations: listing, then reservation, then the slot day.
Slot capacity is checked under a row lock and enforced again by the database.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kierratys import live
from kierratys.accounts.models import User
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE, belongs_to_unit, role_names
from kierratys.common import mail
from listings import history
from listings.models import Listing
from reservations import services as reservation_services
from reservations.models import Reservation

from .calendar import is_holiday
from .models import SlotDay, StockTake, StockTakeLine, StorageLocation, Task, TimeSlot, Warehouse

history.register_kinds(
    {
        "intake_requested": gettext_lazy("Sent to the warehouse"),
        "task_scheduled": gettext_lazy("Warehouse task scheduled"),
        "task_started": gettext_lazy("Warehouse task started"),
        "task_cancelled": gettext_lazy("Warehouse task cancelled"),
        "task_problem": gettext_lazy("Problem reported"),
        "shelved": gettext_lazy("Stored in the warehouse"),
        "delivery_booked": gettext_lazy("Delivery booked"),
        "delivered": gettext_lazy("Delivered"),
        "disposal_requested": gettext_lazy("Disposal requested"),
        "disposed": gettext_lazy("Disposed of"),
        "stocktake": gettext_lazy("Stock-take"),
    }
)


def _require_warehouse(actor) -> None:
    if not ({WAREHOUSE, COORDINATOR} & role_names(actor)):
        raise PermissionDenied


def _announce(task: Task, batch: live.Batch | None = None) -> None:
    groups = [live.WAREHOUSE_GROUP]
    groups += [live.unit_group(u) for u in (task.from_unit_id, task.to_unit_id) if u]
    data = {
        "id": task.pk,
        "kind": task.kind,
        "status": task.status,
        "warehouse": task.warehouse_id,
        "date": task.date.isoformat() if task.date else None,
    }
    if batch is not None:
        batch.add(groups, "task.changed", data)
    else:
        live.publish(groups, "task.changed", data)


def _lock_task(task_id: int) -> tuple[Task, Listing]:
    listing_id = Task.objects.filter(pk=task_id).values_list("listing_id", flat=True).first()
    if listing_id is None:
        raise Task.DoesNotExist
    listing = Listing.objects.select_for_update().get(pk=listing_id)
    task = Task.objects.select_for_update(of=("self",)).select_related("warehouse").get(pk=task_id)
    return task, listing


def _move(task: Task, to: str) -> None:
    if to not in Task.TRANSITIONS.get(task.status, set()):
        raise ValidationError(
            _("A task that is “%(from)s” cannot become “%(to)s”.")
            % {"from": task.get_status_display(), "to": Task.Status(to).label},
            code="illegal_transition",
        )
    task.status = to


def default_warehouse() -> Warehouse | None:
    return Warehouse.objects.filter(is_active=True).order_by("pk").first()


# --- slots ------------------------------------------------------------------------------------


def _book_slot(*, slot_id: int, day: date, kind: str) -> SlotDay:
    """Take one unit of a slot's capacity on a day. Caller is inside a transaction."""
    slot = TimeSlot.objects.select_related("warehouse").filter(pk=slot_id, is_active=True).first()
    if slot is None or not slot.warehouse.is_active:
        raise ValidationError({"slot": _("This time slot is not available.")})
    if day < timezone.localdate():
        raise ValidationError({"date": _("The date is in the past.")})
    if day.weekday() != slot.weekday:
        raise ValidationError({"date": _("This time slot is not on that weekday.")})
    if is_holiday(day):
        raise ValidationError({"date": _("The warehouse is closed on public holidays.")})
    SlotDay.objects.bulk_create(
        [
            SlotDay(
                slot=slot,
                date=day,
                delivery_capacity=slot.delivery_capacity,
                pickup_capacity=slot.pickup_capacity,
            )
        ],
        ignore_conflicts=True,
    )
    slot_day = (
        SlotDay.objects.select_for_update(of=("self",))
        .select_related("slot")
        .get(slot=slot, date=day)
    )
    field, capacity = (
        ("deliveries_booked", slot_day.delivery_capacity)
        if kind == "delivery"
        else ("pickups_booked", slot_day.pickup_capacity)
    )
    if getattr(slot_day, field) >= capacity:
        full = ValidationError(_("This time slot is full. Choose another one."), code="slot_full")
        raise ValidationError({"slot": full})
    SlotDay.objects.filter(pk=slot_day.pk).update(**{field: F(field) + 1})
    return slot_day


def _release_slot(task: Task) -> None:
    if task.slot_day_id:
        field = (
            "deliveries_booked"
            if task.kind in (Task.Kind.DELIVERY, Task.Kind.INTAKE)
            else "pickups_booked"
        )
        SlotDay.objects.filter(pk=task.slot_day_id, **{f"{field}__gt": 0}).update(
            **{field: F(field) - 1}
        )
        task.slot_day = None


# --- flows --------------------------------------------------------------------------------------


def intake_request(*, actor, listing_id: int) -> Task:
    """A unit asks the warehouse to fetch its item."""
    warehouse = default_warehouse()
    if warehouse is None:
        raise ValidationError(_("There is no warehouse in use. Contact the coordinator."))
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        if not (
            belongs_to_unit(actor, listing.owner_unit_id)
            or {WAREHOUSE, COORDINATOR} & role_names(actor)
        ):
            raise PermissionDenied
        if listing.storage_location_id:
            raise ValidationError(_("This item is already in the warehouse."))
        if listing.status == Listing.Status.ARCHIVED:
            raise ValidationError(_("This item is archived."))
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
            raise ValidationError(
                _("The warehouse has already been asked to fetch this item.")
            ) from error
        history.record(
            listing=listing, actor=actor, kind="intake_requested", changes={"task": task.pk}
        )
        _announce(task)
    return task


def delivery_book(*, actor, reservation_id: int, slot_id: int, day: date) -> Task:
    """The reserving unit picks a free slot; the warehouse gets a delivery task."""
    with transaction.atomic():
        reservation, listing = reservation_services._lock_reservation(reservation_id)
        if not (
            belongs_to_unit(actor, reservation.unit_id)
            or {WAREHOUSE, COORDINATOR} & role_names(actor)
        ):
            raise PermissionDenied
        if reservation.status != Reservation.Status.ACTIVE:
            raise ValidationError(_("Only an active reservation can be delivered."))
        if reservation.handover != Reservation.Handover.DELIVERY:
            raise ValidationError(_("This reservation is collected by the unit itself."))
        if (
            Task.objects.filter(reservation=reservation)
            .exclude(status=Task.Status.CANCELLED)
            .exists()
        ):
            raise ValidationError(_("A delivery is already booked for this reservation."))
        slot_day = _book_slot(slot_id=slot_id, day=day, kind="delivery")
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


def task_assign(*, actor, task_id: int, assignee_id: int | None = None) -> Task:
    _require_warehouse(actor)
    with transaction.atomic():
        task, _listing = _lock_task(task_id)
        if not task.is_open:
            raise ValidationError(_("This task is already finished."))
        assignee = (
            actor
            if assignee_id is None
            else User.objects.filter(pk=assignee_id, is_active=True).first()
        )
        if assignee is None or WAREHOUSE not in role_names(assignee):
            raise ValidationError(_("Tasks can be assigned to warehouse staff only."))
        task.assigned_to = assignee
        task.save(update_fields=["assigned_to", "updated_at"])
        _announce(task)
    return task


def task_schedule(*, actor, task_id: int, day: date, slot_id: int | None = None) -> Task:
    _require_warehouse(actor)
    with transaction.atomic():
        task, listing = _lock_task(task_id)
        _move(task, Task.Status.SCHEDULED)
        if day < timezone.localdate():
            raise ValidationError({"date": _("The date is in the past.")})
        if is_holiday(day):
            raise ValidationError({"date": _("The warehouse is closed on public holidays.")})
        _release_slot(task)
        if slot_id:
            kind = "delivery" if task.kind in (Task.Kind.DELIVERY, Task.Kind.INTAKE) else "pickup"
            task.slot_day = _book_slot(slot_id=slot_id, day=day, kind=kind)
        task.date = day
        task.save(update_fields=["status", "date", "slot_day", "updated_at"])
        history.record(
            listing=listing,
            actor=actor,
            kind="task_scheduled",
            changes={"task": task.pk, "kind": task.kind, "date": day.isoformat()},
        )
        _announce(task)
    return task


def task_start(*, actor, task_id: int, scanned_code: str = "") -> Task:
    """Loading the item: the QR label confirms it is the right one."""
    _require_warehouse(actor)
    with transaction.atomic():
        task, listing = _lock_task(task_id)
        if scanned_code and not reservation_services.code_matches(scanned_code, listing):
            raise ValidationError({"scanned_code": _("This label belongs to another item.")})
        _move(task, Task.Status.IN_PROGRESS)
        task.assigned_to = task.assigned_to or actor
        task.save(update_fields=["status", "assigned_to", "updated_at"])
        history.record(
            listing=listing,
            actor=actor,
            kind="task_started",
            changes={"task": task.pk, "kind": task.kind, "scanned": bool(scanned_code)},
        )
        _announce(task)
    return task


def intake_shelve(*, actor, task_id: int, location_id: int) -> Task:
    """On arrival the item gets a shelf: its location is now the warehouse."""
    _require_warehouse(actor)
    with transaction.atomic():
        task, listing = _lock_task(task_id)
        if task.kind not in (Task.Kind.INTAKE, Task.Kind.TRANSFER):
            raise ValidationError(_("Only intake and transfer tasks end on a shelf."))
        location = (
            StorageLocation.objects.select_related("warehouse").filter(pk=location_id).first()
        )
        if location is None or not location.warehouse.is_active:
            raise ValidationError({"location": _("Choose a shelf in a warehouse that is in use.")})
        _move(task, Task.Status.DONE)
        task.to_location = location
        task.save(update_fields=["status", "to_location", "updated_at"])
        old = str(listing.storage_location or listing.owner_unit)
        listing.storage_location = location
        listing.save(update_fields=["storage_location", "updated_at"])
        history.record(
            listing=listing,
            actor=actor,
            kind="shelved",
            changes={"task": task.pk, "location": [old, str(location)]},
        )
        _announce(task)
    return task


def delivery_complete(
    *, actor, task_id: int, scanned_code: str = "", quantity: int | None = None
) -> Task:
    """At the destination the driver scans the label: the reservation becomes collected."""
    _require_warehouse(actor)
    with transaction.atomic():
        task, listing = _lock_task(task_id)
        if task.kind != Task.Kind.DELIVERY or task.reservation_id is None:
            raise ValidationError(_("Only a delivery is handed over at its destination."))
        _move(task, Task.Status.DONE)
        reservation_services.reservation_collect(
            actor=actor,
            reservation_id=task.reservation_id,
            quantity=quantity,
            scanned_code=scanned_code,
            by_delivery=True,
        )
        task.save(update_fields=["status", "updated_at"])
        history.record(listing=listing, actor=actor, kind="delivered", changes={"task": task.pk})
        _announce(task)
    return task


def disposal_request(*, actor, listing_id: int, quantity: int, reason: str) -> Task:
    """Dispose of what nobody wants. Reserved items are never disposed of."""
    _require_warehouse(actor)
    if reason not in Task.DisposalReason.values:
        raise ValidationError({"reason": _("Choose a reason for the disposal.")})
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        if not 1 <= quantity <= listing.quantity_available:
            raise ValidationError(
                {
                    "quantity": _("Only %(n)d can be disposed of; the rest are reserved or gone.")
                    % {"n": listing.quantity_available}
                }
            )
        warehouse = (
            listing.storage_location.warehouse
            if listing.storage_location_id
            else default_warehouse()
        )
        if warehouse is None:
            raise ValidationError(_("There is no warehouse in use. Contact the coordinator."))
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
        task, listing = _lock_task(task_id)
        if task.kind != Task.Kind.DISPOSAL:
            raise ValidationError(_("This is not a disposal task."))
        if task.quantity > listing.quantity_available:
            raise ValidationError(
                _("Only %(n)d can be disposed of; the rest are reserved or gone.")
                % {"n": listing.quantity_available}
            )
        if task.status == Task.Status.OPEN:  # disposing on the spot needs no schedule
            _move(task, Task.Status.SCHEDULED)
            task.date = timezone.localdate()
        if task.status == Task.Status.SCHEDULED:
            _move(task, Task.Status.IN_PROGRESS)
        _move(task, Task.Status.DONE)
        task.save(update_fields=["status", "date", "updated_at"])
        listing.quantity_available -= task.quantity
        listing.quantity_disposed += task.quantity
        if listing.quantity_available == 0 and listing.quantity_reserved == 0:
            listing.status = Listing.Status.ARCHIVED
        listing.save(
            update_fields=["quantity_available", "quantity_disposed", "status", "updated_at"]
        )
        history.record(
            listing=listing,
            actor=actor,
            kind="disposed",
            changes={"task": task.pk, "quantity": task.quantity, "reason": task.disposal_reason},
        )
        batch = live.Batch()
        # An archived listing's waiting list can never be served: it is told so now.
        reservation_services.waiting_list_promote(listing=listing, actor=actor, batch=batch)
        _announce(task, batch)
        batch.add(
            [live.CATALOGUE_GROUP],
            "listing.removed" if listing.quantity_available == 0 else "listing.changed",
            {
                "id": listing.pk,
                "status": listing.status,
                "quantity_available": listing.quantity_available,
            },
        )
        live.publish_batch(batch)
    return task


def task_cancel(*, actor, task_id: int, reason: str = "") -> Task:
    with transaction.atomic():
        task, listing = _lock_task(task_id)
        is_staff = bool({WAREHOUSE, COORDINATOR} & role_names(actor))
        own_intake = task.kind == Task.Kind.INTAKE and belongs_to_unit(actor, task.from_unit_id)
        if not (is_staff or own_intake):
            raise PermissionDenied
        _move(task, Task.Status.CANCELLED)
        _release_slot(task)
        task.problem = reason.strip()[:500] or task.problem
        task.save(update_fields=["status", "slot_day", "problem", "updated_at"])
        history.record(
            listing=listing,
            actor=actor,
            kind="task_cancelled",
            changes={"task": task.pk},
            note=reason,
        )
        _announce(task)
    return task


def task_report_problem(*, actor, task_id: int, problem: str) -> Task:
    _require_warehouse(actor)
    if not problem.strip():
        raise ValidationError({"problem": _("Describe the problem.")})
    with transaction.atomic():
        task, listing = _lock_task(task_id)
        task.problem = problem.strip()[:500]
        task.save(update_fields=["problem", "updated_at"])
        history.record(
            listing=listing,
            actor=actor,
            kind="task_problem",
            changes={"task": task.pk},
            note=problem,
        )
        _announce(task)
    return task


def stocktake_record(*, actor, location_id: int, counts: dict[int, int]) -> StockTake:
    """Count a shelf: the expected quantity is what has not been collected or disposed of."""
    _require_warehouse(actor)
    with transaction.atomic():
        location = StorageLocation.objects.select_related("warehouse").get(pk=location_id)
        listings = list(
            Listing.objects.select_for_update().filter(storage_location=location).order_by("pk")
        )
        if any(count < 0 or count > 999 for count in counts.values()):
            raise ValidationError(_("Counts must be between 0 and 999."))
        stocktake = StockTake.objects.create(location=location, counted_by=actor)
        for listing in listings:
            expected = listing.quantity_available + listing.quantity_reserved
            counted = counts.get(listing.pk, expected)
            StockTakeLine.objects.create(
                stocktake=stocktake, listing=listing, expected=expected, counted=counted
            )
            if counted != expected:
                history.record(
                    listing=listing,
                    actor=actor,
                    kind="stocktake",
                    changes={"location": str(location), "expected": expected, "counted": counted},
                )
    return stocktake


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
