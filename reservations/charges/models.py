from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Up to 99 999.99 € per price; a charge multiplies it by at most 999 items or months.
PRICE_DIGITS = {"max_digits": 7, "decimal_places": 2}
AMOUNT_DIGITS = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")


class PriceList(models.Model):
    """One organisation's internal prices, in euros. All zero (the default): no charges."""

    class DeliveryBasis(models.TextChoices):
        TRIP = "trip", _("Per trip")
        ITEM = "item", _("Per item")

    organisation = models.OneToOneField(
        "kierratys.Organisation",
        on_delete=models.CASCADE,
        related_name="price_list",
        verbose_name=_("organisation"),
    )
    delivery_basis = models.CharField(
        _("delivery priced"),
        max_length=10,
        choices=DeliveryBasis.choices,
        default=DeliveryBasis.TRIP,
    )
    delivery_eur = models.DecimalField(_("delivery (€)"), default=ZERO, **PRICE_DIGITS)
    storage_month_eur = models.DecimalField(
        _("storage per item and month (€)"), default=ZERO, **PRICE_DIGITS
    )
    cleaning_eur = models.DecimalField(
        _("cleaning or repair per item (€)"), default=ZERO, **PRICE_DIGITS
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [
            models.CheckConstraint(
                condition=Q(delivery_eur__gte=0, storage_month_eur__gte=0, cleaning_eur__gte=0),
                name="pricelist_prices_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(delivery_basis__in=["trip", "item"]), name="pricelist_basis_known"
            ),
        ]

    def __str__(self):
        return str(self.organisation)

    @property
    def is_free(self) -> bool:
        return not (self.delivery_eur or self.storage_month_eur or self.cleaning_eur)


class Charge(models.Model):
    """One line of internal charges, made at a handover. It keeps the unit price, the
    quantity and the cost centre code it was made with: a later change of prices or of the
    unit's cost centre leaves it as it was."""

    class Kind(models.TextChoices):
        DELIVERY = "delivery", _("Delivery")
        STORAGE = "storage", _("Storage")
        CLEANING = "cleaning", _("Cleaning or repair")

    organisation = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.PROTECT,
        related_name="charges",
        verbose_name=_("organisation"),
    )
    reservation = models.ForeignKey(
        "reservations.Reservation",
        on_delete=models.PROTECT,
        related_name="charges",
        verbose_name=_("reservation"),
    )
    unit = models.ForeignKey(
        "kierratys.Unit",
        on_delete=models.PROTECT,
        related_name="charges",
        verbose_name=_("receiving unit"),
    )

    class Per(models.TextChoices):
        TRIP = "trip", _("per trip")
        ITEM = "item", _("per item")
        ITEM_MONTH = "item-month", _("per item and month")

    kind = models.CharField(_("service"), max_length=20, choices=Kind.choices)
    # The unit's cost centre code when the charge was made (Unit.cost_centre may change).
    cost_centre = models.CharField(_("cost centre"), max_length=40, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    per = models.CharField(_("per"), max_length=20, choices=Per.choices)
    unit_price_eur = models.DecimalField(_("unit price (€)"), **PRICE_DIGITS)
    amount_eur = models.DecimalField(_("amount (€)"), **AMOUNT_DIGITS)
    # The item as it was called then: its printed code and title, raw (no words of ours).
    item = models.CharField(_("item"), max_length=300)
    charged_at = models.DateTimeField(_("charged"))

    class Meta:
        ordering = ["-charged_at", "-pk"]
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        indexes = [models.Index(fields=["organisation", "charged_at"], name="charge_month_idx")]
        constraints = [
            # A reservation is handed over once: one charge of each service at most.
            models.UniqueConstraint(fields=["reservation", "kind"], name="charge_once_per_kind"),
            models.CheckConstraint(
                condition=Q(unit_price_eur__gt=0, quantity__gte=1), name="charge_priced"
            ),
            models.CheckConstraint(condition=Q(amount_eur__gt=0), name="charge_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=["delivery", "storage", "cleaning"]), name="charge_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(per__in=["trip", "item", "item-month"]), name="charge_per_known"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount_eur} €"
