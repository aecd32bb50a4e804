from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from kierratys.accounts.pauses.selectors import pauses_between, pauses_stop
from kierratys.accounts.roles import WAREHOUSE, organisation_id_of
from kierratys.accounts.selectors import partner_ids_of
from kierratys.common.errors import NotFound
from listings.models import Listing
from reservations.models import Reservation

from .calendar import working_days
from .models import LIVE_DELIVERY, SlotDay, StorageLocation, Task, TimeSlot, Warehouse
from .permissions import can_see_task, is_warehouse_staff, runs_warehouse, works_on_listing

BOARD_COLUMNS = [Task.Status.OPEN, Task.Status.SCHEDULED, Task.Status.IN_PROGRESS, Task.Status.DONE]


def _tasks():
    return Task.objects.select_related(
        "listing",
        "listing__storage_location",
        "warehouse",
        "from_unit",
        "to_unit",
        "assigned_to",
        "completed_by",
        "slot_day__slot",
        "to_location",
        "reservation",
        "from_location__warehouse",
        "to_warehouse",
    )


def _own_organisation(user) -> int:
    """The user's organisation id, or 0 (matches nothing) when they have none."""
    return organisation_id_of(user) or 0


def board(*, user, warehouse_id=None, day=None, kind=None, assignee_id=None) -> dict:
    """The task board of the user's organisation's warehouses, in a fixed number of
    queries however many tasks there are."""
    tasks = _tasks().filter(warehouse__organisation_id=_own_organisation(user))
    if warehouse_id:  # a transfer is on the boards of both its warehouses
        tasks = tasks.filter(Q(warehouse_id=warehouse_id) | Q(to_warehouse_id=warehouse_id))
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


def active_warehouses(*, user):
    """The user's organisation's warehouses in use (the board's and run sheet's choices)."""
    return list(
        Warehouse.objects.filter(is_active=True, organisation_id=_own_organisation(user)).order_by(
            "name"
        )
    )


def warehouse_staff(*, user):
    """The warehouse staff of the user's organisation, whom its tasks can be assigned to."""
    from kierratys.accounts.models import User

    return list(
        User.objects.filter(
            is_active=True,
            groups__name=WAREHOUSE,
            unit__department__organisation_id=_own_organisation(user),
        ).order_by("full_name")
    )


def serving_warehouses(*, organisation_id: int | None, to_organisation_id: int | None = None):
    """The warehouses in use that work for an organisation's listings, first choice first:
    its own; when it has none, a partner's that serves partners (the receiving
    organisation's own first, when delivering to a partner). Never an unrelated one's."""
    if organisation_id is None:
        return []
    active = Warehouse.objects.filter(is_active=True)
    own = list(active.filter(organisation_id=organisation_id).order_by("pk"))
    if own:
        return own
    partners = list(
        active.filter(
            serves_partners=True, organisation_id__in=partner_ids_of(organisation_id)
        ).order_by("pk")
    )
    return sorted(partners, key=lambda w: w.organisation_id != to_organisation_id)


def run_sheet(*, user, warehouse_id: int, day: date) -> dict:
    warehouse = Warehouse.objects.filter(pk=warehouse_id).first()
    if warehouse is None or not runs_warehouse(user, warehouse):
        raise NotFound
    stops = list(
        _tasks()
        .select_related("listing__owner_unit", "listing__storage_location__warehouse")
        .filter(
            Q(warehouse=warehouse) | Q(to_warehouse=warehouse),  # transfers: both ends
            date=day,
            # The day's finished stops stay on the sheet, marked done with the time.
            status__in=[Task.Status.SCHEDULED, Task.Status.IN_PROGRESS, Task.Status.DONE],
        )
        .order_by("slot_day__slot__start", "kind", "pk")
    )
    return {"warehouse": warehouse, "day": day, "stops": stops}


def locations(*, user, warehouse_id=None):
    queryset = StorageLocation.objects.select_related("warehouse").filter(
        warehouse__is_active=True,
        is_active=True,
        warehouse__organisation_id=_own_organisation(user),
    )
    if warehouse_id:
        queryset = queryset.filter(warehouse_id=warehouse_id)
    return list(queryset.annotate(items=Count("listings", filter=~Q(listings__status="archived"))))


def location_contents(*, user, location_id: int) -> tuple[StorageLocation, list[Listing]]:
    location = StorageLocation.objects.select_related("warehouse").filter(pk=location_id).first()
    if location is None or not runs_warehouse(user, location.warehouse):
        raise NotFound
    listings = list(
        Listing.objects.filter(storage_location=location)
        .exclude(status="archived")
        .select_related("owner_unit")
    )
    transit = in_transit(listing_ids=[listing.pk for listing in listings])
    for listing in listings:
        listing.in_transit = transit.get(listing.pk)
        listing.expected = expected_on_shelf(listing, transit)
    return location, listings


def in_transit(*, listing_ids) -> dict[int, Task]:
    """The transfers under way (loaded, not yet shelved) of these listings, by listing:
    their items have left the old shelf and are on no shelf yet."""
    transfers = Task.objects.filter(
        kind=Task.Kind.TRANSFER, status=Task.Status.IN_PROGRESS, listing_id__in=list(listing_ids)
    ).select_related("to_warehouse")
    return {task.listing_id: task for task in transfers}


