from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Long enough for a real FAQ; short enough that one page stays a page.
PAGE_MAX_CHARS = 20_000
FOOTER_MAX_CHARS = 600


class HelpText(models.Model):
    """An organisation's own words in fi, sv and en: its help page and FAQ (Markdown, shown
    to its staff) and the footer of the mail its staff get (plain text)."""

    class Kind(models.TextChoices):
        HELP = "help", _("Help")
        FAQ = "faq", _("Frequently asked questions")
        EMAIL_FOOTER = "email_footer", _("E-mail footer")

    organisation = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.CASCADE,
        related_name="help_texts",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text_fi = models.TextField(_("text in Finnish"), blank=True)
    text_sv = models.TextField(_("text in Swedish"), blank=True)
    text_en = models.TextField(_("text in English"), blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("help text")
        verbose_name_plural = _("help texts")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="help_one_per_kind"),
            models.CheckConstraint(
                condition=Q(kind__in=["help", "faq", "email_footer"]), name="help_kind_known"
            ),
            *(
                models.CheckConstraint(
                    condition=LessThanOrEqual(Length(f"text_{code}"), PAGE_MAX_CHARS),
                    name=f"help_text_{code}_bounded",
                )
                for code in ("fi", "sv", "en")
            ),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.get_kind_display()}"

    def text(self, language: str) -> str:
        """The text in `language`, else in Finnish, else in any language written."""
        texts = {code: getattr(self, f"text_{code}") for code in ("fi", "sv", "en")}
        return texts.get(language) or texts["fi"] or next((t for t in texts.values() if t), "")
