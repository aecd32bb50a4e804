from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kierratys.common.limits import MAX_PHOTOS, MAX_QUANTITY

MAX_CATEGORY_DEPTH = 3


class Category(models.Model):
    """A furniture category with the impact factors reports fall back to."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    depth = models.PositiveSmallIntegerField(_("level"), default=0, editable=False)
    slug = models.SlugField(_("identifier"), unique=True)
    name_fi = models.CharField(_("name in Finnish"), max_length=100)
    name_sv = models.CharField(_("name in Swedish"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    typical_weight_kg = models.DecimalField(
        _("typical weight (kg)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    co2e_kg_per_item = models.DecimalField(
        _("CO2e avoided per reused item (kg)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )
    replacement_value_eur = models.DecimalField(
        _("replacement value (EUR)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    factors_are_estimates = models.BooleanField(_("figures are estimates"), default=True)
    factor_source = models.TextField(
        _("source of the figures"),
        blank=True,
        help_text=_("Where the weight, CO2e and value figures come from."),
    )

    class Meta:
        ordering = ["sort_order", "name_fi"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(depth__lt=MAX_CATEGORY_DEPTH), name="category_depth_at_most_3_levels"
            ),
            models.CheckConstraint(
                condition=Q(typical_weight_kg__isnull=True) | Q(typical_weight_kg__gt=0),
                name="category_weight_positive",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "fi")[:2]
        return getattr(self, f"name_{language}", None) or self.name_fi

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.parent_id:
            if self.parent.depth + 1 >= MAX_CATEGORY_DEPTH:
                raise ValidationError({"parent": _("Categories can be at most three levels deep.")})
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    raise ValidationError({"parent": _("A category cannot be inside itself.")})
                ancestor = ancestor.parent
        self.depth = self.parent.depth + 1 if self.parent_id else 0


def default_available_until():
    return timezone.localdate() + timedelta(days=settings.LISTING_AVAILABLE_DAYS)


class Listing(models.Model):
    class Condition(models.TextChoices):
        NEW = "new", _("New")
        LIKE_NEW = "like_new", _("Like new")
        GOOD = "good", _("Good")
        FAIR = "fair", _("Fair")
        NEEDS_REPAIR = "needs_repair", _("Needs repair")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ARCHIVED = "archived", _("Archived")

    class Audience(models.TextChoices):
        """Who sees a published listing: the stages widen in this order (listings.audience)."""

        DEPARTMENT = "department", _("Own department")
        ORGANISATION = "organisation", _("Whole organisation")
        PARTNERS = "partners", _("Partner organisations")
        ENDED = "ended", _("End of life")

    class Colour(models.TextChoices):
        WHITE = "white", _("White")
        BLACK = "black", _("Black")
        GREY = "grey", _("Grey")
        BROWN = "brown", _("Brown")
        BEIGE = "beige", _("Beige")
        WOOD = "wood", _("Wood colour")
        RED = "red", _("Red")
        ORANGE = "orange", _("Orange")
        YELLOW = "yellow", _("Yellow")
        GREEN = "green", _("Green")
        BLUE = "blue", _("Blue")
        PURPLE = "purple", _("Purple")
        PINK = "pink", _("Pink")
        SILVER = "silver", _("Silver or metal")
        MULTI = "multi", _("Several colours")

    class Material(models.TextChoices):
        WOOD = "wood", _("Wood")
        LAMINATE = "laminate", _("Laminate or chipboard")
        METAL = "metal", _("Metal")
        PLASTIC = "plastic", _("Plastic")
        FABRIC = "fabric", _("Fabric")
        LEATHER = "leather", _("Leather or faux leather")
        GLASS = "glass", _("Glass")
        MIXED = "mixed", _("Several materials")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=12, unique=True, null=True, editable=False)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="listings", verbose_name=_("category")
    )
    condition = models.CharField(_("condition"), max_length=20, choices=Condition.choices)
    width_cm = models.PositiveIntegerField(_("width (cm)"), null=True, blank=True)
    depth_cm = models.PositiveIntegerField(_("depth (cm)"), null=True, blank=True)
    height_cm = models.PositiveIntegerField(_("height (cm)"), null=True, blank=True)
    weight_kg = models.DecimalField(
        _("weight per item (kg)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    material = models.CharField(_("material"), max_length=20, choices=Material.choices, blank=True)
    colour = models.CharField(_("colour"), max_length=20, choices=Colour.choices, blank=True)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    # Both changed only by the reservation services. Collected items have left for good.
    quantity_available = models.PositiveSmallIntegerField(_("available"), default=1)
    quantity_collected = models.PositiveSmallIntegerField(_("collected"), default=0)
    # Changed only by the warehouse's disposal service; disposed items have left for good too.
    quantity_disposed = models.PositiveSmallIntegerField(_("disposed of"), default=0)
    owner_unit = models.ForeignKey(
        "kierratys.Unit", on_delete=models.PROTECT, related_name="listings", verbose_name=_("unit")
    )
    # The owner unit's organisation and department, copied so that visibility is a filter on
    # the listing's own row (listings.audience). Written by listing_create only.
    organisation = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.PROTECT,
        related_name="listings",
        verbose_name=_("organisation"),
    )
    department = models.ForeignKey(
        "kierratys.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    audience = models.CharField(
        _("visible to"), max_length=20, choices=Audience.choices, default=Audience.DEPARTMENT
    )
    # When the periodic job widens the audience next; empty while it stays where it is.
    audience_widens_at = models.DateTimeField(_("widens"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("listed by"),
    )
    storage_location = models.ForeignKey(
        "inventory.StorageLocation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listings",
        verbose_name=_("warehouse shelf"),
        help_text=_("Empty while the item is at its owner unit."),
    )
    pickup_instructions = models.TextField(_("pickup instructions"), blank=True, max_length=1000)
    # Issue 20: a reservation starts as a request that holds its quantity until the owner
    # side approves or declines it within `approval_days` (reservations.services.approval).
    # Database defaults too: bulk inserts in SQL (bench/_regions.py) need not name them.
    owner_approves = models.BooleanField(
        _("I approve requests"),
        default=False,
        db_default=False,
        help_text=_("A reservation waits for your approval before it binds."),
    )
    approval_days = models.PositiveSmallIntegerField(
        _("days to decide"),
        default=3,
        db_default=3,
        help_text=_("How many days you have to approve or decline a request (1–14)."),
    )
    # Issue 20: lent for a period instead of given for keeps (reservations.loans): units
    # book days on a calendar, at most `loan_max_days` at a time; nothing leaves for good.
    for_loan = models.BooleanField(
        _("for loan"),
        default=False,
        db_default=False,
        help_text=_("Lent for a period and returned, instead of given for keeps."),
    )
    loan_max_days = models.PositiveSmallIntegerField(
        _("longest loan in days"),
        default=14,
        db_default=14,
        help_text=_("How many days in a row a unit may borrow it (1–365)."),
    )
    available_from = models.DateField(_("available from"), default=timezone.localdate)
    available_until = models.DateField(_("available until"), default=default_available_until)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    expiry_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Filled by listings.search on PostgreSQL (fi/sv/en stemming); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="listing_quantity_1_999",
            ),
            models.CheckConstraint(
                condition=Q(quantity_available__gte=0, quantity_available__lte=F("quantity")),
                name="listing_available_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(
                    quantity_collected__gte=0,
                    quantity_disposed__gte=0,
                    quantity_collected__lte=(
                        F("quantity") - F("quantity_available") - F("quantity_disposed")
                    ),
                ),
                name="listing_gone_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(available_until__gte=F("available_from")),
                name="listing_window_in_order",
            ),
            models.CheckConstraint(
                condition=(
                    (Q(width_cm__isnull=True) | Q(width_cm__gte=1, width_cm__lte=2000))
                    & (Q(depth_cm__isnull=True) | Q(depth_cm__gte=1, depth_cm__lte=2000))
                    & (Q(height_cm__isnull=True) | Q(height_cm__gte=1, height_cm__lte=2000))
                ),
                name="listing_dimensions_plausible",
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=True) | Q(weight_kg__gt=0, weight_kg__lte=2000),
                name="listing_weight_plausible",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="listing_published_has_date",
            ),
            models.CheckConstraint(
                condition=Q(audience__in=["department", "organisation", "partners", "ended"]),
                name="listing_audience_known",
            ),
            models.CheckConstraint(
                condition=~Q(audience="ended") | Q(audience_widens_at__isnull=True),
                name="listing_ended_widens_no_more",
            ),
            models.CheckConstraint(
                condition=Q(approval_days__gte=1, approval_days__lte=14),
                name="listing_approval_days_1_14",
            ),
            models.CheckConstraint(
                condition=Q(loan_max_days__gte=1, loan_max_days__lte=365),
                name="listing_loan_max_days_1_365",
            ),
        ]
        indexes = [
            models.Index(fields=["owner_unit", "status"]),
            # The catalogue: published, in stock, newest first.
            models.Index(
                fields=["-published_at"],
                condition=Q(status="published", quantity_available__gt=0),
                name="listing_catalogue_idx",
            ),
            # An organisation's own catalogue and the stage job's due listings.
            models.Index(
                fields=["organisation", "-published_at"],
                condition=Q(status="published", quantity_available__gt=0),
                name="listing_org_catalogue_idx",
            ),
            # Who sees it: the three branches of listings.audience.visible_q.
            models.Index(
                fields=["organisation", "audience", "department"],
                condition=Q(status="published", quantity_available__gt=0),
                name="listing_audience_reach_idx",
            ),
            models.Index(
                fields=["audience_widens_at"],
                condition=Q(audience_widens_at__isnull=False),
                name="listing_widens_idx",
            ),
        ]

    def __str__(self):
        return f"{self.code or '—'} {self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("listings:detail", args=[self.pk])

    @property
    def dimensions(self) -> str:
        parts = [self.width_cm, self.depth_cm, self.height_cm]
        if not any(parts):
            return ""
        return " × ".join(str(p) if p else "–" for p in parts) + " cm"

    @property
    def quantity_reserved(self) -> int:
        return (
            self.quantity
            - self.quantity_available
            - self.quantity_collected
            - self.quantity_disposed
        )


class ListingPhoto(models.Model):
    """A server-made rendition pair. The uploaded original is never stored."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField(_("position"))
    large = models.FileField(_("large image"), max_length=255)
    thumb = models.FileField(_("thumbnail"), max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    alt_text = models.CharField(
        _("description for screen readers"),
        max_length=200,
        blank=True,
        help_text=_("What the photo shows. Leave empty to use the title."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        constraints = [
            models.UniqueConstraint(fields=["listing", "position"], name="photo_unique_position"),
            # Positions 8-15 are only a parking range while photos are reordered.
            models.CheckConstraint(
                condition=Q(position__lt=2 * MAX_PHOTOS), name="photo_position_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.listing_id}#{self.position}"

    @property
    def alt(self) -> str:
        return self.alt_text or self.listing.title


class ListingEvent(models.Model):
    """The item's history: every change, by whom and when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Edited")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        RELISTED = "relisted", _("Listed again")
        ARCHIVED = "archived", _("Archived")
        PHOTO_ADDED = "photo_added", _("Photo added")
        PHOTO_REMOVED = "photo_removed", _("Photo removed")
        PHOTO_CHANGED = "photo_changed", _("Photos rearranged")

    # No index of its own: the (listing, -created_at) one leads with it. Every reservation
    # writes an event while it holds the listing's row lock (issue 22).
    listing = models.ForeignKey(
        Listing, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    kind = models.CharField(_("event"), max_length=40)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("history event")
        verbose_name_plural = _("history events")
        indexes = [
            models.Index(fields=["listing", "-created_at"]),
            models.Index(fields=["kind", "created_at"], name="listingevent_kind_time_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    def kind_label(self) -> str:
        from .history import kind_label

        return kind_label(self.kind)


class SavedSearch(models.Model):
    """A user's named catalogue filters, with email and in-app alerts for new matches."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.TextField(_("filters"), max_length=2000)
    alerts_enabled = models.BooleanField(_("email alerts"), default=True)
    last_emailed_at = models.DateTimeField(null=True, blank=True)
    pending_listing_ids = models.JSONField(default=list, blank=True)
    digest_scheduled = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_search_unique_name"),
        ]

    def __str__(self):
        return self.name


class SavedSearchAlert(models.Model):
    """A saved search was alerted of a listing: at most once, whichever task asks (the
    publish matcher, a widened one, a retry). Written under the saved search's row lock
    (listings.alerts.alert); the constraint is the rule. Goes with the search or listing."""

    # No index of its own: the unique (saved_search, listing) one leads with it.
    saved_search = models.ForeignKey(
        SavedSearch, on_delete=models.CASCADE, related_name="alerted", db_index=False
    )
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["saved_search", "listing"], name="saved_search_alert_once"
            ),
        ]

    def __str__(self):
        return f"{self.saved_search_id} → {self.listing_id}"


class Recipient(models.Model):
    """An association or organisation that takes donated furniture; the coordinator keeps
    the organisation's list."""

    organisation = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.CASCADE,
        related_name="recipients",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    contact = models.CharField(_("contact details"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("donation recipient")
        verbose_name_plural = _("donation recipients")
        constraints = [
            # "Kontti" and "kontti" are one recipient.
            models.UniqueConstraint("organisation", Lower("name"), name="recipient_unique_name"),
        ]

    def __str__(self):
        return self.name


class EndOfLife(models.Model):
    """What the owner chose for what was left when the last audience stage ended."""

    class Outcome(models.TextChoices):
        DONATE = "donate", _("Donate")
        SELL = "sell", _("Sell")
        RECYCLE = "recycle", _("Recycle")

    class Fraction(models.TextChoices):
        WOOD = "wood", _("Wood")
        METAL = "metal", _("Metal")
        PLASTIC = "plastic", _("Plastic")
        MIXED = "mixed", _("Mixed waste")
        ELECTRONICS = "electronics", _("Electrical and electronic")
        TEXTILE = "textile", _("Textiles")

    listing = models.ForeignKey(
        Listing, on_delete=models.PROTECT, related_name="end_of_life", verbose_name=_("listing")
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    recipient = models.ForeignKey(
        Recipient,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
        verbose_name=_("recipient"),
    )
    fraction = models.CharField(
        _("material fraction"), max_length=20, choices=Fraction.choices, blank=True
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    starting_price_eur = models.DecimalField(
        _("suggested starting price (EUR)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("end-of-life decision")
        verbose_name_plural = _("end-of-life decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="endoflife_quantity_1_999",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="donate") | Q(recipient__isnull=False),
                name="endoflife_donation_has_recipient",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="recycle") | (~Q(fraction="") & Q(weight_kg__gt=0)),
                name="endoflife_recycling_has_fraction_and_kg",
            ),
        ]

    def __str__(self):
        return f"{self.listing_id} {self.outcome} × {self.quantity}"
