"""A loan (a booking of days) and the per-day ledger that keeps bookings within the
listing's quantity: see the package's docstring for how the two hold the guarantee."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kierratys.common.limits import MAX_QUANTITY


class Loan(models.Model):
    """A unit's booking of a for-loan listing from `start` to `end` (both days included)."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        PICKED_UP = "picked_up", _("Picked up")
        RETURNED = "returned", _("Returned")
        CANCELLED = "cancelled", _("Cancelled")

    class Condition(models.TextChoices):
        GOOD = "good", _("In good condition")
        NEEDS_CLEANING = "needs_cleaning", _("Needs cleaning")
        DAMAGED = "damaged", _("Damaged")

    # The statuses that hold their days in the ledger.
    HOLDING_STATUSES = (Status.BOOKED, Status.PICKED_UP)

    listing = models.ForeignKey(
        "listings.Listing",
        on_delete=models.PROTECT,
        related_name="loans",
        verbose_name=_("listing"),
    )
    unit = models.ForeignKey(
        "kierratys.Unit",
        on_delete=models.PROTECT,
        related_name="loans",
        verbose_name=_("borrowing unit"),
    )
    # Who booked it: a member of the unit, or warehouse staff or a coordinator for it.
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="loans",
        verbose_name=_("booked by"),
    )
    # Booked by warehouse staff or a coordinator for the unit: "by X for unit Y" (issue 20).
    on_behalf = models.BooleanField(_("booked on the unit's behalf"), default=False)
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.BOOKED
    )
    picked_up_at = models.DateTimeField(_("picked up"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    return_condition = models.CharField(
        _("condition on return"), max_length=20, choices=Condition.choices, blank=True
    )
    damage_note = models.TextField(_("damage"), blank=True, max_length=1000)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # Reminders, once each: before the last day, and when overdue (again every few days).
    reminded_before_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_overdue_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A booking told, once, that an earlier loan late back may leave it short.
    told_short_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="loan_end_after_start"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="loan_quantity_1_999",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["booked", "picked_up", "returned", "cancelled"]),
                name="loan_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["picked_up", "returned"]) | Q(picked_up_at__isnull=False),
                name="loan_picked_up_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned")
                | (Q(returned_at__isnull=False) & ~Q(return_condition="")),
                name="loan_returned_has_condition",
            ),
            models.CheckConstraint(
                condition=~Q(return_condition="damaged") | ~Q(damage_note=""),
                name="loan_damage_described",
            ),
            models.CheckConstraint(
                condition=Q(return_condition__in=["", "good", "needs_cleaning", "damaged"]),
                name="loan_condition_known",
            ),
        ]
        indexes = [
            models.Index(fields=["listing", "status", "start"], name="loan_listing_idx"),
            models.Index(fields=["unit", "status"], name="loan_unit_idx"),
            models.Index(
                fields=["end"],
                condition=Q(status__in=["booked", "picked_up"]),
                name="loan_open_end_idx",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.listing_id} × {self.quantity} {self.start}–{self.end}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("loans:detail", args=[self.pk])

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class LoanDay(models.Model):
    """How many of a listing are booked on one day: the capacity ledger. Written only by
    the loan services, under the listing's row lock, with F() increments."""

    listing = models.ForeignKey(
        "listings.Listing", on_delete=models.CASCADE, related_name="loan_days"
    )
    day = models.DateField()
    booked = models.PositiveSmallIntegerField(default=0)
    # The listing's quantity when this day was last booked: the database's own limit.
    capacity = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["listing", "day"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "day"], name="loanday_one_per_day"),
            models.CheckConstraint(
                condition=Q(booked__gte=0, booked__lte=F("capacity")),
                name="loanday_within_capacity",
            ),
        ]

    def __str__(self):
        return f"{self.listing_id} {self.day}: {self.booked}/{self.capacity}"


class LoanHold(models.Model):
    """A day after its last one that an overdue loan (picked up, not returned) still holds
    in the ledger: `quantity` of the loan's, as many as were free when the periodic job
    held it. Written only by the loan services, under the listing's lock; released when
    the loan comes back (see the package's docstring, "Overdue loans")."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="holds")
    day = models.DateField()
    quantity = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["loan", "day"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "day"], name="loanhold_one_per_day"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="loanhold_quantity_1_999",
            ),
        ]

    def __str__(self):
        return f"{self.loan_id} {self.day}: {self.quantity}"
