from django.db import models
from django.utils.translation import gettext_lazy as _


class Warehouse(models.Model):
    """A city warehouse where items are stored between units."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    street_address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self):
        return self.name

    @property
    def address(self) -> str:
        return f"{self.street_address}, {self.postal_code} {self.city}"


class StorageLocation(models.Model):
    """A shelf or bay in a warehouse, such as A-03-2."""

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="locations", verbose_name=_("warehouse")
    )
    code = models.CharField(_("code"), max_length=20)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["warehouse__name", "code"]
        verbose_name = _("storage location")
        verbose_name_plural = _("storage locations")
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "code"], name="location_unique_code"),
        ]

    def __str__(self):
        return f"{self.warehouse.name} {self.code}"
