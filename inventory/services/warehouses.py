"""Setting up warehouses, their shelves and weekly delivery slots: the coordinator's work.

Nothing here deletes. A slot or shelf that is no longer wanted is deactivated: bookings
already made in a slot are kept and delivered, but it is offered for no new booking
(`_book_slot` and the picker read `is_active`); an inactive shelf is offered for nothing new.
Each change locks the warehouse row first, so two coordinators editing the same warehouse's
slots cannot both pass the overlap check. A coordinator sets up their own organisation's
warehouses only: another organisation's is not found.
"""

import re
from datetime import time

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from kierratys.accounts.roles import organisation_id_of
from kierratys.common import inputs
from kierratys.common.errors import NotFound, ServiceError
from kierratys.common.limits import MAX_SLOT_CAPACITY
from listings import choices
from listings.models import Listing

from ..models import SlotDay, StorageLocation, Task, TimeSlot, Warehouse
from ..permissions import can_configure_warehouses, runs_warehouse

POSTAL_CODE = re.compile(r"\d{5}")
PHONE = re.compile(r"\+?[0-9][0-9 ()-]{4,38}")
WEEKDAYS = range(7)
# A booked delivery or pickup that is still to happen keeps its slot's day and time fixed.
UPCOMING = (Task.Status.SCHEDULED, Task.Status.IN_PROGRESS)


def _require_coordinator(actor) -> None:
    if not can_configure_warehouses(actor):
        raise PermissionDenied


def _text(value, max_length: int) -> str:
    return inputs.plain_text(value or "", max_length=max_length + 1).strip()


def _lock_warehouse(warehouse_id: int, actor) -> Warehouse:
    """The warehouse, locked, when it is one of the actor's organisation's."""
    warehouse = Warehouse.objects.select_for_update().filter(pk=warehouse_id).first()
    if warehouse is None or not runs_warehouse(actor, warehouse):
        raise NotFound
    return warehouse


# --- warehouses -------------------------------------------------------------------------------


def _warehouse_fields(
    *,
    organisation_id,
    name,
    street_address,
    postal_code,
    city,
    opening_hours,
    phone,
    exclude_id=None,
) -> dict:
    fields = {
        "name": _text(name, 200),
        "street_address": _text(street_address, 200),
        "postal_code": _text(postal_code, 10).replace(" ", ""),
        "city": _text(city, 100),
        "opening_hours": _text(opening_hours, 200),
        "phone": _text(phone, 40),
    }
    limits = {"name": 200, "street_address": 200, "city": 100, "opening_hours": 200, "phone": 40}
    errors = {}
    for field in ("name", "street_address", "city"):
        if not fields[field]:
            errors[field] = _("This field is required.")
    for field, limit in limits.items():
        if len(fields[field]) > limit:
            errors[field] = _("Use at most %(limit)d characters.") % {"limit": limit}
    if not POSTAL_CODE.fullmatch(fields["postal_code"]):
        errors["postal_code"] = _("Enter a postal code of five digits, for example 20360.")
    if fields["phone"] and not PHONE.fullmatch(fields["phone"]):
        errors["phone"] = _("Enter a phone number, for example 02 262 0000 or +358 40 123 4567.")
    if "name" not in errors:
        same = Warehouse.objects.filter(
            organisation_id=organisation_id, name__iexact=fields["name"]
        ).exclude(pk=exclude_id)
        if same.exists():
            errors["name"] = _("There is already a warehouse with this name.")
    if errors:
        raise ServiceError(errors)
    return fields


def _save_unique(instance, *, field: str, message: str, **save_kwargs) -> None:
    """Save; a unique constraint that another request won meanwhile is a message, not a 500."""
    try:
        with transaction.atomic():
            instance.save(**save_kwargs)
    except IntegrityError as error:
        raise ServiceError({field: message}) from error


