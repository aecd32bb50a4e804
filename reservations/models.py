from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kierratys.common.limits import MAX_QUANTITY


class Reservation(models.Model):
    """A unit's hold on a quantity of a listing, up to its handover."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Reserved")
        REQUESTED = "requested", _("Waiting for approval")
        WAITING = "waiting", _("On the waiting list")
        COLLECTED = "collected", _("Collected")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        DECLINED = "declined", _("Declined")

    class Handover(models.TextChoices):
        PICKUP = "pickup", _("We collect it ourselves")
        DELIVERY = "delivery", _("Delivery by the warehouse")

    # The only transitions there are; everything goes through services.reservation_transition.
    TRANSITIONS = {
        Status.ACTIVE: {Status.COLLECTED, Status.CANCELLED, Status.EXPIRED},
        # Issue 20: the owner side approves or declines a request; unanswered, it expires.
        Status.REQUESTED: {Status.ACTIVE, Status.DECLINED, Status.CANCELLED, Status.EXPIRED},
        Status.WAITING: {Status.ACTIVE, Status.REQUESTED, Status.CANCELLED},
    }
    OPEN_STATUSES = (Status.ACTIVE, Status.REQUESTED, Status.WAITING)
    # The statuses that hold their quantity off the listing's available count.
    HOLDING_STATUSES = (Status.ACTIVE, Status.REQUESTED)

    listing = models.ForeignKey(
        "listings.Listing",
        on_delete=models.PROTECT,
        related_name="reservations",
        verbose_name=_("listing"),
        db_index=False,  # the (listing, status, created_at) index leads with it
    )
    unit = models.ForeignKey(
        "kierratys.Unit",
        on_delete=models.PROTECT,
        related_name="reservations",
        verbose_name=_("reserving unit"),
        db_index=False,  # the (unit, status) index leads with it
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reservations",
        verbose_name=_("reserved by"),
    )
    # Issue 20, item 4: made by warehouse staff or a coordinator for another unit of their
    # organisation ("by requested_by for unit"); the unit's own reservation all the same.
    on_behalf = models.BooleanField(
        _("made on behalf of the unit"), default=False, db_default=False
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    quantity_collected = models.PositiveSmallIntegerField(_("collected"), default=0)
    handover = models.CharField(
        _("handover"), max_length=20, choices=Handover.choices, default=Handover.PICKUP
    )
    wanted_date = models.DateField(_("wanted date"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_phone = models.CharField(_("contact phone"), max_length=40)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    collect_by = models.DateField(_("collect by"), null=True, blank=True)
    extended = models.BooleanField(_("collect-by date extended"), default=False)
    # A request (status "requested") is approved or declined by then, or it expires.
    decide_by = models.DateTimeField(_("decide by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    reminded_before_at = models.DateTimeField(null=True, blank=True)
    reminded_due_at = models.DateTimeField(null=True, blank=True)
    # The owner unit's "new reservation" email is owed while this is empty: the row is its
    # own outbox, written in the reserving transaction (reservations/notify.py).
    owner_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="reservation_quantity_1_999",
            ),
            models.CheckConstraint(
                condition=Q(quantity_collected__lte=F("quantity")),
                name="reservation_collected_within_quantity",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(collect_by__isnull=False),
                name="reservation_active_has_collect_by",
            ),
            models.CheckConstraint(
                condition=~Q(status="requested")
                | Q(decide_by__isnull=False, collect_by__isnull=True),
                name="reservation_requested_has_decide_by",
            ),
        ]
        indexes = [
            models.Index(fields=["listing", "status", "created_at"]),
            models.Index(
                fields=["collect_by"], condition=Q(status="active"), name="reservation_due_idx"
            ),
            models.Index(
                fields=["decide_by"],
                condition=Q(status="requested"),
                name="reservation_decide_due_idx",
            ),
            models.Index(fields=["unit", "status"]),
            models.Index(
                fields=["id"],
                condition=Q(owner_notified_at__isnull=True),
                name="reservation_owner_owed_idx",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.listing_id} × {self.quantity} ({self.status})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("reservations:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class HandoverDocument(models.Model):
    """Luovutusasiakirja: furniture that changed owner between two organisations at a
    collection. Written by the collecting service; printable from the reservation."""

    reservation = models.OneToOneField(
        Reservation,
        on_delete=models.PROTECT,
        related_name="handover_document",
        verbose_name=_("reservation"),
    )
    number = models.CharField(_("document number"), max_length=20, unique=True)
    giving_organisation = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("giving organisation"),
    )
    receiving_organisation = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("receiving organisation"),
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    estimated_value_eur = models.DecimalField(
        _("estimated value (EUR)"), max_digits=11, decimal_places=2, null=True, blank=True
    )
    handed_over_at = models.DateTimeField(_("handed over"))
    giver_name = models.CharField(_("handed over by"), max_length=200)
    receiver_name = models.CharField(_("received by"), max_length=200)

    class Meta:
        ordering = ["-handed_over_at"]
        verbose_name = _("handover document")
        verbose_name_plural = _("handover documents")
        constraints = [
            models.CheckConstraint(
                condition=~Q(giving_organisation=F("receiving_organisation")),
                name="handoverdocument_between_two_organisations",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="handoverdocument_quantity"),
        ]

    def __str__(self):
        return self.number
