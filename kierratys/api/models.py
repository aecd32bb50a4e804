"""Service tokens: how another system (a purchasing system, a warehouse system) uses the API.

A token belongs to an organisation and acts for one unit of it, through its own account (a
user of that unit with the staff role and no password, named after the token): it sees what
that unit's staff see, and reserves for that unit. Its history entries and reservations name
that account, so everyone can tell what a system did. Scopes narrow further what it may do.
Only a hash of the secret is stored; the secret is shown once, when the token is created.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    LISTINGS_READ = "listings:read", _("Read listings")
    LISTINGS_WRITE = "listings:write", _("Write listings")
    RESERVATIONS = "reservations", _("Reservations")
    TASKS = "tasks", _("Warehouse tasks")
    REPORTS = "reports", _("Reports")


MAX_RATE_PER_MINUTE = 6000


class ServiceToken(models.Model):
    organisation = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
    )
    unit = models.ForeignKey(
        "kierratys.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    # The token's own account (see the module's docstring): one per token.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="service_token",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=100)
    # Scope values separated by single spaces, as in OAuth 2.0.
    scopes = models.CharField(_("scopes"), max_length=200)
    # The first characters of the token, shown so that people can tell tokens apart.
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    rate_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("service token")
        verbose_name_plural = _("service tokens")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="servicetoken_expires_later"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=F("created_at")),
                name="servicetoken_revoked_after_creation",
            ),
            models.CheckConstraint(condition=~Q(scopes=""), name="servicetoken_has_a_scope"),
            models.CheckConstraint(
                condition=Q(rate_per_minute__gte=1, rate_per_minute__lte=MAX_RATE_PER_MINUTE),
                name="servicetoken_rate_in_range",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "created_at"])]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def scope_labels(self) -> list[str]:
        return [label for value, label in Scope.choices if value in self.scope_set]

    def usable_at(self, now) -> bool:
        return self.revoked_at is None and self.expires_at > now


class ReuseCheck(models.Model):
    """A purchasing system asked, before buying new, whether reused items would do (issue
    19, item 6): what it asked, what was found, and, when told, what came of it."""

    class Outcome(models.TextChoices):
        RESERVED = "reserved", _("Reserved reused items")
        BOUGHT_NEW = "bought_new", _("Bought new")

    class Reason(models.TextChoices):
        NO_MATCH = "no_match", _("Nothing suitable was available")
        WRONG_SIZE = "wrong_size", _("Wrong size or model")
        NEEDED_SOONER = "needed_sooner", _("Needed sooner")
        OTHER = "other", _("Other reason")

    organisation = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
    )
    unit = models.ForeignKey(
        "kierratys.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked by"),
    )
    category = models.ForeignKey(
        "listings.Category",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    needed_by = models.DateField(_("needed by"))
    reference = models.CharField(_("purchase reference"), max_length=100, blank=True)
    # What was found when asked: how many listings, and how many items in them together.
    listings_found = models.PositiveIntegerField(_("listings found"))
    items_found = models.PositiveIntegerField(_("items found"))
    created_at = models.DateTimeField(_("checked"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    reason_text = models.CharField(_("reason in words"), max_length=500, blank=True)
    reservation = models.ForeignKey(
        "reservations.Reservation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reservation"),
    )
    outcome_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reuse check")
        verbose_name_plural = _("reuse checks")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="reusecheck_quantity"),
            # No outcome yet; reserved (no reason); or bought new with a reason ("other"
            # with words).
            models.CheckConstraint(
                condition=(
                    Q(outcome="", reason="", reason_text="", outcome_at__isnull=True)
                    | Q(outcome="reserved", reason="", outcome_at__isnull=False)
                    | (
                        Q(outcome="bought_new", outcome_at__isnull=False, reservation__isnull=True)
                        & Q(reason__in=["no_match", "wrong_size", "needed_sooner", "other"])
                        & (~Q(reason="other") | ~Q(reason_text=""))
                    )
                ),
                name="reusecheck_outcome_consistent",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "created_at"])]

    def __str__(self):
        return f"{self.category_id} × {self.quantity} ({self.created_at:%Y-%m-%d})"