def warehouse_create(
    *,
    actor,
    name,
    street_address,
    postal_code,
    city,
    opening_hours="",
    phone="",
    serves_partners: bool = False,
) -> Warehouse:
    """A warehouse of the actor's organisation; `serves_partners` lets it deliver to and
    store for the units of partner organisations too."""
    _require_coordinator(actor)
    with transaction.atomic():
        fields = _warehouse_fields(
            organisation_id=organisation_id_of(actor),
            name=name,
            street_address=street_address,
            postal_code=postal_code,
            city=city,
            opening_hours=opening_hours,
            phone=phone,
        )
        warehouse = Warehouse(
            **fields,
            organisation_id=organisation_id_of(actor),
            serves_partners=bool(serves_partners),
            is_active=True,
        )
        _save_unique(
            warehouse, field="name", message=_("There is already a warehouse with this name.")
        )
    return warehouse


def warehouse_update(
    *,
    actor,
    warehouse_id: int,
    name,
    street_address,
    postal_code,
    city,
    opening_hours="",
    phone="",
    is_active: bool = True,
    serves_partners: bool = False,
) -> Warehouse:
    """Change a warehouse's details. An inactive warehouse takes no new bookings or items;
    what is already booked or shelved there stays."""
    _require_coordinator(actor)
    with transaction.atomic():
        warehouse = _lock_warehouse(warehouse_id, actor)
        fields = _warehouse_fields(
            organisation_id=warehouse.organisation_id,
            name=name,
            street_address=street_address,
            postal_code=postal_code,
            city=city,
            opening_hours=opening_hours,
            phone=phone,
            exclude_id=warehouse.pk,
        )
        for field, value in fields.items():
            setattr(warehouse, field, value)
        warehouse.is_active = bool(is_active)
        warehouse.serves_partners = bool(serves_partners)
        _save_unique(
            warehouse, field="name", message=_("There is already a warehouse with this name.")
        )
        # Catalogue cards name the warehouse: their cached renderings go with the choices'.
        transaction.on_commit(choices.forget)
    return warehouse


# --- delivery slots ---------------------------------------------------------------------------


def _slot_fields(*, weekday, start, end, delivery_capacity, pickup_capacity) -> dict:
    errors = {}
    if not isinstance(weekday, int) or isinstance(weekday, bool) or weekday not in WEEKDAYS:
        errors["weekday"] = _("Choose a weekday.")
    for field, value in (("start", start), ("end", end)):
        if not isinstance(value, time):
            errors[field] = _("Enter a time, for example 08:00.")
    if "start" not in errors and "end" not in errors and end <= start:
        errors["end"] = _("The slot must end after it starts.")
    capacity_message = _("Enter a whole number from 1 to %(max)d.") % {"max": MAX_SLOT_CAPACITY}
    for field, value in (
        ("delivery_capacity", delivery_capacity),
        ("pickup_capacity", pickup_capacity),
    ):
        whole = isinstance(value, int) and not isinstance(value, bool)
        if not whole or not 1 <= value <= MAX_SLOT_CAPACITY:
            errors[field] = capacity_message
    if errors:
        raise ServiceError(errors)
    return {
        "weekday": weekday,
        "start": start.replace(second=0, microsecond=0),
        "end": end.replace(second=0, microsecond=0),
        "delivery_capacity": delivery_capacity,
        "pickup_capacity": pickup_capacity,
    }


def _clash(*, warehouse: Warehouse, fields: dict, exclude_id=None) -> TimeSlot | None:
    """The first active slot of the warehouse overlapping these times on the same weekday."""
    return (
        TimeSlot.objects.filter(
            warehouse=warehouse,
            weekday=fields["weekday"],
            is_active=True,
            start__lt=fields["end"],
            end__gt=fields["start"],
        )
        .exclude(pk=exclude_id)
        .order_by("start")
        .first()
    )


def _check_no_overlap(*, warehouse: Warehouse, fields: dict, exclude_id=None) -> None:
    """Active slots of one warehouse on one weekday never overlap (08-10 and 10-12 may meet).

    Overlapping slots would count the same van and dock twice. The caller holds the
    warehouse's row lock."""
    same_day = TimeSlot.objects.filter(warehouse=warehouse, weekday=fields["weekday"]).exclude(
        pk=exclude_id
    )
    clash = _clash(warehouse=warehouse, fields=fields, exclude_id=exclude_id)
    if clash is not None:
        raise ServiceError(
            {
                "start": _(
                    "This time overlaps the slot %(start)s–%(end)s on the same day. "
                    "Choose another time or change that slot."
                )
                % {"start": f"{clash.start:%H:%M}", "end": f"{clash.end:%H:%M}"}
            }
        )
    if same_day.filter(is_active=False, start=fields["start"]).exists():
        raise ServiceError(
            {
                "start": _(
                    "A slot that is not in use starts at this time on the same day. "
                    "Take it into use and change it instead."
                )
            }
        )


