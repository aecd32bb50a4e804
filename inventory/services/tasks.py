"""Every warehouse task: its state machine, lock, live event, and the steps all kinds share.

Locking order matches reservations: listing, then reservation, then the slot day."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kierratys import live
from kierratys.accounts.models import User
from kierratys.common.errors import Conflict, NotFound, ServiceError
from listings import history
from listings.codes import code_problem
from listings.models import Listing
from reservations import services as reservation_services
from reservations.locks import reservation_lock

from ..calendar import is_holiday
from ..errors import InventoryError as Code
from ..models import (
    Task,
    TimeSlot,
    Warehouse,
)
from ..permissions import can_cancel_task, can_drive, can_see_task, is_warehouse_staff, staff_of
from .slots import _book_slot, _release_slot

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
    if not is_warehouse_staff(actor):
        raise PermissionDenied


def _announce(task: Task) -> None:
    # The staff of the warehouse's own organisation, also when it serves partners' units:
    # those units hear of their tasks through their unit groups.
    groups = [live.warehouse_group(task.warehouse.organisation_id)]
    groups += [live.unit_group(u) for u in (task.from_unit_id, task.to_unit_id) if u]
    data = {
        "id": task.pk,
        "kind": task.kind,
        "status": task.status,
        "warehouse": task.warehouse_id,
        "date": task.date.isoformat() if task.date else None,
    }
    live.publish(groups, "task.changed", data, key=f"task:{task.pk}")


def _lock_task(task_id: int, *, actor, staff: bool = True) -> tuple[Task, Listing]:
    """Lock the task and its listing. Only the staff of the task's warehouse's organisation
    act on it (`staff=False`: anyone who may see it); for others it does not exist."""
    listing_id = Task.objects.filter(pk=task_id).values_list("listing_id", flat=True).first()
    if listing_id is None:
        raise Task.DoesNotExist
    listing = Listing.objects.select_for_update().get(pk=listing_id)
    task = Task.objects.select_for_update(of=("self",)).select_related("warehouse").get(pk=task_id)
    if not (staff_of(actor, task.warehouse) if staff else can_see_task(actor, task)):
        raise NotFound
    return task, listing


def _move(task: Task, to: str) -> None:
    if to not in Task.TRANSITIONS.get(task.status, set()):
        raise Conflict(
            _("A task that is “%(from)s” cannot become “%(to)s”.")
            % {"from": task.get_status_display(), "to": Task.Status(to).label},
            code=Code.ILLEGAL_TRANSITION,
        )
    task.status = to


# Saved with the status whenever a task is finished (see `_finish`).
FINISH_FIELDS = ["status", "done_at", "completed_by"]


def _finish(task: Task, actor) -> None:
    """The task is done, now, by the actor: the task page and the board say when and by whom."""
    _move(task, Task.Status.DONE)
    task.done_at = timezone.now()
    task.completed_by = actor


def default_warehouse(*, listing: Listing) -> Warehouse | None:
    """The warehouse that fetches and disposes of a listing's items: its organisation's
    first in use, or a partner's that serves partners (inventory.selectors), never an
    unrelated organisation's."""
    from ..selectors import serving_warehouses

    return next(iter(serving_warehouses(organisation_id=listing.organisation_id)), None)


def task_assign(*, actor, task_id: int, assignee_id: int | None = None) -> Task:
    _require_warehouse(actor)
    with transaction.atomic():
        task, _listing = _lock_task(task_id, actor=actor)
        if not task.is_open:
            raise Conflict(_("This task is already finished."))
        assignee = (
            actor
            if assignee_id is None
            else User.objects.filter(pk=assignee_id, is_active=True).first()
        )
        if assignee is None or not (can_drive(assignee) and staff_of(assignee, task.warehouse)):
            raise ServiceError(_("Tasks can be assigned to warehouse staff only."))
        task.assigned_to = assignee
        task.save(update_fields=["assigned_to", "updated_at"])
        _announce(task)
    return task


def task_schedule(*, actor, task_id: int, day: date, slot_id: int | None = None) -> Task:
    _require_warehouse(actor)
    with transaction.atomic():
        task, listing = _lock_task(task_id, actor=actor)
        _move(task, Task.Status.SCHEDULED)
        if day < timezone.localdate():
            raise ServiceError({"date": _("The date is in the past.")})
        if is_holiday(day):
            raise ServiceError({"date": _("The warehouse is closed on public holidays.")})
        if task.kind == Task.Kind.DELIVERY and task.reservation_id:
            # Lock order as everywhere: listing (held), reservation, then the slot day.
            reservation, _listing = reservation_lock(task.reservation_id)
            reservation_services.reservation_hold_for_delivery(reservation=reservation, day=day)
        _release_slot(task)
        if slot_id:
            kind = "delivery" if task.kind in (Task.Kind.DELIVERY, Task.Kind.INTAKE) else "pickup"
            foreign = TimeSlot.objects.filter(pk=slot_id).exclude(
                warehouse__organisation_id=task.warehouse.organisation_id
            )
            if foreign.exists():  # another organisation's van: as if it did not exist
                raise ServiceError({"slot": _("This time slot is not available.")})
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
        task, listing = _lock_task(task_id, actor=actor)
        problem = code_problem(scanned_code, listing) if scanned_code else None
        if problem:
            raise ServiceError({"scanned_code": problem})
        _move(task, Task.Status.IN_PROGRESS)
        if task.kind == Task.Kind.TRANSFER:
            from .transfers import transfer_check_load

            transfer_check_load(task=task, listing=listing)
        task.assigned_to = task.assigned_to or actor
        task.save(update_fields=["status", "assigned_to", "quantity", "updated_at"])
        history.record(
            listing=listing,
            actor=actor,
            kind="task_started",
            changes={"task": task.pk, "kind": task.kind, "scanned": bool(scanned_code)},
        )
        _announce(task)
    return task


def task_cancel(*, actor, task_id: int, reason: str = "") -> Task:
    with transaction.atomic():
        task, listing = _lock_task(task_id, actor=actor, staff=False)
        if not can_cancel_task(actor, task):
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
        raise ServiceError({"problem": _("Describe the problem.")})
    with transaction.atomic():
        task, listing = _lock_task(task_id, actor=actor)
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