def expected_on_shelf(listing: Listing, transit: dict) -> int:
    """What a stock-take expects on the listing's shelf: what is neither collected nor
    disposed of, less what is on its way to another warehouse."""
    task = transit.get(listing.pk)
    stored = listing.quantity_available + listing.quantity_reserved
    return max(stored - (task.quantity if task else 0), 0)


def transfer_destinations(*, user, listing: Listing) -> list[Warehouse]:
    """Where warehouse staff may move a stored listing: the other warehouses in use of the
    organisation whose warehouse holds it, and only for that organisation's staff."""
    location = listing.storage_location if listing.storage_location_id else None
    if location is None or not runs_warehouse(user, location.warehouse):
        return []
    return list(
        Warehouse.objects.filter(
            organisation_id=location.warehouse.organisation_id,
            is_active=True,
            locations__is_active=True,
        )
        .exclude(pk=location.warehouse_id)
        .distinct()
        .order_by("name")
    )


def free_slots(
    *,
    kind: str = "delivery",
    start: date | None = None,
    warehouse_id: int | None = None,
    warehouse_ids=None,
    organisation_id: int | None = None,
) -> list[dict]:
    """Bookable slots over the coming weeks: working days only, not full, and not paused;
    of one warehouse, or of `warehouse_ids`, or (the demo's seeding) of any. A pause stops
    a day when it is the warehouse's, its organisation's, or that of `organisation_id` (the
    listing's owner); one in effect today stops every day, as booking does
    (inventory.services.delivery)."""
    today = timezone.localdate()
    start = start or today + timedelta(days=1)
    days = list(working_days(start, settings.DELIVERY_BOOKING_DAYS))
    slots = TimeSlot.objects.filter(is_active=True, warehouse__is_active=True)
    if warehouse_id is not None:
        slots = slots.filter(warehouse_id=warehouse_id)
    if warehouse_ids is not None:
        slots = slots.filter(warehouse_id__in=list(warehouse_ids))
    slots = list(slots.select_related("warehouse").order_by("start", "warehouse__name"))
    booked = {(d.slot_id, d.date): d for d in SlotDay.objects.filter(slot__in=slots, date__in=days)}
    pauses = pauses_between(
        organisation_ids={organisation_id, *(slot.warehouse.organisation_id for slot in slots)},
        warehouse_ids={slot.warehouse_id for slot in slots},
        first=today,
        last=days[-1] if days else today,
    )
    free = []
    for day in days:
        for slot in slots:
            if slot.weekday != day.weekday():
                continue
            stopping = {organisation_id, slot.warehouse.organisation_id}
            if any(
                pauses_stop(
                    pauses, day=when, organisation_ids=stopping, warehouse_id=slot.warehouse_id
                )
                for when in (today, day)
            ):
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


def delivery_warehouse_ids(*, listing: Listing, to_organisation_id: int | None = None) -> list:
    """The warehouses that may deliver a listing: the one it is shelved in, otherwise the
    warehouses serving its organisation (`serving_warehouses`), never an unrelated one.
    While the van of a transfer has it on board, only the warehouse it is going to."""
    in_transit = Task.objects.filter(
        listing_id=listing.pk, kind=Task.Kind.TRANSFER, status=Task.Status.IN_PROGRESS
    ).values_list("to_warehouse_id", flat=True)
    if listing.storage_location_id and (to_warehouse_id := in_transit.first()):
        return [to_warehouse_id]
    if listing.storage_location_id:
        return list(
            StorageLocation.objects.filter(pk=listing.storage_location_id).values_list(
                "warehouse_id", flat=True
            )
        )
    warehouses = serving_warehouses(
        organisation_id=listing.organisation_id, to_organisation_id=to_organisation_id
    )
    return [warehouse.pk for warehouse in warehouses]


def delivery_options(*, listing: Listing, days: int = 8) -> list[dict]:
    """The delivery times the reserve form offers for a listing: its own warehouse's when
    it is on a shelf, otherwise the first warehouse serving its organisation (the one
    intake uses), on the first `days` days that have a free slot. The booking page offers
    every time of those warehouses."""
    warehouse_id = next(iter(delivery_warehouse_ids(listing=listing)), None)
    if warehouse_id is None:
        return []
    options, offered_days = [], []
    for item in free_slots(warehouse_id=warehouse_id, organisation_id=listing.organisation_id):
        if item["date"] not in offered_days:
            if len(offered_days) == days:
                break
            offered_days.append(item["date"])
        slot = item["slot"]
        options.append(
            {
                "value": f"{slot.pk}:{item['date'].isoformat()}",
                "date": item["date"],
                "start": slot.start,
                "end": slot.end,
                "left": item["left"],
                "warehouse": slot.warehouse.name,
                "address": slot.warehouse.address,
                "organisation_id": slot.warehouse.organisation_id,  # internal prices
            }
        )
    return options


