from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PersonalDataAccess(models.Model):
    """One person's contact details shown to another, or exported: who saw whose, where.

    Written by the views that show them (services.personal_data_viewed), kept for
    ACCESS_LOG_MONTHS. The subject is a user where the details belong to an account, and
    the description names what was shown (a reservation's contact person is free text that
    need not be anyone's account). Both organisations' coordinators read it: the viewer's
    and the subject's.
    """

    class What(models.TextChoices):
        RESERVATION_CONTACT = "reservation_contact", _("Reservation contact")
        PICKUP_SLIP = "pickup_slip", _("Pickup slip")
        TASK_CONTACT = "task_contact", _("Warehouse task contact")
        RUN_SHEET = "run_sheet", _("Run sheet")
        EXPORT = "export", _("Personal data export")

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("viewed by"),
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("whose data"),
    )
    subject_description = models.CharField(_("details shown"), max_length=200, blank=True)
    what = models.CharField(_("where"), max_length=30, choices=What.choices)
    ref = models.CharField(_("object"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        verbose_name=_("viewer's organisation"),
    )
    subject_organisation = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        verbose_name=_("subject's organisation"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        constraints = [
            models.CheckConstraint(
                condition=Q(subject__isnull=False) | ~Q(subject_description=""),
                name="personaldataaccess_has_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-at"], name="pda_org_time_idx"),
            models.Index(fields=["subject_organisation", "-at"], name="pda_subject_org_time_idx"),
            models.Index(fields=["subject", "-at"], name="pda_subject_time_idx"),
            models.Index(fields=["at"], name="pda_time_idx"),
        ]

    def __str__(self):
        return f"{self.viewer_id} → {self.subject_id or self.subject_description} ({self.what})"


class Anonymisation(models.Model):
    """That a person's account was anonymised, by whom and when (the account row stays, so
    that their listings, reservations and tasks, and the reports, stay whole)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="anonymisation",
        verbose_name=_("person"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("anonymised by"),
    )
    at = models.DateTimeField(_("anonymised"), default=timezone.now)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")

    def __str__(self):
        return f"{self.user_id} {self.at:%Y-%m-%d}"
