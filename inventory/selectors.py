from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from kierratys.accounts.roles import WAREHOUSE
from kierratys.common.errors import NotFound
from listings.models import Listing
from reservations.models import Reservation

from .calendar import working_days
from .models import LIVE_DELIVERY, SlotDay, StorageLocation, Task, TimeSlot, Warehouse
from .permissions import can_see_task

BOARD_COLUMNS = [Task.Status.OPEN, Task.Status.SCHEDULED, Task.Status.IN_PROGRESS, Task.Status.DONE]


def _tasks():
    return Task.objects.select_related(
        "listing",
        "listing__storage_location",
        "warehouse",
        "from_unit",
        "to_unit",
        "assigned_to",
        "slot_day__slot",
        "to_location",
        "reservation",
    )


def board(*, warehouse_id=None, day=None, kind=None, assignee_id=None) -> dict:
    """The task board, in a fixed number of queries however many tasks there are."""
    tasks = _tasks()
    if warehouse_id:
        tasks = tasks.filter(warehouse_id=warehouse_id)
    if day:
        tasks = tasks.filter(Q(date=day) | Q(date__isnull=True))
    if kind:
        tasks = tasks.filter(kind=kind)
    if assignee_id:
        tasks = tasks.filter(assigned_to_id=assignee_id)
    recent = timezone.now() - timedelta(days=2)
    tasks = tasks.filter(
        Q(status__in=BOARD_COLUMNS[:3]) | Q(status=Task.Status.DONE, updated_at__gte=recent)
    )
    columns = {status: [] for status in BOARD_COLUMNS}
    for task in tasks.order_by("date", "slot_day__slot__start", "pk")[:500]:
        columns[task.status].append(task)
    return {"columns": [(Task.Status(s), columns[s]) for s in BOARD_COLUMNS]}


def task_for_user(*, user, task_id: int) -> Task:
    task = _tasks().filter(pk=task_id).first()
    if task is None:
        raise NotFound
    if not can_see_task(user, task):
        raise NotFound
    return task


def live_delivery(*, reservation: Reservation) -> Task | None:
    """The reservation's delivery that still counts (cancelled ones stay in the history)."""
    return (
        Task.objects.filter(LIVE_DELIVERY, reservation=reservation)
        .select_related("slot_day__slot")
        .first()
    )


def tasks_for_listing(*, listing: Listing):
    return list(_tasks().filter(listing=listing).order_by("-created_at")[:20])


def active_warehouses():
    return list(Warehouse.objects.filter(is_active=True).order_by("name"))


def warehouse_staff():
    from kierratys.accounts.models import User

    return list(User.objects.filter(is_active=True, groups__name=WAREHOUSE).order_by("full_name"))


def run_sheet(*, warehouse_id: int, day: date) -> dict:
    warehouse = Warehouse.objects.filter(pk=warehouse_id).first()
    if warehouse is None:
        raise NotFound
    stops = list(
        _tasks()
        .select_related("listing__owner_unit", "listing__storage_location__warehouse")
        .filter(
            warehouse=warehouse,
            date=day,
            status__in=[Task.Status.SCHEDULED, Task.Status.IN_PROGRESS],
        )
        .order_by("slot_day__slot__start", "kind", "pk")
    )
    return {"warehouse": warehouse, "day": day, "stops": stops}


def locations(*, warehouse_id=None):
    queryset = StorageLocation.objects.select_related("warehouse").filter(warehouse__is_active=True)
    if warehouse_id:
        queryset = queryset.filter(warehouse_id=warehouse_id)
    return list(queryset.annotate(items=Count("listings", filter=~Q(listings__status="archived"))))


def location_contents(*, location_id: int) -> tuple[StorageLocation, list[Listing]]:
    location = StorageLocation.objects.select_related("warehouse").filter(pk=location_id).first()
    if location is None:
        raise NotFound
    listings = list(
        Listing.objects.filter(storage_location=location)
        .exclude(status="archived")
        .select_related("owner_unit")
    )
    return location, listings


def free_slots(*, kind: str = "delivery", start: date | None = None) -> list[dict]:
    """Bookable slots over the coming weeks: working days only, and not full."""
    start = start or timezone.localdate() + timedelta(days=1)
    days = list(working_days(start, settings.DELIVERY_BOOKING_DAYS))
    slots = list(
        TimeSlot.objects.filter(is_active=True, warehouse__is_active=True).select_related(
            "warehouse"
        )
    )
    booked = {(d.slot_id, d.date): d for d in SlotDay.objects.filter(slot__in=slots, date__in=days)}
    free = []
    for day in days:
        for slot in slots:
            if slot.weekday != day.weekday():
                continue
            slot_day = booked.get((slot.pk, day))
            used = (
                0
                if slot_day is None
                else (slot_day.deliveries_booked if kind == "delivery" else slot_day.pickups_booked)
            )
            capacity = slot.delivery_capacity if kind == "delivery" else slot.pickup_capacity
            if used < capacity:
                free.append({"slot": slot, "date": day, "left": capacity - used})
    return free


def disposal_review() -> list[Listing]:
    """Warehouse items nobody has reserved for a long time."""
    cutoff = timezone.now() - timedelta(days=settings.WAREHOUSE_UNCLAIMED_DAYS)
    reserved = Reservation.objects.filter(listing=OuterRef("pk"))
    return list(
        Listing.objects.filter(
            storage_location__isnull=False, status=Listing.Status.PUBLISHED, published_at__lt=cutoff
        )
        .exclude(Exists(reserved))
        .select_related("storage_location__warehouse")
        .order_by("published_at")[:100]
    )


def shelves_for_listing_form():
    """Shelves of active warehouses, for warehouse staff listing straight onto a shelf."""
    return StorageLocation.objects.filter(warehouse__is_active=True).select_related("warehouse")