def _upcoming_bookings(slot: TimeSlot) -> int:
    return Task.objects.filter(
        slot_day__slot=slot, slot_day__date__gte=timezone.localdate(), status__in=UPCOMING
    ).count()


def _lock_slot(slot_id: int, actor) -> tuple[Warehouse, TimeSlot]:
    """The warehouse's lock, then the slot's: the order slot_create takes too."""
    found = TimeSlot.objects.filter(pk=slot_id).values_list("warehouse_id", flat=True).first()
    if found is None:
        raise NotFound
    warehouse = _lock_warehouse(found, actor)
    slot = TimeSlot.objects.select_for_update().get(pk=slot_id)
    return warehouse, slot


def slot_create(
    *, actor, warehouse_id: int, weekday, start, end, delivery_capacity, pickup_capacity
) -> TimeSlot:
    """A new weekly slot, open for booking from now on."""
    _require_coordinator(actor)
    fields = _slot_fields(
        weekday=weekday,
        start=start,
        end=end,
        delivery_capacity=delivery_capacity,
        pickup_capacity=pickup_capacity,
    )
    with transaction.atomic():
        warehouse = _lock_warehouse(warehouse_id, actor)
        _check_no_overlap(warehouse=warehouse, fields=fields)
        slot = TimeSlot(warehouse=warehouse, is_active=True, **fields)
        _save_unique(slot, field="start", message=_("A slot already starts at this time."))
    return slot


def slot_update(
    *, actor, slot_id: int, weekday, start, end, delivery_capacity, pickup_capacity
) -> TimeSlot:
    """Change a slot. While deliveries are booked in it, its day and time stay as the units
    were promised; the capacity may change, and days already counted take it too (never
    below what they have booked)."""
    _require_coordinator(actor)
    fields = _slot_fields(
        weekday=weekday,
        start=start,
        end=end,
        delivery_capacity=delivery_capacity,
        pickup_capacity=pickup_capacity,
    )
    with transaction.atomic():
        warehouse, slot = _lock_slot(slot_id, actor)
        moved = (fields["weekday"], fields["start"], fields["end"]) != (
            slot.weekday,
            slot.start.replace(second=0, microsecond=0),
            slot.end.replace(second=0, microsecond=0),
        )
        if moved and _upcoming_bookings(slot):
            raise ServiceError(
                {
                    "start": _(
                        "Deliveries are booked in this slot, so its day and time cannot change. "
                        "Take it out of use and add a new slot instead: the booked deliveries "
                        "are kept."
                    )
                }
            )
        if slot.is_active:
            _check_no_overlap(warehouse=warehouse, fields=fields, exclude_id=slot.pk)
        for field, value in fields.items():
            setattr(slot, field, value)
        _save_unique(slot, field="start", message=_("A slot already starts at this time."))
        SlotDay.objects.filter(slot=slot, date__gte=timezone.localdate()).update(
            delivery_capacity=Greatest(Value(fields["delivery_capacity"]), F("deliveries_booked")),
            pickup_capacity=Greatest(Value(fields["pickup_capacity"]), F("pickups_booked")),
        )
    return slot


def slot_deactivate(*, actor, slot_id: int) -> TimeSlot:
    """No new bookings in this slot; the deliveries already booked in it are kept.

    The returned slot carries `kept`: how many booked deliveries or pickups are still to come."""
    _require_coordinator(actor)
    with transaction.atomic():
        _warehouse, slot = _lock_slot(slot_id, actor)
        if slot.is_active:
            slot.is_active = False
            slot.save(update_fields=["is_active"])
        slot.kept = _upcoming_bookings(slot)
    return slot


