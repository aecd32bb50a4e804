from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Warehouse(models.Model):
    """A city warehouse where items are stored between units."""

    organisation = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.PROTECT,
        related_name="warehouses",
        verbose_name=_("organisation"),
    )
    # Delivers to and stores for the units of partner organisations as well.
    serves_partners = models.BooleanField(_("serves partner organisations"), default=False)
    name = models.CharField(_("name"), max_length=200)
    street_address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        constraints = [
            # Unique within the organisation: another one's names are none of its business.
            models.UniqueConstraint(fields=["organisation", "name"], name="warehouse_unique_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def address(self) -> str:
        return f"{self.street_address}, {self.postal_code} {self.city}"


class StorageLocation(models.Model):
    """A shelf or bay in a warehouse, such as A-03-2."""

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="locations", verbose_name=_("warehouse")
    )
    code = models.CharField(_("code"), max_length=20)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # An inactive shelf is offered for nothing new; its history and stock-takes stay.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["warehouse__name", "code"]
        verbose_name = _("storage location")
        verbose_name_plural = _("storage locations")
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "code"], name="location_unique_code"),
        ]

    def __str__(self):
        return f"{self.warehouse.name} {self.code}"


class TimeSlot(models.Model):
    """A weekly slot (e.g. Monday 08-10) with what the van and the dock can take."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    start = models.TimeField(_("starts"))
    end = models.TimeField(_("ends"))
    delivery_capacity = models.PositiveSmallIntegerField(_("deliveries"), default=3)
    pickup_capacity = models.PositiveSmallIntegerField(_("pickups at the warehouse"), default=3)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["warehouse", "weekday", "start"]
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="slot_ends_after_start"),
            models.UniqueConstraint(
                fields=["warehouse", "weekday", "start"], name="slot_unique_start"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class SlotDay(models.Model):
    """One slot on one date: the bookings counted against capacity, enforced by the database."""

    slot = models.ForeignKey(TimeSlot, on_delete=models.PROTECT, related_name="days")
    date = models.DateField(_("date"))
    delivery_capacity = models.PositiveSmallIntegerField()
    pickup_capacity = models.PositiveSmallIntegerField()
    deliveries_booked = models.PositiveSmallIntegerField(default=0)
    pickups_booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["date", "slot__start"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "date"], name="slotday_unique"),
            models.CheckConstraint(
                condition=Q(deliveries_booked__lte=F("delivery_capacity")),
                name="slotday_deliveries_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(pickups_booked__lte=F("pickup_capacity")),
                name="slotday_pickups_within_capacity",
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.slot}"


# A task still to be done (Task.is_open).
OPEN_STATUSES = ["open", "scheduled", "in_progress"]

# A delivery that still counts: a reservation has at most one (task_one_live_delivery).
LIVE_DELIVERY = Q(kind="delivery") & ~Q(status="cancelled")


class Task(models.Model):
    """Work for the warehouse: fetch, deliver, move or dispose of an item."""

    class Kind(models.TextChoices):
        INTAKE = "intake", _("Intake")
        DELIVERY = "delivery", _("Delivery")
        TRANSFER = "transfer", _("Transfer")
        DISPOSAL = "disposal", _("Disposal")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("task status", "Open")
        SCHEDULED = "scheduled", _("Scheduled")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", pgettext_lazy("task status", "Cancelled")

    TRANSITIONS = {
        Status.OPEN: {Status.SCHEDULED, Status.CANCELLED},
        Status.SCHEDULED: {Status.IN_PROGRESS, Status.CANCELLED, Status.SCHEDULED},
        Status.IN_PROGRESS: {Status.DONE, Status.CANCELLED},
    }

    class DisposalReason(models.TextChoices):
        BROKEN = "broken", _("Broken")
        UNCLAIMED = "unclaimed", _("Nobody wanted it")
        UNSAFE = "unsafe", _("Not safe to use")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="tasks")
    listing = models.ForeignKey("listings.Listing", on_delete=models.PROTECT, related_name="tasks")
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    # A reservation may have cancelled deliveries behind it; only one live (LIVE_DELIVERY).
    reservation = models.ForeignKey(
        "reservations.Reservation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delivery_tasks",
    )
    from_unit = models.ForeignKey(
        "kierratys.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from"),
    )
    to_unit = models.ForeignKey(
        "kierratys.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to"),
    )
    to_location = models.ForeignKey(
        StorageLocation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to shelf"),
    )
    # A transfer: the shelf it leaves from (the listing's when it was asked for) and the
    # warehouse of the same organisation it goes to; `warehouse` is where it is loaded.
    from_location = models.ForeignKey(
        StorageLocation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from shelf"),
    )
    to_warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_transfers",
        verbose_name=_("to warehouse"),
    )
    date = models.DateField(_("date"), null=True, blank=True)
    slot_day = models.ForeignKey(
        SlotDay, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    disposal_reason = models.CharField(
        _("disposal reason"), max_length=20, choices=DisposalReason.choices, blank=True
    )
    problem = models.CharField(_("problem"), max_length=500, blank=True)
    # When and by whom the task was finished: set by the service that finishes it.
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["date", "slot_day__slot__start", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="task_quantity_positive"),
            models.CheckConstraint(
                condition=~Q(status__in=["scheduled", "in_progress"]) | Q(date__isnull=False),
                name="task_scheduled_has_date",
            ),
            # One open intake per listing: pressing the button twice makes one task.
            models.UniqueConstraint(
                fields=["listing"],
                condition=Q(kind="intake", status__in=["open", "scheduled", "in_progress"]),
                name="task_one_open_intake",
            ),
            # One open transfer per listing: an item is on one van at a time.
            models.UniqueConstraint(
                fields=["listing"],
                condition=Q(kind="transfer", status__in=["open", "scheduled", "in_progress"]),
                name="task_one_open_transfer",
            ),
            # A transfer knows its shelf of departure and goes to another warehouse.
            models.CheckConstraint(
                condition=~Q(kind="transfer")
                | (
                    Q(from_location__isnull=False, to_warehouse__isnull=False)
                    & ~Q(to_warehouse=F("warehouse"))
                ),
                name="task_transfer_has_route",
            ),
            # One live delivery per reservation: a cancelled one may be booked again.
            models.UniqueConstraint(
                fields=["reservation"],
                condition=LIVE_DELIVERY,
                name="task_one_live_delivery",
            ),
        ]
        indexes = [models.Index(fields=["warehouse", "status", "date"])]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("inventory:task", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.SCHEDULED, self.Status.IN_PROGRESS)


class StockTake(models.Model):
    """A count of one storage location: what should be there and what was found."""

    location = models.ForeignKey(
        StorageLocation, on_delete=models.PROTECT, related_name="stocktakes"
    )
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("stock-take")
        verbose_name_plural = _("stock-takes")

    def __str__(self):
        return f"{self.location} {self.created_at:%Y-%m-%d}"


class StockTakeLine(models.Model):
    stocktake = models.ForeignKey(StockTake, on_delete=models.CASCADE, related_name="lines")
    listing = models.ForeignKey("listings.Listing", on_delete=models.PROTECT, related_name="+")
    expected = models.PositiveSmallIntegerField(_("expected"))
    counted = models.PositiveSmallIntegerField(_("counted"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "listing"], name="stocktake_line_unique")
        ]

    def __str__(self):
        return f"{self.listing_id}: {self.counted}/{self.expected}"

    @property
    def discrepancy(self) -> int:
        return self.counted - self.expected
