"""An organisation's announcements and who has dismissed them.

The texts are kept in three languages on the row (`title_fi`, `title_sv`, `title_en`...);
Finnish is required and shown when the reader's language is empty (legal.texts). The
audience is the whole organisation, one role in it, or a warehouse's customers (the units
it serves, inventory.selectors.serving_warehouses); the constraints keep the three apart.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kierratys.accounts.roles import ROLE_LABELS
from kierratys.legal.texts import add_translated, text_and_language

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 2000


class Announcement(models.Model):
    class Audience(models.TextChoices):
        ORGANISATION = "organisation", _("Everyone in the organisation")
        ROLE = "role", _("People with a role")
        WAREHOUSE = "warehouse", _("A warehouse's customers")

    class Severity(models.TextChoices):
        INFO = "info", _("Information")
        IMPORTANT = "important", _("Important")

    organisation = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.CASCADE,
        related_name="announcements",
        verbose_name=_("organisation"),
    )
    starts_at = models.DateTimeField(_("shown from"))
    ends_at = models.DateTimeField(_("shown until"))
    # "End now": the planned end stays on record beside when it was cut short.
    ended_at = models.DateTimeField(_("ended early at"), null=True, blank=True)
    # When its live event went out: at publishing, or once a scheduled one began.
    announced_at = models.DateTimeField(_("announced live at"), null=True, blank=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.ORGANISATION
    )
    role = models.CharField(
        _("role"), max_length=20, blank=True, choices=[(k, v) for k, v in ROLE_LABELS.items()]
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="announcements",
        verbose_name=_("warehouse"),
    )
    severity = models.CharField(
        _("severity"), max_length=20, choices=Severity.choices, default=Severity.INFO
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="announcement_ends_after_start"
            ),
            models.CheckConstraint(
                condition=(
                    Q(audience="organisation", role="", warehouse__isnull=True)
                    | (Q(audience="role", warehouse__isnull=True) & ~Q(role=""))
                    | Q(audience="warehouse", role="", warehouse__isnull=False)
                ),
                name="announcement_one_audience",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "ends_at"])]

    def __str__(self):
        return self.title_fi

    def text(self, name: str, language: str | None = None) -> dict:
        """{"text", "language"} in the reader's language, or Finnish when that is empty."""
        text, code = text_and_language(self, name, language)
        return {"text": text, "language": code}

    @property
    def title(self) -> dict:
        return self.text("title")

    @property
    def body(self) -> dict:
        return self.text("body")

    @property
    def is_important(self) -> bool:
        return self.severity == self.Severity.IMPORTANT


add_translated(Announcement, "title", _("title"), models.CharField, max_length=TITLE_MAX_LENGTH)
add_translated(Announcement, "body", _("text"), max_length=BODY_MAX_LENGTH)


class AnnouncementDismissal(models.Model):
    """Someone closed the announcement: it no longer shows on top of their pages."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="dismissals"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dismissed announcement")
        verbose_name_plural = _("dismissed announcements")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "announcement"], name="announcement_dismissed_once"
            )
        ]

    def __str__(self):
        return f"{self.user_id}: {self.announcement_id}"