def slot_activate(*, actor, slot_id: int) -> TimeSlot:
    """Open a deactivated slot for booking again, unless an active slot now overlaps it."""
    _require_coordinator(actor)
    with transaction.atomic():
        warehouse, slot = _lock_slot(slot_id, actor)
        if not slot.is_active:
            fields = {"weekday": slot.weekday, "start": slot.start, "end": slot.end}
            clash = _clash(warehouse=warehouse, fields=fields, exclude_id=slot.pk)
            if clash is not None:
                raise ServiceError(
                    _(
                        "This slot overlaps the slot %(start)s–%(end)s, which is in use on the "
                        "same day. Change that slot or take it out of use first."
                    )
                    % {"start": f"{clash.start:%H:%M}", "end": f"{clash.end:%H:%M}"}
                )
            slot.is_active = True
            slot.save(update_fields=["is_active"])
    return slot


# --- shelves ----------------------------------------------------------------------------------


def _shelf_fields(*, warehouse: Warehouse, code, description, exclude_id=None) -> dict:
    fields = {"code": _text(code, 20), "description": _text(description, 200)}
    errors = {}
    if not fields["code"]:
        errors["code"] = _("Give the shelf a code, for example A-01-1.")
    elif len(fields["code"]) > 20:
        errors["code"] = _("Use at most %(limit)d characters.") % {"limit": 20}
    elif (
        StorageLocation.objects.filter(warehouse=warehouse, code__iexact=fields["code"])
        .exclude(pk=exclude_id)
        .exists()
    ):
        errors["code"] = _("This warehouse already has a shelf %(code)s.") % {
            "code": fields["code"]
        }
    if len(fields["description"]) > 200:
        errors["description"] = _("Use at most %(limit)d characters.") % {"limit": 200}
    if errors:
        raise ServiceError(errors)
    return fields


def _lock_shelf(shelf_id: int, actor) -> tuple[Warehouse, StorageLocation]:
    found = StorageLocation.objects.filter(pk=shelf_id).values_list("warehouse_id", flat=True)
    warehouse_id = found.first()
    if warehouse_id is None:
        raise NotFound
    warehouse = _lock_warehouse(warehouse_id, actor)
    return warehouse, StorageLocation.objects.select_for_update().get(pk=shelf_id)


def shelf_create(*, actor, warehouse_id: int, code, description="") -> StorageLocation:
    _require_coordinator(actor)
    with transaction.atomic():
        warehouse = _lock_warehouse(warehouse_id, actor)
        fields = _shelf_fields(warehouse=warehouse, code=code, description=description)
        shelf = StorageLocation(warehouse=warehouse, is_active=True, **fields)
        _save_unique(
            shelf,
            field="code",
            message=_("This warehouse already has a shelf %(code)s.") % {"code": fields["code"]},
        )
    return shelf


def shelf_update(*, actor, shelf_id: int, code, description="") -> StorageLocation:
    """Rename a shelf: the items on it move with it (they point at the shelf, not its code)."""
    _require_coordinator(actor)
    with transaction.atomic():
        warehouse, shelf = _lock_shelf(shelf_id, actor)
        fields = _shelf_fields(
            warehouse=warehouse, code=code, description=description, exclude_id=shelf.pk
        )
        shelf.code, shelf.description = fields["code"], fields["description"]
        _save_unique(
            shelf,
            field="code",
            message=_("This warehouse already has a shelf %(code)s.") % {"code": fields["code"]},
        )
    return shelf


def shelf_deactivate(*, actor, shelf_id: int) -> StorageLocation:
    """An empty shelf goes out of use: offered for no new item, its stock-takes kept."""
    _require_coordinator(actor)
    with transaction.atomic():
        _warehouse, shelf = _lock_shelf(shelf_id, actor)
        on_shelf = Listing.objects.filter(storage_location=shelf).exclude(
            status=Listing.Status.ARCHIVED
        )
        arriving = Task.objects.filter(to_location=shelf, status__in=(Task.Status.OPEN, *UPCOMING))
        if on_shelf.exists() or arriving.exists():
            raise ServiceError(
                {"shelf": _("Items are still on this shelf. Move them to another shelf first.")}
            )
        if shelf.is_active:
            shelf.is_active = False
            shelf.save(update_fields=["is_active"])
    return shelf


def shelf_activate(*, actor, shelf_id: int) -> StorageLocation:
    _require_coordinator(actor)
    with transaction.atomic():
        _warehouse, shelf = _lock_shelf(shelf_id, actor)
        if not shelf.is_active:
            shelf.is_active = True
            shelf.save(update_fields=["is_active"])
    return shelf
