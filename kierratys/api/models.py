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
