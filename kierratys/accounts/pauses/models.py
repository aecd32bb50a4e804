from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kierratys.common.names import in_language


class OrderingPause(models.Model):
    """No reserving and no delivery booking from `starts_on` to `ends_on` (both included),
    for the whole organisation or, with `warehouse`, for what that warehouse stores and
    delivers. Ended early: `ended_at` is set and the pause no longer applies."""

    organisation = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.CASCADE,
        related_name="ordering_pauses",
        verbose_name=_("organisation"),
    )
    # By name: the warehouse lives in a higher layer (inventory).
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ordering_pauses",
        verbose_name=_("warehouse"),
        help_text=_("Empty for the whole organisation."),
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    message_fi = models.TextField(_("message in Finnish"), max_length=500)
    message_sv = models.TextField(_("message in Swedish"), max_length=500, blank=True)
    message_en = models.TextField(_("message in English"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("scheduled by"),
    )
    created_at = models.DateTimeField(_("scheduled"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended early"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("ordering pause")
        verbose_name_plural = _("ordering pauses")
        indexes = [models.Index(fields=["organisation", "ends_on"], name="pause_org_ends")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="pause_ends_after_start"
            ),
            models.CheckConstraint(condition=~Q(message_fi=""), name="pause_message_fi"),
        ]

    def __str__(self):
        return f"{self.organisation} {self.starts_on}–{self.ends_on}"

    @property
    def message(self) -> str:
        """The message in the reader's language, else the Finnish one."""
        return in_language({"fi": self.message_fi, "sv": self.message_sv, "en": self.message_en})
