"""What a unit needs: a wanted request, and the listings that answer it (issue 20, item 2).

A request is seen by the same stages as a listing (listings.audience): its fields
`audience`, `department` and `organisation` have the listing's names, so `visible_q` and
`sees` decide for requests exactly as they do for listings.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kierratys.common.limits import MAX_QUANTITY
from listings.models import Listing

MAX_WANTED_TEXT = 1000  # characters of "size or other details"
WANTED_DAYS = 60  # a request without a needed-by date stays open this long
WANTED_AUDIENCES = (
    Listing.Audience.DEPARTMENT,
    Listing.Audience.ORGANISATION,
    Listing.Audience.PARTNERS,
)


class WantedRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Still needed")
        FULFILLED = "fulfilled", _("Fulfilled")
        CLOSED = "closed", _("No longer needed")
        EXPIRED = "expired", _("Expired")

    Audience = Listing.Audience

    organisation = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.PROTECT,
        related_name="wanted_requests",
        verbose_name=_("organisation"),
    )
    department = models.ForeignKey(
        "kierratys.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    unit = models.ForeignKey(
        "kierratys.Unit",
        on_delete=models.PROTECT,
        related_name="wanted_requests",
        verbose_name=_("unit"),
    )
    poster = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("posted by"),
    )
    # Issue 20, item 4: posted by warehouse staff or a coordinator for another unit of
    # their organisation ("by poster for unit"); the unit's own request all the same.
    on_behalf = models.BooleanField(
        _("posted on behalf of the unit"), default=False, db_default=False
    )
    category = models.ForeignKey(
        "listings.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wanted_requests",
        verbose_name=_("category"),
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    details = models.TextField(_("size or other details"), blank=True, max_length=MAX_WANTED_TEXT)
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    audience = models.CharField(
        _("visible to"),
        max_length=20,
        choices=[(a.value, a.label) for a in WANTED_AUDIENCES],
        default=Listing.Audience.ORGANISATION,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    expires_at = models.DateTimeField(_("expires"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    created_at = models.DateTimeField(_("posted"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("wanted request")
        verbose_name_plural = _("wanted requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="wanted_quantity_1_999",
            ),
            models.CheckConstraint(
                condition=Q(category__isnull=False) | ~Q(details=""),
                name="wanted_category_or_details",
            ),
            models.CheckConstraint(
                condition=Q(audience__in=[a.value for a in WANTED_AUDIENCES]),
                name="wanted_audience_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "fulfilled", "closed", "expired"]),
                name="wanted_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="wanted_closed_has_date",
            ),
        ]
        indexes = [
            # The wanted list and the catalogue's "N requests want this": open ones by reach.
            models.Index(
                fields=["organisation", "audience", "department"],
                condition=Q(status="open"),
                name="wanted_open_reach_idx",
            ),
            models.Index(
                fields=["expires_at"], condition=Q(status="open"), name="wanted_open_expiry_idx"
            ),
            models.Index(fields=["unit", "status"], name="wanted_unit_status_idx"),
        ]

    def __str__(self):
        return self.summary

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("wanted:detail", args=[self.pk])

    @property
    def summary(self) -> str:
        """A short name for lists and notices: the category and the start of the details."""
        first_line = next((line.strip() for line in self.details.splitlines() if line.strip()), "")
        parts = [str(self.category) if self.category_id else "", first_line[:80]]
        return " – ".join(p for p in parts if p)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class WantedAnswer(models.Model):
    """A listing made with "I have this" for a request; a listing answers at most one."""

    request = models.ForeignKey(WantedRequest, on_delete=models.CASCADE, related_name="answers")
    listing = models.OneToOneField(
        "listings.Listing", on_delete=models.CASCADE, related_name="wanted_answer"
    )
    unit = models.ForeignKey(
        "kierratys.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("answer to a wanted request")
        verbose_name_plural = _("answers to wanted requests")

    def __str__(self):
        return f"{self.request_id} ← {self.listing_id}"
