"""Agreements between organisations: a partnership of two, and regions of many.

A partner organisation sees a listing once it reaches the partner stage. Two organisations
are partners on a day when an accepted partnership between them runs that day, or when
both belong to one region that day.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.utils.translation import gettext_lazy as _

from ..common.names import NameInLanguages


class Partnership(models.Model):
    """Proposed by one organisation's coordinator, binding once the other's accepts."""

    proposer = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    partner = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("partner"),
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True)
    # Ended early (or declined before acceptance) by either side's coordinator.
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended"), null=True)

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.CheckConstraint(
                condition=~Q(proposer=F("partner")), name="partnership_two_organisations"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="partnership_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(accepted_by__isnull=False),
                name="partnership_accepted_by_someone",
            ),
            # One open agreement per pair, whichever side proposed it.
            models.UniqueConstraint(
                Least("proposer", "partner"),
                Greatest("proposer", "partner"),
                condition=Q(ended_at__isnull=True),
                name="partnership_one_open_per_pair",
            ),
        ]

    def __str__(self):
        return f"{self.proposer} – {self.partner}"


class Region(NameInLanguages):
    """A named group of partners, e.g. the Turku region; kept by the service's administrators."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name in addresses"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.display_name


class RegionMembership(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("region")
    )
    organisation = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.PROTECT,
        related_name="region_memberships",
        verbose_name=_("organisation"),
    )
    joined_on = models.DateField(_("joined"))
    left_on = models.DateField(_("left"), null=True, blank=True)

    class Meta:
        ordering = ["region", "organisation"]
        verbose_name = _("region member")
        verbose_name_plural = _("region members")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "organisation"], name="regionmembership_once"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="regionmembership_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} @ {self.region}"


def running_on(day, prefix: str = "") -> Q:
    """Partnerships binding on `day`."""
    return Q(
        **{
            f"{prefix}accepted_at__isnull": False,
            f"{prefix}ended_at__isnull": True,
            f"{prefix}starts_on__lte": day,
        }
    ) & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day}))


def member_on(day, prefix: str = "") -> Q:
    return Q(**{f"{prefix}joined_on__lte": day}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": day})
    )
