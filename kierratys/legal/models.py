"""An organisation's accessibility statement and privacy notice, and the accessibility
feedback people send it.

The statement and notice are one row each per organisation, their texts in Finnish,
Swedish and English (texts.add_translated). Feedback must be answered within 14 days (Act
on the Provision of Digital Services 306/2019): the deadline is stored with the message.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kierratys.accounts.models import Organisation

from .texts import AUTHORITY_TEXT, AUTHORITY_URL, add_translated, text_and_language

ANSWER_DAYS = 14  # the law's deadline for answering accessibility feedback


class AccessibilityStatement(models.Model):
    class Conformance(models.TextChoices):
        FULL = "full", _("Fully conformant")
        PARTIAL = "partial", _("Partially conformant")
        NONE = "none", _("Not conformant")

    class Assessment(models.TextChoices):
        SELF = "self", _("Self-assessment")
        THIRD_PARTY = "third_party", _("Assessment by a third party")

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="accessibility_statement",
        verbose_name=_("organisation"),
    )
    conformance = models.CharField(
        _("conformance with WCAG 2.1 AA (EN 301 549)"),
        max_length=10,
        choices=Conformance.choices,
        default=Conformance.PARTIAL,
    )
    assessment = models.CharField(
        _("how it was assessed"),
        max_length=20,
        choices=Assessment.choices,
        default=Assessment.SELF,
    )
    assessor = models.CharField(
        _("assessed by"),
        max_length=200,
        blank=True,
        help_text=_("The third party that assessed the service, if one did."),
    )
    last_checked_on = models.DateField(_("accessibility last checked on"))
    prepared_on = models.DateField(_("statement prepared on"))
    updated_on = models.DateField(_("statement last updated on"), null=True, blank=True)
    feedback_email = models.EmailField(
        _("feedback email"),
        help_text=_("Where new accessibility feedback is announced; the coordinators answer it."),
    )

    class Meta:
        verbose_name = _("accessibility statement")
        verbose_name_plural = _("accessibility statements")

    def __str__(self):
        return str(self.organisation)

    def text(self, name: str) -> dict:
        """{"text", "language"} of one of the statement's texts in the reader's language."""
        text, language = text_and_language(self, name)
        return {"text": text, "language": language}


add_translated(
    AccessibilityStatement,
    "shortcomings",
    _("known shortcomings and their alternatives"),
    blank=True,
    help_text=_("Plain paragraphs separated by an empty line; no formatting."),
)
add_translated(
    AccessibilityStatement,
    "authority_text",
    _("feedback and the supervisory authority"),
    defaults=AUTHORITY_TEXT,
)
add_translated(
    AccessibilityStatement,
    "authority_url",
    _("supervisory authority's website"),
    field_class=models.URLField,
    defaults=AUTHORITY_URL,
)


# The sections of a privacy notice (GDPR articles 13 and 14), in the order shown.
PRIVACY_SECTIONS = [
    ("controller", _("Controller")),
    ("contact", _("Contact person for the register")),
    ("dpo", _("Data protection officer")),
    ("purposes", _("Purposes of processing")),
    ("legal_basis", _("Legal basis for processing")),
    ("recipients", _("Recipients and transfers")),
    ("retention", _("How long the data is kept")),
    ("rights", _("Your rights")),
]


class PrivacyNotice(models.Model):
    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="privacy_notice",
        verbose_name=_("organisation"),
    )
    updated_on = models.DateField(_("last updated on"))

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")

    def __str__(self):
        return str(self.organisation)

    def sections(self) -> list[dict]:
        """Every section's heading and its text in the reader's language (or Finnish)."""
        sections = []
        for name, label in PRIVACY_SECTIONS:
            text, language = text_and_language(self, name)
            sections.append({"name": name, "heading": label, "text": text, "language": language})
        return sections


for _name, _label in PRIVACY_SECTIONS:
    add_translated(
        PrivacyNotice,
        _name,
        _label,
        help_text=_("Plain paragraphs separated by an empty line; no formatting."),
    )


def due_on_for(received_at) -> date:
    """The last day to answer feedback received at `received_at` (local date + 14 days)."""
    return timezone.localdate(received_at) + timedelta(days=ANSWER_DAYS)


class AccessibilityFeedback(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="accessibility_feedback",
        verbose_name=_("organisation"),
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed-in sender"),
    )
    sender_name = models.CharField(_("name"), max_length=200, blank=True)
    sender_email = models.EmailField(_("email address"), blank=True)
    page_url = models.CharField(_("page address"), max_length=500, blank=True)
    message = models.TextField(_("message"))
    language = models.CharField(_("language"), max_length=5, default="fi")
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    due_on = models.DateField(_("answer due on"))
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    # A keyed hash of the sender's network address, for the per-client limit (never the
    # address itself).
    client_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True) | ~models.Q(answer=""),
                name="accessibilityfeedback_answered_has_answer",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-received_at"], name="feedback_org_received_idx"),
            models.Index(fields=["client_hash", "received_at"], name="feedback_client_idx"),
        ]

    def __str__(self):
        return f"{self.organisation_id}: {self.received_at:%Y-%m-%d}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    def is_overdue(self, today=None) -> bool:
        return not self.is_answered and self.due_on < (today or timezone.localdate())
