"""Delivery and intake slots: capacity checked under a row lock and enforced by the database."""

from datetime import date

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kierratys.common.errors import Conflict, ServiceError

from ..calendar import is_holiday
from ..errors import InventoryError as Code
from ..models import (
    SlotDay,
    Task,
    TimeSlot,
)

# --- slots ------------------------------------------------------------------------------------


def _book_slot(*, slot_id: int, day: date, kind: str) -> SlotDay:
    """Take one unit of a slot's capacity on a day. Caller is inside a transaction."""
    slot = TimeSlot.objects.select_related("warehouse").filter(pk=slot_id, is_active=True).first()
    if slot is None or not slot.warehouse.is_active:
        raise ServiceError({"slot": _("This time slot is not available.")})
    if day < timezone.localdate():
        raise ServiceError({"date": _("The date is in the past.")})
    if day.weekday() != slot.weekday:
        raise ServiceError({"date": _("This time slot is not on that weekday.")})
    if is_holiday(day):
        raise ServiceError({"date": _("The warehouse is closed on public holidays.")})
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
        full = Conflict(_("This time slot is full. Choose another one."), code=Code.SLOT_FULL)
        raise Conflict({"slot": full})
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
