"""A relocation or renovation project: the listings of one building, grouped (issue 21)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kierratys.common.limits import MAX_QUANTITY


class Project(models.Model):
    class Kind(models.TextChoices):
        RELOCATION = "relocation", _("Relocation")
        RENOVATION = "renovation", _("Renovation")

    organisation = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("organisation"),
    )
    unit = models.ForeignKey(
        "kierratys.Unit", on_delete=models.PROTECT, related_name="projects", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    building = models.CharField(_("building"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    target_reuse_rate = models.PositiveSmallIntegerField(_("target reuse rate (%)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_reuse_rate__gte=0, target_reuse_rate__lte=100),
                name="project_target_reuse_rate_percent",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="project_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name


class ProjectListing(models.Model):
    """A listing that belongs to a project; a listing is in at most one project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="project_listings")
    listing = models.OneToOneField(
        "listings.Listing", on_delete=models.CASCADE, related_name="project_link"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("project listing")
        verbose_name_plural = _("project listings")

    def __str__(self):
        return f"{self.project} – {self.listing_id}"


class ProjectItem(models.Model):
    """One line of the room-by-room survey: what stands in a room, how many, and whether the
    unit keeps it or offers it for reuse. An offered line has its draft listing (in the
    project); a kept one keeps its photo here."""

    class Decision(models.TextChoices):
        KEEP = "keep", _("Keep")
        OFFER = "offer", _("Offer for reuse")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="items")
    room = models.CharField(_("room"), max_length=100)
    title = models.CharField(_("what it is"), max_length=120)
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    listing = models.OneToOneField(
        "listings.Listing",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="project_item",
    )
    large = models.FileField(_("large image"), max_length=255, blank=True)
    thumb = models.FileField(_("thumbnail"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey item")
        verbose_name_plural = _("survey items")
        ordering = ["room", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="projectitem_quantity_1_999",
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["keep", "offer"]), name="projectitem_decision_known"
            ),
            models.CheckConstraint(
                condition=Q(decision="offer") | Q(listing__isnull=True),
                name="projectitem_kept_has_no_listing",
            ),
        ]

    def __str__(self):
        return f"{self.room}: {self.title} × {self.quantity}"