def disposal_review(*, user) -> list[Listing]:
    """Items in the user's organisation's warehouses nobody has reserved for a long time."""
    cutoff = timezone.now() - timedelta(days=settings.WAREHOUSE_UNCLAIMED_DAYS)
    reserved = Reservation.objects.filter(listing=OuterRef("pk"))
    return list(
        Listing.objects.filter(
            storage_location__isnull=False,
            storage_location__warehouse__organisation_id=_own_organisation(user),
            status=Listing.Status.PUBLISHED,
            published_at__lt=cutoff,
        )
        .exclude(Exists(reserved))
        .select_related("storage_location__warehouse")
        .order_by("published_at")[:100]
    )


def shelves_for_listing_form(*, user=None):
    """Shelves of the user's organisation's active warehouses, for warehouse staff listing
    straight onto a shelf (none without a user)."""
    return StorageLocation.objects.filter(
        warehouse__is_active=True,
        is_active=True,
        warehouse__organisation_id=_own_organisation(user) if user is not None else 0,
    ).select_related("warehouse")


# --- the coordinator's warehouse settings -----------------------------------------------------


def warehouses_for_settings(*, user) -> list[Warehouse]:
    """The user's organisation's warehouses, active first, with active slots and shelves
    counted."""
    return list(
        Warehouse.objects.filter(organisation_id=_own_organisation(user))
        .annotate(
            active_slots=Count("slots", filter=Q(slots__is_active=True), distinct=True),
            active_shelves=Count("locations", filter=Q(locations__is_active=True), distinct=True),
        )
        .order_by("-is_active", "name")
    )


def warehouse_settings(*, user, warehouse_id: int) -> dict:
    """One warehouse with its slots by weekday (each with its bookings still to come) and its
    shelves (each with the items on it): three queries however many there are."""
    warehouse = warehouse_for_settings(user=user, warehouse_id=warehouse_id)
    upcoming = Q(
        days__date__gte=timezone.localdate(),
        days__tasks__status__in=[Task.Status.SCHEDULED, Task.Status.IN_PROGRESS],
    )
    slots = list(
        TimeSlot.objects.filter(warehouse=warehouse)
        .annotate(booked=Count("days__tasks", filter=upcoming))
        .order_by("weekday", "start")
    )
    weekdays = []
    for slot in slots:
        if not weekdays or weekdays[-1]["weekday"] != slot.weekday:
            weekdays.append(
                {"weekday": slot.weekday, "label": slot.get_weekday_display(), "slots": []}
            )
        weekdays[-1]["slots"].append(slot)
    shelves = list(
        StorageLocation.objects.filter(warehouse=warehouse)
        .annotate(items=Count("listings", filter=~Q(listings__status="archived")))
        .order_by("-is_active", "code")
    )
    return {"warehouse": warehouse, "weekdays": weekdays, "shelves": shelves}


def warehouse_for_settings(*, user, warehouse_id: int) -> Warehouse:
    """One of the user's organisation's warehouses; another organisation's is not found."""
    warehouse = Warehouse.objects.filter(pk=warehouse_id).first()
    if warehouse is None or not runs_warehouse(user, warehouse):
        raise NotFound
    return warehouse


def slot_for_settings(*, user, warehouse_id: int, slot_id: int) -> TimeSlot:
    slot = TimeSlot.objects.select_related("warehouse").filter(
        pk=slot_id, warehouse_id=warehouse_id
    )
    found = slot.first()
    if found is None or not runs_warehouse(user, found.warehouse):
        raise NotFound
    return found


def shelf_for_settings(*, user, warehouse_id: int, shelf_id: int) -> StorageLocation:
    shelf = (
        StorageLocation.objects.select_related("warehouse")
        .filter(pk=shelf_id, warehouse_id=warehouse_id)
        .first()
    )
    if shelf is None or not runs_warehouse(user, shelf.warehouse):
        raise NotFound
    return shelf


def stored_listing(*, user, listing_id: int) -> Listing:
    """A listing the user works on as warehouse staff (inventory.permissions); for anyone
    else it does not exist."""
    listing = (
        Listing.objects.select_related("storage_location__warehouse").filter(pk=listing_id).first()
    )
    if listing is None or not works_on_listing(user, listing):
        raise NotFound
    return listing


def tasks_for_user(*, user, warehouse_id=None, day=None, status=None, kind=None):
    """The tasks `can_see_task` lets the user see, as one query: all of their organisation's
    warehouses' for its warehouse staff and coordinators, else those that fetch from or
    deliver to their own unit. Filters as the board's; ordered as the board orders them."""
    unit_id = getattr(user, "unit_id", None) or 0
    seen = Q(from_unit_id=unit_id) | Q(to_unit_id=unit_id)
    if is_warehouse_staff(user):
        seen |= Q(warehouse__organisation_id=_own_organisation(user))
    tasks = _tasks().filter(seen)
    if warehouse_id:  # a transfer is on the boards of both its warehouses
        tasks = tasks.filter(Q(warehouse_id=warehouse_id) | Q(to_warehouse_id=warehouse_id))
    if day:
        tasks = tasks.filter(date=day)
    if status:
        tasks = tasks.filter(status=status)
    if kind:
        tasks = tasks.filter(kind=kind)
    return tasks
